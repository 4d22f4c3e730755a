/**
 * Training data in bounded memory: what `trainModel` reads instead of the whole Float64 table
 * (which took ~2 KB a row). Three streaming passes over the files, one engine/io batch at a time:
 *
 *   1. `scanLabelled`: every row's label and whether its features are all finite (2 bytes a
 *      row), and a uniform sample of at most `sampleRows` usable rows (reservoir sampling from
 *      the seed; the sample is kept in file order, and is every usable row when there are no
 *      more than `sampleRows`). The bin edges, the NaN fill (median), the baseline profile and
 *      model selection (`auto`, `--search`) come from the sample's training rows; the networks
 *      are fitted on them.
 *   2. `binTrainingRows`: once the split and the edges are known, each training row's features
 *      as u8 bins, written straight into the shared memory the trees grow in (feature-major,
 *      `nRows` stride), its label beside them, and the exact smallest and largest finite training
 *      value of each feature (the +-Infinity fill).
 *   3. `scoreRows`: the trained model's probability and class for every training and test row,
 *      from the real values with the fill applied, as `predict` computes them.
 *
 * Between the passes a row is one role byte (`ROLE_*`); a training row's bins are found at its
 * rank among the training rows, which keep the file order (the split's indices are ascending).
 */
import type { RecordBatch } from 'apache-arrow';
import { openBatches } from '../io/index.js';
import { InputError, Rng, SchemaError, UsageError } from '../util/index.js';
import { binOf } from './binning.js';
import { applyFill, DEFAULT_NEGATIVE, labelsFromTable, takeColumnRows, type Dataset, type LabelledReadOptions } from './dataset.js';

/** Rows of the sample at most (64 MB of Float64 at 80 features). */
export const SAMPLE_ROWS = 100_000;

export const ROLE_UNUSED = 0;
export const ROLE_TRAIN = 1;
export const ROLE_TEST = 2;

export interface ScanOptions extends LabelledReadOptions {
  /** rows sampled at most (default SAMPLE_ROWS) */
  sampleRows?: number;
  /** seed of the reservoir sampling */
  seed?: number;
  /** only rows whose features are all finite are sampled (the `drop` policy) */
  finiteOnly?: boolean;
  /**
   * the features read, by name and in this order (a model's: the files may have more columns,
   * finiteness is then over these alone); default: the first file's. `of` names their owner in
   * the error of a file without one (`feature "x" of the model is missing from this file`).
   */
  features?: { names: readonly string[]; of: string };
}

/** What the first pass learnt: the rows' labels and finiteness, and the sample. */
export interface LabelledScan {
  files: string[];
  featureNames: string[];
  labelName: string;
  negative: string;
  /** rows read per file, in order */
  sources: Array<{ file: string; rows: number }>;
  rows: number;
  /** every row's label (0: the negative class) */
  labels: Uint8Array;
  /** 1 when every feature of the row is finite */
  finite: Uint8Array;
  /** the sampled rows (raw values, non-finite ones included) and their row numbers, ascending */
  sample: Dataset & { rowNumbers: Int32Array };
  read: LabelledReadOptions;
}

interface Part {
  file: string;
  /** row number of the batch's first row over all the files */
  start: number;
  rows: number;
  /** features in `featureNames` order */
  columns: Float64Array[];
  batch: RecordBatch;
}

