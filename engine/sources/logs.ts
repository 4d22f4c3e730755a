/**
 * JSON-lines prediction logs in a folder: every `*.jsonl`, `*.ndjson` or `*.log` file in it (not
 * its subfolders), in name order, one JSON object per line. A line:
 *   {"timestamp": "2026-03-01T12:00:00Z", "features": {"Flow Duration": 12, ...},
 *    "prediction": 1, "probability": 0.93, "label": 1, "model_version": "3"}
 * - the time field (`timeColumn`): an ISO 8601 string (no offset: UTC) or a number of Unix
 *   seconds (Python's time.time());
 * - the features: the object under `featuresField`, or, when a line has none, its other top-level
 *   fields (flat logs); the names of the first line are the columns;
 * - a value: a number, null or absent (missing), or the strings NaN, Infinity, -Infinity, inf,
 *   -inf (JSON has no non-finite numbers); anything else is an error naming file:line and field.
 * Blank lines are skipped.
 *
 * A check's counts (`count`) and a window's rows (`countRows`) are a scan on the worker pool, as
 * a CSV file's: the files cut into byte ranges that the workers read, parse (engine/io/logs) and
 * bin into the shared histograms, keeping the lines in the window (`workers` 0: on this thread).
 * A reference's rows (`batches`) and the period are read here, streamed (engine/io's
 * readTextLines: one chunk in memory at a time), the same lines parsed the same way.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { logNumber, logsScanner, nonFiniteText, parseLogRecord, planLogScan, readTextLines, type ScanPlan } from '../io/index.js';
import { InputError, internalError } from '../util/index.js';
import { autoWorkers, countPlan, runPlan, ScanPool, type Histograms } from '../scan/index.js';
import { nonFeatureColumns, type ResolvedSourceOptions } from './options.js';
import type { CountRequest, RowBatch, Source, SourceColumn } from './types.js';
import { windowText, type TimeWindow } from './window.js';

const LOG_FILE = /\.(jsonl|ndjson|log)$/i;
const BATCH_ROWS = 65_536;

interface LogLine {
  file: string;
  line: number;
  record: NonNullable<ReturnType<typeof parseLogRecord>>;
}

export class LogsSource implements Source {
  readonly kind = 'logs';
  readonly description: string;
  readonly #dir: string;
  readonly #options: ResolvedSourceOptions;
  #files: string[] | null = null;
  #columns: SourceColumn[] | null = null;
  #pool: ScanPool | null = null;

  constructor(dir: string, options: ResolvedSourceOptions) {
    this.#dir = dir;
    this.#options = options;
    this.description = `logs:${dir}`;
  }

  async #logFiles(): Promise<string[]> {
    if (this.#files) return this.#files;
    let names: string[];
    try {
      const entries = await readdir(this.#dir, { withFileTypes: true });
      names = entries.filter((e) => e.isFile() && LOG_FILE.test(e.name)).map((e) => e.name).sort();
    } catch {
      throw new InputError('no such folder (logs: names a folder of JSON-lines files)', { file: this.#dir });
    }
    if (names.length === 0) throw new InputError('no *.jsonl, *.ndjson or *.log file in this folder', { file: this.#dir });
    this.#files = names.map((n) => join(this.#dir, n));
    return this.#files;
  }

  /** Every line of every file, parsed (time and the flattened fields). */
  async *#lines(): AsyncGenerator<LogLine> {
    for (const file of await this.#logFiles()) {
      for await (const { line, text } of readTextLines(file, { maxLineBytes: this.#options.maxLineBytes })) {
        const record = parseLogRecord(text, this.#options, { file, line });
        if (record) yield { file, line, record };
      }
    }
  }

  async columns(): Promise<SourceColumn[]> {
    if (this.#columns) return this.#columns;
    for await (const first of this.#lines()) {
      this.#columns = Object.entries(first.record.values).map(([name, v]) => ({ name, numeric: v === null || typeof v === 'number' || (typeof v === 'string' && nonFiniteText(v) !== undefined) }));
      return this.#columns;
    }
    throw new InputError('no log line in this folder', { file: this.#dir });
  }

  async *batches(window: TimeWindow, columns: readonly string[]): AsyncIterable<RowBatch> {
    // any field of the first line (monitoring reads the label, prediction and probability)
    await this.#require(columns, false);
    const from = window.from.getTime();
    const until = window.until.getTime();
    let batch = emptyBatch(columns.length);
    for await (const entry of this.#lines()) {
      if (entry.record.time < from || entry.record.time >= until) continue;
      const r = batch.rows++;
      columns.forEach((name, c) => {
        batch.columns[c]![r] = logNumber(entry.record.field(name), entry, name);
      });
      if (batch.rows === BATCH_ROWS) {
        yield batch;
        batch = emptyBatch(columns.length);
      }
    }
    if (batch.rows > 0) yield { rows: batch.rows, columns: batch.columns.map((c) => c.subarray(0, batch.rows)) };
  }

  async countRows(window: TimeWindow): Promise<number> {
    const pool = await this.#scanPool();
    pool.prepare([]);
    let rows = 0;
    const ran = await runPlan(pool, logsScanner.format, await this.#plan(window, []), (_slot, result) => {
      rows += result.rows;
    });
    if (ran === 'fallback') throw internalError('the logs scan has no fallback');
    return rows;
  }

  /** The first and last times and the lines of the folder. */
  async period(): Promise<{ first: number | null; last: number | null; rows: number }> {
    let first: number | null = null;
    let last: number | null = null;
    let rows = 0;
    for await (const { record: { time } } of this.#lines()) {
      rows++;
      if (first === null || time < first) first = time;
      if (last === null || time > last) last = time;
    }
    return { first, last, rows };
  }

  async count(window: TimeWindow, request: CountRequest): Promise<Histograms> {
    await this.#require(request.featureNames, true);
    const pool = await this.#scanPool();
    pool.prepare(request.edges, { tails: request.tails });
    const counted = await countPlan(pool, logsScanner.format, await this.#plan(window, request.featureNames), request.featureNames);
    if (counted === 'fallback') throw internalError('the logs scan has no fallback');
    return counted;
  }

  /** The scan of the window's lines on `features`: every file's byte ranges, in name order. */
  async #plan(window: TimeWindow, features: string[]): Promise<ScanPlan> {
    return planLogScan({
      files: await this.#logFiles(),
      fields: this.#options,
      features,
      from: window.from.getTime(),
      until: window.until.getTime(),
      unitBytes: this.#options.rangeBytes,
      maxLineBytes: this.#options.maxLineBytes,
      noRows: () => new InputError(`${this.description}: no rows in the window ${windowText(window)}`),
    });
  }

  /** The pool the scans run on, started once (its threads as tasks come): `workers`, else by the folder's size. */
  async #scanPool(): Promise<ScanPool> {
    if (this.#pool) return this.#pool;
    let workers = this.#options.workers;
    if (workers === undefined) {
      let bytes = 0;
      for (const file of await this.#logFiles()) bytes += (await stat(file)).size;
      workers = autoWorkers(bytes);
    }
    this.#pool = new ScanPool({ workers, kernel: this.#options.kernel });
    return this.#pool;
  }

  /** Each name is a field of the first line (`features`: a feature field, not the time, label, prediction...). */
  async #require(names: readonly string[], features: boolean): Promise<void> {
    const known = new Set((await this.columns()).map((c) => c.name));
    const skip = features ? nonFeatureColumns(this.#options) : new Set<string>();
    for (const name of names) {
      if (!known.has(name) || skip.has(name)) {
        const list = [...known].filter((n) => !skip.has(n));
        throw new InputError(`no ${features ? 'feature ' : ''}field ${JSON.stringify(name)} in the first log line (its ${features ? 'feature ' : ''}fields: ${list.slice(0, 12).join(', ')}${list.length > 12 ? ', ...' : ''})`, { file: this.#files?.[0] ?? this.#dir, line: 1, column: name });
      }
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }
}

function emptyBatch(n: number): RowBatch {
  return { rows: 0, columns: Array.from({ length: n }, () => new Float64Array(BATCH_ROWS)) };
}

