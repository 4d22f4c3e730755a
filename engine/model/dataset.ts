/**
 * Labelled data for training and evaluation: reading (one or more files, the same features by
 * name), cleaning like the original tool, the stratified train/test split, and the fill values
 * that stand in for non-finite feature values.
 *
 * Cleaning: the label is 0 when it equals the negative class (`BENIGN`, compared after trimming)
 * and 1 otherwise (an empty/null label is not `BENIGN`, so 1, as pandas' `x == 'BENIGN'` gives).
 * Non-finite feature values (NaN, +-Infinity) follow a stated policy:
 *   - `drop` (default, the original tool's `replace([inf, -inf], nan).dropna()`): rows with any
 *     non-finite feature are left out of training and evaluation;
 *   - `impute`: they stay, with NaN -> the feature's training median, +Infinity -> its training
 *     maximum, -Infinity -> its training minimum (finite values of the training split).
 * At prediction time every model applies its fill values (the `impute` rule), so any row gets a
 * prediction.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { readTable } from '../io/index.js';
import { InputError, SchemaError, UsageError } from '../util/index.js';
import { quantileSorted } from '../profile/index.js';
import { Rng } from '../util/index.js';

export type NonFinitePolicy = 'drop' | 'impute';
export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['drop', 'impute'];

/** Feature columns (Float64, one per feature) and 0/1 labels of the same rows. */
export interface Dataset {
  featureNames: string[];
  columns: Float64Array[];
  labels: Uint8Array;
  rows: number;
}

export interface LabelledReadOptions {
  /** label column (default `Label`) */
  label?: string;
  /** the negative class (default `BENIGN`); every other label is positive */
  negative?: string;
  exclude?: readonly string[];
  coerce?: boolean;
}

export interface LabelledData extends Dataset {
  labelName: string;
  negative: string;
  /** rows read per file, in order */
  sources: Array<{ file: string; rows: number }>;
}

export const DEFAULT_NEGATIVE = 'BENIGN';

/** Read one or more labelled files into one dataset; later files must have the first's features. */
export async function readLabelledData(files: readonly string[], options: LabelledReadOptions = {}): Promise<LabelledData> {
  if (files.length === 0) throw new UsageError('no data file given');
  const negative = options.negative ?? DEFAULT_NEGATIVE;
  const parts: Array<{ file: string; table: Table; labels: Uint8Array; rows: number }> = [];
  let featureNames: string[] | undefined;
  let labelName: string | undefined;
  for (const file of files) {
    const read = await readTable(file, { label: options.label ?? 'Label', exclude: options.exclude, coerce: options.coerce });
    if (read.labelName === undefined) throw new SchemaError('label column not found', { file, column: options.label ?? 'Label' });
    if (featureNames === undefined) {
      featureNames = read.featureNames;
      labelName = read.labelName;
    } else {
      const have = new Set(read.featureNames);
      const missing = featureNames.find((name) => !have.has(name));
      if (missing !== undefined) throw new SchemaError(`feature "${missing}" of ${files[0]} is missing from this file`, { file });
    }
    parts.push({ file, table: read.table, labels: labelsFromTable(read.table, read.labelName, negative), rows: read.rows });
  }
  const names = featureNames!;
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const columns = names.map((name) => {
    if (parts.length === 1) return parts[0]!.table.getChild(name)!.toArray() as Float64Array;
    const column = new Float64Array(rows);
    let at = 0;
    for (const part of parts) {
      column.set(part.table.getChild(name)!.toArray() as Float64Array, at);
      at += part.rows;
    }
    return column;
  });
  const labels = new Uint8Array(rows);
  let at = 0;
  for (const part of parts) {
    labels.set(part.labels, at);
    at += part.rows;
  }
  return { featureNames: names, columns, labels, rows, labelName: labelName!, negative, sources: parts.map((p) => ({ file: p.file, rows: p.rows })) };
}

/** 0 for the negative class (trimmed), 1 for anything else, from the dictionary-encoded label (of a table or one batch). */
export function labelsFromTable(table: Table | RecordBatch, labelName: string, negative: string): Uint8Array {
  const vector = table.getChild(labelName)!;
  const labels = new Uint8Array(table.numRows);
  let at = 0;
  for (const data of vector.data) {
    const codes = data.values as Int32Array;
    const dictionary = data.dictionary;
    const positiveByCode: number[] = [];
    const length = dictionary?.length ?? 0;
    for (let k = 0; k < length; k++) {
      const text = dictionary!.get(k) as string | null;
      positiveByCode.push(text !== null && text.trim() === negative ? 0 : 1);
    }
    for (let i = 0; i < data.length; i++) {
      const valid = data.nullCount === 0 || data.getValid(i);
      labels[at + i] = valid ? (positiveByCode[codes[i]!] ?? 1) : 1;
    }
    at += data.length;
  }
  return labels;
}