/** Each batch of each file, its feature columns in the order of `names` (the first file's when null; `namesOf`: whose they are, for the error). */
async function eachBatch(files: readonly string[], read: LabelledReadOptions, names: string[] | null, visit: (part: Part, names: string[], labelName: string) => void | Promise<void>, namesOf = files[0]): Promise<Array<{ file: string; rows: number }>> {
  const sources: Array<{ file: string; rows: number }> = [];
  const labelOption = read.label ?? 'Label';
  let start = 0;
  for (const file of files) {
    const stream = openBatches(file, { label: labelOption, exclude: read.exclude, coerce: read.coerce });
    let rows = 0;
    for await (const batch of stream) {
      if (stream.labelName === undefined) throw new SchemaError('label column not found', { file, column: labelOption });
      if (names === null) names = stream.featureNames;
      else if (rows === 0) {
        const have = new Set(stream.featureNames);
        const missing = names.find((name) => !have.has(name));
        if (missing !== undefined) throw new SchemaError(`feature "${missing}" of ${namesOf} is missing from this file`, { file });
      }
      const columns = names.map((name) => batch.getChild(name)!.toArray() as Float64Array);
      await visit({ file, start, rows: batch.numRows, columns, batch }, names, stream.labelName);
      rows += batch.numRows;
      start += batch.numRows;
    }
    if (rows === 0) {
      if (stream.labelName === undefined && stream.featureNames.length > 0) throw new SchemaError('label column not found', { file, column: labelOption });
      throw new InputError('no data rows after the header', { file });
    }
    sources.push({ file, rows });
  }
  return sources;
}

