/**
 * Labelled predictions, as `driftcatcher predict` writes them (CSV with `y_pred,y_prob,y_true`) or
 * as JSON-lines prediction logs (one object per line with `y_true`, `y_pred` and optional
 * `y_prob`). Labels are 0/1 (`true`/`false` accepted); `y_prob` is the positive class's
 * probability in [0, 1]. Without y_true (labels not known yet), readPredictionsMaybeUnlabelled
 * reads y_pred and y_prob alone, for prediction drift (unlabelled.ts). Both formats are read through engine/io, streamed: CSV by its CSV
 * reader (quoted fields, the line limit, one-line errors), JSON lines a line at a time. Every
 * problem is an InputError naming the file and line.
 */
import { extname } from 'node:path';
import { excerpt, InputError } from '../util/index.js';
import { lineAtOffset, readCsvColumns, readCsvLayout, readTextLines, type CsvColumnsBlock } from '../io/index.js';

export interface Predictions {
  file: string;
  /** the file's format; `source`: the rows of a window of a --from source (engine/sources) */
  format: 'csv' | 'jsonl' | 'source';
  rows: number;
  yTrue: Uint8Array;
  yPred: Uint8Array;
  /** null when the file has no y_prob */
  yProb: Float64Array | null;
}

export interface PredictionsOptions {
  /** the longest line accepted, in bytes (engine/io's ReadOptions.maxLineBytes; default 1 MiB) */
  maxLineBytes?: number | undefined;
}

/** Predictions whose labels are not known yet (no y_true): what prediction drift reads. */
export interface UnlabelledPredictions extends Omit<Predictions, 'yTrue'> {
  yTrue: null;
}

export function predictionsFormat(file: string): 'csv' | 'jsonl' {
  const ext = extname(file).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'csv';
}

/** A value as a message shows it: text quoted and cut, a number as a number (NaN too), anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `"${excerpt(value)}"`;
  return typeof value === 'number' ? String(value) : excerpt(String(JSON.stringify(value)));
}

/** 1 or 0, or undefined when `value` is not a label. */
function labelOf(value: unknown): number | undefined {
  if (value === 1 || value === '1' || value === true || value === 'true' || value === '1.0') return 1;
  if (value === 0 || value === '0' || value === false || value === 'false' || value === '0.0') return 0;
  return undefined;
}

function label(value: unknown, name: string, file: string, line: number): number {
  const parsed = labelOf(value);
  if (parsed === undefined) throw new InputError(`${name} must be 0 or 1, got ${shown(value)}`, { file, line, column: name });
  return parsed;
}

function probability(value: unknown, file: string, line: number): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(number >= 0 && number <= 1)) throw new InputError(`y_prob must be a probability from 0 to 1, got ${shown(value)}`, { file, line, column: 'y_prob' });
  return number;
}

/** Growing columns of the predictions read so far. */
class Columns {
  rows = 0;
  yTrue = new Uint8Array(1024);
  yPred = new Uint8Array(1024);
  yProb = new Float64Array(1024);

  push(yTrue: number, yPred: number, yProb: number): void {
    if (this.rows === this.yTrue.length) {
      const size = 2 * this.rows;
      this.yTrue = grown(this.yTrue, new Uint8Array(size));
      this.yPred = grown(this.yPred, new Uint8Array(size));
      this.yProb = grown(this.yProb, new Float64Array(size));
    }
    this.yTrue[this.rows] = yTrue;
    this.yPred[this.rows] = yPred;
    this.yProb[this.rows] = yProb;
    this.rows++;
  }
}

function grown<T extends Uint8Array | Float64Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

export async function readPredictions(file: string, options: PredictionsOptions = {}): Promise<Predictions> {
  return (await readAnyPredictions(file, options, false)) as Predictions;
}

/**
 * Labelled predictions, or predictions without y_true (a file without a y_true column, JSON
 * lines without `y_true`): `yTrue` is then null. The same checks otherwise.
 */
export async function readPredictionsMaybeUnlabelled(file: string, options: PredictionsOptions = {}): Promise<Predictions | UnlabelledPredictions> {
  return readAnyPredictions(file, options, true);
}