/** Rows whose features are all finite. */
export function finiteRows(dataset: Dataset): Uint8Array {
  const keep = new Uint8Array(dataset.rows).fill(1);
  for (const column of dataset.columns) {
    for (let r = 0; r < dataset.rows; r++) if (!Number.isFinite(column[r]!)) keep[r] = 0;
  }
  return keep;
}

/**
 * `column[indices[i]]` for each i. A loop: `Float64Array.from(indices, (i) => column[i])` goes
 * through the iterator protocol and a call a value, about ten times slower.
 */
export function takeColumnRows(column: Float64Array, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = column[indices[i]!]!;
  return out;
}

/** The rows at `indices` (in that order). */
export function takeRows<T extends Dataset>(dataset: T, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const columns = dataset.columns.map((column) => takeColumnRows(column, indices));
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) labels[i] = dataset.labels[indices[i]!]!;
  return { featureNames: dataset.featureNames, columns, labels, rows: n };
}

/** Drop the rows with a non-finite feature; returns the rest and how many were dropped. */
export function dropNonFinite(dataset: Dataset): { dataset: Dataset; dropped: number } {
  const keep = finiteRows(dataset);
  const indices: number[] = [];
  for (let r = 0; r < dataset.rows; r++) if (keep[r]) indices.push(r);
  if (indices.length === dataset.rows) return { dataset, dropped: 0 };
  return { dataset: takeRows(dataset, indices), dropped: dataset.rows - indices.length };
}

/** What replaces non-finite values of each feature. */
export interface FillValues {
  /** NaN -> the median of the finite training values (0 when there are none) */
  nan: number[];
  /** +Infinity -> the largest finite training value */
  posInf: number[];
  /** -Infinity -> the smallest finite training value */
  negInf: number[];
}

export function fitFill(dataset: Dataset): FillValues {
  const fill: FillValues = { nan: [], posInf: [], negInf: [] };
  for (const column of dataset.columns) {
    const finite = column.filter((v) => Number.isFinite(v)).sort();
    const n = finite.length;
    fill.nan.push(n ? quantileSorted(finite, 0.5) : 0);
    fill.posInf.push(n ? finite[n - 1]! : 0);
    fill.negInf.push(n ? finite[0]! : 0);
  }
  return fill;
}

/** Columns with non-finite values replaced (a column without any is returned as is). */
export function applyFill(columns: readonly Float64Array[], fill: FillValues): Float64Array[] {
  return columns.map((column, f) => {
    let out: Float64Array | undefined;
    for (let r = 0; r < column.length; r++) {
      const v = column[r]!;
      if (Number.isFinite(v)) continue;
      out ??= Float64Array.from(column);
      out[r] = Number.isNaN(v) ? fill.nan[f]! : v > 0 ? fill.posInf[f]! : fill.negInf[f]!;
    }
    return out ?? column;
  });
}

/**
 * Stratified split: ceil(testSize x n) test rows (scikit-learn's count), shared between the
 * classes in proportion (largest remainder), each class shuffled with the seed. Indices come back
 * ascending, so both parts keep the file order.
 */
export function stratifiedSplit(labels: Uint8Array, testSize: number, seed: number): { train: Int32Array; test: Int32Array } {
  const n = labels.length;
  if (!(testSize > 0 && testSize < 1)) throw new UsageError(`test size must be between 0 and 1, got ${testSize}`);
  const nTest = Math.ceil(testSize * n);
  if (nTest < 1 || nTest >= n) throw new InputError(`cannot split ${n} rows with test size ${testSize}: need at least one training and one test row`);
  const byClass: number[][] = [[], []];
  for (let r = 0; r < n; r++) byClass[labels[r]!]!.push(r);
  const exact = byClass.map((rows) => (nTest * rows.length) / n);
  const take = exact.map(Math.floor);
  let left = nTest - take[0]! - take[1]!;
  // largest remainder first; a tie goes to the class with more rows, then to class 0
  const order = [0, 1].sort((a, b) => exact[b]! - take[b]! - (exact[a]! - take[a]!) || byClass[b]!.length - byClass[a]!.length || a - b);
  for (const k of order) {
    if (left > 0 && take[k]! < byClass[k]!.length) {
      take[k]!++;
      left--;
    }
  }
  const test: number[] = [];
  const train: number[] = [];
  byClass.forEach((rows, k) => {
    const rng = new Rng(seed, 0x5eed0000 + k);
    const shuffled = Int32Array.from(rows);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const swap = shuffled[i]!;
      shuffled[i] = shuffled[j]!;
      shuffled[j] = swap;
    }
    for (let i = 0; i < shuffled.length; i++) (i < take[k]! ? test : train).push(shuffled[i]!);
  });
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** Count of positive labels. */
export function positives(labels: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < labels.length; i++) count += labels[i]!;
  return count;
}