/** A byte array that grows as rows come. */
class GrowingBytes {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  push(values: Uint8Array): void {
    if (this.length + values.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + values.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(values, this.length);
    this.length += values.length;
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Pass 1: labels, finiteness and the sample of `files` (the same features by name). */
export async function scanLabelled(files: readonly string[], options: ScanOptions = {}): Promise<LabelledScan> {
  if (files.length === 0) throw new UsageError('no data file given');
  const negative = options.negative ?? DEFAULT_NEGATIVE;
  const cap = options.sampleRows ?? SAMPLE_ROWS;
  if (!Number.isInteger(cap) || cap < 2) throw new UsageError(`sample rows must be an integer of at least 2, got ${cap}`, { option: 'sampleRows' });
  const rng = new Rng(options.seed ?? 42, 0x5a3b1e00);
  const labels = new GrowingBytes();
  const finite = new GrowingBytes();
  let featureNames: string[] = [];
  let labelName = '';
  let sampleColumns: Float64Array[] = [];
  let sampleRows = new Int32Array(0);
  let sampleLabels = new Uint8Array(0);
  let seen = 0;
  const sources = await eachBatch(files, options, options.features ? [...options.features.names] : null, (part, names, label) => {
    if (part.start === 0) {
      featureNames = names;
      labelName = label;
      sampleColumns = names.map(() => new Float64Array(0));
    }
    const batchLabels = labelsFromTable(part.batch, label, negative);
    const ok = new Uint8Array(part.rows).fill(1);
    for (const column of part.columns) for (let r = 0; r < part.rows; r++) if (!Number.isFinite(column[r]!)) ok[r] = 0;
    labels.push(batchLabels);
    finite.push(ok);
    for (let r = 0; r < part.rows; r++) {
      if (options.finiteOnly && !ok[r]) continue;
      let slot = seen;
      if (seen >= cap) {
        const j = rng.int(0, seen);
        slot = j < cap ? j : -1;
      }
      seen++;
      if (slot < 0) continue;
      if (slot >= sampleRows.length) {
        // grow the sample's arrays (up to cap) as rows come, so a small file holds a small sample
        const size = Math.min(cap, Math.max(1 << 16, sampleRows.length * 2));
        sampleColumns = sampleColumns.map((column) => grow(column, size));
        sampleRows = grow(sampleRows, size);
        sampleLabels = grow(sampleLabels, size);
      }
      for (let f = 0; f < part.columns.length; f++) sampleColumns[f]![slot] = part.columns[f]![r]!;
      sampleRows[slot] = part.start + r;
      sampleLabels[slot] = batchLabels[r]!;
    }
  }, options.features?.of);
  const m = Math.min(seen, cap);
  // file order (the reservoir's replacements scramble it)
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => sampleRows[a]! - sampleRows[b]!);
  // a column at a time, so the sample is held about once, not twice
  for (let f = 0; f < sampleColumns.length; f++) {
    const column = sampleColumns[f]!;
    sampleColumns[f] = takeColumnRows(column, order);
  }
  const sample: LabelledScan['sample'] = {
    featureNames,
    columns: sampleColumns,
    labels: Uint8Array.from(order, (i) => sampleLabels[i]!),
    rows: m,
    rowNumbers: Int32Array.from(order, (i) => sampleRows[i]!),
  };
  const allLabels = labels.done();
  return { files: [...files], featureNames, labelName, negative, sources, rows: allLabels.length, labels: allLabels, finite: finite.done(), sample, read: { label: options.label, negative, exclude: options.exclude, coerce: options.coerce } };
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(array: T, size: number): T {
  const out = new (array.constructor as new (n: number) => T)(size);
  out.set(array);
  return out;
}

/**
 * The sample's rows of one role (a Dataset of raw values, file order). The scan's sample is given
 * up (its columns are taken a column at a time), so the sample is not held twice.
 */
export function takeSample(scan: LabelledScan, roles: Uint8Array, role: number): Dataset {
  const keep: number[] = [];
  const { sample } = scan;
  for (let i = 0; i < sample.rows; i++) if (roles[sample.rowNumbers[i]!] === role) keep.push(i);
  const columns: Float64Array[] = [];
  for (let f = 0; f < sample.columns.length; f++) {
    const column = sample.columns[f]!;
    sample.columns[f] = new Float64Array(0);
    columns.push(takeColumnRows(column, keep));
  }
  const labels = Uint8Array.from(keep, (i) => sample.labels[i]!);
  scan.sample = { featureNames: sample.featureNames, columns: [], labels: new Uint8Array(0), rows: 0, rowNumbers: new Int32Array(0) };
  return { featureNames: sample.featureNames, columns, labels, rows: keep.length };
}

/**
 * The rows of one role, a batch at a time (raw values, file order, the scan's features): for a
 * pass that copies rows out (the agent's new training rows to a file) without the whole table.
 */
export async function eachRowsOfRole(scan: LabelledScan, roles: Uint8Array, role: number, visit: (part: Dataset) => void | Promise<void>): Promise<void> {
  await eachBatch(scan.files, scan.read, scan.featureNames, async (part) => {
    const wanted: number[] = [];
    for (let r = 0; r < part.rows; r++) if (roles[part.start + r] === role) wanted.push(r);
    if (wanted.length === 0) return;
    const columns = wanted.length === part.rows ? part.columns : part.columns.map((column) => takeColumnRows(column, wanted));
    await visit({ featureNames: scan.featureNames, columns, labels: Uint8Array.from(wanted, (r) => scan.labels[part.start + r]!), rows: wanted.length });
  });
}

/** Where pass 2 writes the training rows: u8 bins (feature f at f x rows) and labels, views of a shared memory. */
export interface BinTarget {
  bins: Uint8Array;
  labels: Uint8Array;
}

/**
 * Pass 2: the training rows' bins (NaN takes the bin of `nanFill`, +-Infinity the last and the
 * first bin: those of the largest and smallest value) into `target` when given, and the exact
 * smallest and largest finite training value of each feature (null when it has none).
 */
export async function binTrainingRows(scan: LabelledScan, roles: Uint8Array, trainRows: number, edges: readonly Float64Array[] | null, nanFill: readonly number[], target: BinTarget | null): Promise<{ min: Array<number | null>; max: Array<number | null> }> {
  const nFeatures = scan.featureNames.length;
  const min = new Float64Array(nFeatures).fill(Infinity);
  const max = new Float64Array(nFeatures).fill(-Infinity);
  if (target && (target.bins.length < trainRows * nFeatures || target.labels.length < trainRows)) throw new RangeError('the bin target is too small for the training rows');
  let position = 0;
  await eachBatch(scan.files, scan.read, scan.featureNames, (part) => {
    let inBatch = 0;
    for (let r = 0; r < part.rows; r++) if (roles[part.start + r] === ROLE_TRAIN) inBatch++;
    if (position + inBatch > trainRows) throw changedError(scan);
    for (let f = 0; f < nFeatures; f++) {
      const column = part.columns[f]!;
      const e = edges?.[f];
      const out = target && e ? target.bins.subarray(f * trainRows + position, f * trainRows + position + inBatch) : null;
      let lo = min[f]!;
      let hi = max[f]!;
      let at = 0;
      for (let r = 0; r < part.rows; r++) {
        if (roles[part.start + r] !== ROLE_TRAIN) continue;
        let v = column[r]!;
        if (Number.isFinite(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        } else if (Number.isNaN(v)) v = nanFill[f]!;
        if (out) out[at] = binOf(e!, v);
        at++;
      }
      min[f] = lo;
      max[f] = hi;
    }
    if (target) {
      let at = position;
      for (let r = 0; r < part.rows; r++) if (roles[part.start + r] === ROLE_TRAIN) target.labels[at++] = scan.labels[part.start + r]!;
    }
    position += inBatch;
  });
  if (position !== trainRows) throw changedError(scan);
  const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);
  return { min: Array.from(min, finiteOrNull), max: Array.from(max, finiteOrNull) };
}

/** Probabilities and classes of the training and the test rows, each in file order, with their labels. */
export interface ScoredRows {
  train: { proba: Float64Array; pred: Uint8Array; labels: Uint8Array };
  test: { proba: Float64Array; pred: Uint8Array; labels: Uint8Array };
}

/**
 * Pass 3: score every training and test row with `predict` (a batch's columns in the model's
 * order, non-finite values replaced by `fill`; null: as read, `predict` picks and fills them).
 * Only those rows are scored: a batch with other rows (dropped, or outside a holdout) gives
 * `predict` a copy of its wanted rows.
 */
export async function scoreRows(scan: LabelledScan, roles: Uint8Array, counts: { train: number; test: number }, fill: Parameters<typeof applyFill>[1] | null, predict: (data: Dataset) => Promise<{ proba: Float64Array; pred: Uint8Array }>): Promise<ScoredRows> {
  const make = (n: number) => ({ proba: new Float64Array(n), pred: new Uint8Array(n), labels: new Uint8Array(n) });
  const out: ScoredRows = { train: make(counts.train), test: make(counts.test) };
  const at = { train: 0, test: 0 };
  await eachBatch(scan.files, scan.read, scan.featureNames, async (part) => {
    const wanted: number[] = [];
    for (let r = 0; r < part.rows; r++) {
      const role = roles[part.start + r];
      if (role === ROLE_TRAIN || role === ROLE_TEST) wanted.push(r);
    }
    if (wanted.length === 0) return;
    const columns = wanted.length === part.rows ? part.columns : part.columns.map((column) => takeColumnRows(column, wanted));
    const { proba, pred } = await predict({ featureNames: scan.featureNames, columns: fill ? applyFill(columns, fill) : columns, labels: new Uint8Array(0), rows: wanted.length });
    wanted.forEach((r, k) => {
      const role = roles[part.start + r];
      const side = out[role === ROLE_TRAIN ? 'train' : 'test'];
      const i = at[role === ROLE_TRAIN ? 'train' : 'test']++;
      if (i >= side.proba.length) throw changedError(scan);
      side.proba[i] = proba[k]!;
      side.pred[i] = pred[k]!;
      side.labels[i] = scan.labels[part.start + r]!;
    });
  });
  if (at.train !== counts.train || at.test !== counts.test) throw changedError(scan);
  return out;
}

/** The files are read more than once: a file that changed in between is an input error, not a wrong model. */
function changedError(scan: LabelledScan): InputError {
  return new InputError(`the data changed while training (it is read three times): the rows of a later read differ from the first read's ${scan.rows}`, { file: scan.files.join(', ') });
}