async function readAnyPredictions(file: string, options: PredictionsOptions, allowUnlabelled: boolean): Promise<Predictions | UnlabelledPredictions> {
  const format = predictionsFormat(file);
  const columns = new Columns();
  const { hasProb, labelled } = format === 'csv' ? await readCsv(file, options, columns, allowUnlabelled) : await readJsonLines(file, options, columns, allowUnlabelled);
  if (columns.rows === 0) throw new InputError('no predictions in the file', { file });
  const { rows } = columns;
  const common = { file, format, rows, yPred: columns.yPred.slice(0, rows), yProb: hasProb ? columns.yProb.slice(0, rows) : null };
  return labelled ? { ...common, yTrue: columns.yTrue.slice(0, rows) } : { ...common, yTrue: null };
}

/** The CSV form: y_true and y_pred as text (each distinct value checked once), y_prob as a number. Returns whether it has y_prob and y_true. */
async function readCsv(file: string, options: PredictionsOptions, columns: Columns, allowUnlabelled: boolean): Promise<{ hasProb: boolean; labelled: boolean }> {
  const layout = await readCsvLayout(file, { maxLineBytes: options.maxLineBytes });
  const has = (name: string) => layout.names.includes(name);
  const labelled = has('y_true');
  if (!labelled && !allowUnlabelled) throw new InputError('no y_true column: monitoring needs labelled predictions (predict a labelled file, or log y_true)', { file, line: 1 });
  if (!has('y_pred')) throw new InputError('no y_pred column', { file, line: 1 });
  const hasProb = has('y_prob');
  const lineOf = (block: CsvColumnsBlock, k: number) => lineAtOffset(file, block.rowOffsets[k]!);
  // per text column, the label of each dictionary code (checked when the code first appears)
  const labels: Array<Array<number | undefined>> = [[], []];
  const names = labelled ? (['y_true', 'y_pred'] as const) : (['y_pred'] as const);
  const labelAt = (block: CsvColumnsBlock, t: 0 | 1, k: number): number => {
    const code = block.text[t]![k]!;
    const known = labels[t]![code];
    if (known !== undefined) return known;
    const value = block.dictionaries[t]![code]!.trim();
    return (labels[t]![code] = label(value, names[t]!, file, lineOf(block, k)));
  };
  for await (const block of readCsvColumns(layout, { text: names, numbers: hasProb ? ['y_prob'] : [] })) {
    const yProb = block.numbers[0];
    for (let k = 0; k < block.rows; k++) {
      const yTrue = labelled ? labelAt(block, 0, k) : 0;
      const yPred = labelAt(block, labelled ? 1 : 0, k);
      let p = 0;
      if (yProb) {
        p = yProb[k]!;
        if (!(p >= 0 && p <= 1)) probability(p, file, lineOf(block, k));
      }
      columns.push(yTrue, yPred, p);
    }
  }
  return { hasProb, labelled };
}

/** The JSON-lines form, a line at a time. Returns whether it has y_prob and y_true (each the same on every line). */
async function readJsonLines(file: string, options: PredictionsOptions, columns: Columns, allowUnlabelled: boolean): Promise<{ hasProb: boolean; labelled: boolean }> {
  let hasProb: boolean | null = null;
  let labelled: boolean | null = null;
  for await (const { line, text } of readTextLines(file, { maxLineBytes: options.maxLineBytes })) {
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new InputError('not a JSON object', { file, line });
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new InputError('not a JSON object', { file, line });
    const row = record as Record<string, unknown>;
    const hasTrue = 'y_true' in row;
    if (!hasTrue && !allowUnlabelled) throw new InputError('no y_true: monitoring needs labelled predictions', { file, line });
    if (labelled === null) labelled = hasTrue;
    else if (labelled !== hasTrue) throw new InputError(`y_true ${hasTrue ? 'given here but not on earlier lines' : 'missing here but given on earlier lines'}`, { file, line });
    if (!('y_pred' in row)) throw new InputError('no y_pred', { file, line });
    const prob = row['y_prob'];
    const present = prob !== undefined && prob !== null;
    if (hasProb === null) hasProb = present;
    else if (hasProb !== present) throw new InputError(`y_prob ${present ? 'given here but not on earlier lines' : 'missing here but given on earlier lines'}`, { file, line });
    const yTrue = hasTrue ? label(row['y_true'], 'y_true', file, line) : 0;
    const yPred = label(row['y_pred'], 'y_pred', file, line);
    columns.push(yTrue, yPred, present ? probability(prob, file, line) : 0);
  }
  return { hasProb: hasProb === true, labelled: labelled !== false };
}
