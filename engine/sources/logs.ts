/**
 * JSON-lines prediction logs in a folder: every `*.jsonl`, `*.ndjson` or `*.log` file in it (not
 * its subfolders), in name order, one JSON object per line, streamed (engine/io's readTextLines:
 * one chunk in memory at a time). A line:
 *   {"timestamp": "2026-03-01T12:00:00Z", "features": {"Flow Duration": 12, ...},
 *    "prediction": 1, "probability": 0.93, "label": 1, "model_version": "3"}
 * - the time field (`timeColumn`): an ISO 8601 string (no offset: UTC) or a number of Unix
 *   seconds (Python's time.time());
 * - the features: the object under `featuresField`, or, when a line has none, its other top-level
 *   fields (flat logs); the names of the first line are the columns;
 * - a value: a number, null or absent (missing), or the strings NaN, Infinity, -Infinity, inf,
 *   -inf (JSON has no non-finite numbers); anything else is an error naming file:line and field.
 * Blank lines are skipped.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextLines } from '../io/index.js';
import { InputError, excerpt } from '../util/index.js';
import { countBatches } from './pull.js';
import { nonFeatureColumns, type ResolvedSourceOptions } from './options.js';
import type { CountRequest, RowBatch, Source, SourceColumn } from './types.js';
import type { TimeWindow } from './window.js';
import type { Histograms } from '../scan/index.js';

const LOG_FILE = /\.(jsonl|ndjson|log)$/i;
const BATCH_ROWS = 65_536;
const NON_FINITE: Record<string, number> = { nan: NaN, infinity: Infinity, '-infinity': -Infinity, inf: Infinity, '-inf': -Infinity, '+inf': Infinity, '+infinity': Infinity };

interface LogLine {
  file: string;
  line: number;
  time: number;
  values: Record<string, unknown>;
}

export class LogsSource implements Source {
  readonly kind = 'logs';
  readonly description: string;
  readonly #dir: string;
  readonly #options: ResolvedSourceOptions;
  #files: string[] | null = null;
  #columns: SourceColumn[] | null = null;

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
    const { timeColumn, featuresField } = this.#options;
    for (const file of await this.#logFiles()) {
      for await (const { line, text } of readTextLines(file)) {
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new InputError(`not a JSON object: ${excerpt(text)}`, { file, line });
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`not a JSON object: ${excerpt(text)}`, { file, line });
        const record = value as Record<string, unknown>;
        const time = parseLogTime(record[timeColumn]);
        if (Number.isNaN(time)) {
          const got = record[timeColumn] === undefined ? 'none' : excerpt(JSON.stringify(record[timeColumn]));
          throw new InputError(`expected an ISO 8601 time or Unix seconds, got ${got}`, { file, line, column: timeColumn });
        }
        const nested = record[featuresField];
        const values = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? { ...record, ...(nested as Record<string, unknown>) } : record;
        if (values !== record) delete values[featuresField];
        yield { file, line, time, values };
      }
    }
  }

  async columns(): Promise<SourceColumn[]> {
    if (this.#columns) return this.#columns;
    for await (const first of this.#lines()) {
      this.#columns = Object.entries(first.values).map(([name, v]) => ({ name, numeric: v === null || typeof v === 'number' || (typeof v === 'string' && v.toLowerCase() in NON_FINITE) }));
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
      if (entry.time < from || entry.time >= until) continue;
      const r = batch.rows++;
      columns.forEach((name, c) => {
        // a JSON true / false (a boolean label or prediction) is 1 / 0
        const value = entry.values[name];
        batch.columns[c]![r] = typeof value === 'boolean' ? Number(value) : logNumber(value, entry, name);
      });
      if (batch.rows === BATCH_ROWS) {
        yield batch;
        batch = emptyBatch(columns.length);
      }
    }
    if (batch.rows > 0) yield { rows: batch.rows, columns: batch.columns.map((c) => c.subarray(0, batch.rows)) };
  }

  async countRows(window: TimeWindow): Promise<number> {
    let rows = 0;
    for await (const entry of this.#lines()) if (entry.time >= window.from.getTime() && entry.time < window.until.getTime()) rows++;
    return rows;
  }

  /** The first and last times and the lines of the folder. */
  async period(): Promise<{ first: number | null; last: number | null; rows: number }> {
    let first: number | null = null;
    let last: number | null = null;
    let rows = 0;
    for await (const { time } of this.#lines()) {
      rows++;
      if (first === null || time < first) first = time;
      if (last === null || time > last) last = time;
    }
    return { first, last, rows };
  }

  async count(window: TimeWindow, request: CountRequest): Promise<Histograms> {
    await this.#require(request.featureNames, true);
    return countBatches(this.batches(window, request.featureNames), request);
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

  async close(): Promise<void> {}
}

function emptyBatch(n: number): RowBatch {
  return { rows: 0, columns: Array.from({ length: n }, () => new Float64Array(BATCH_ROWS)) };
}

/** Unix ms of a log line's time: an ISO 8601 string (no offset: UTC) or Unix seconds; NaN when it is neither. */
export function parseLogTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : NaN;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return NaN;
  const text = value.length === 10 ? `${value}T00:00:00Z` : /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  return Date.parse(text.replace(' ', 'T'));
}

function logNumber(value: unknown, entry: LogLine, name: string): number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'string') {
    const special = NON_FINITE[value.trim().toLowerCase()];
    if (special !== undefined) return special;
  }
  throw new InputError(`expected a number, null, NaN or Infinity, got ${excerpt(JSON.stringify(value))}`, { file: entry.file, line: entry.line, column: name });
}
