/**
 * Arrow IPC reading with apache-arrow (file format `ARROW1...` and stream format), loaded only
 * when an Arrow file's batches are asked for (the reader in ../arrow.ts defers it).
 *
 * Reading yields the same shape as the CSV reader: Float64 feature columns (file order) then the
 * label as Dictionary<Int32, Utf8>. Float64 columns without nulls pass through untouched; other
 * numeric types (and nulls) are converted once per batch.
 */
import type * as fs from 'node:fs';
import {
  Data,
  DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  makeData,
  makeVector,
  Precision,
  RecordBatch,
  RecordBatchReader,
  Schema,
  Struct,
  Utf8,
  Vector,
  vectorFromArray,
} from 'apache-arrow';
import { DriftCatcherError, InputError, SchemaError } from '../../util/index.js';
import { openFileHandle } from '../files.js';
import { resolveFeatures, normaliseNames } from '../schema.js';
import { FileBatchStream } from '../batch-stream.js';
import type { ColumnQuality, ReadOptions } from '../types.js';

/** An Arrow IPC file (or stream) as RecordBatches of Float64 features plus the label. */
export class ArrowBatchStream extends FileBatchStream {
  readonly format = 'arrow' as const;

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    const file = this.path;
    const handle = await openFileHandle(file);
    try {
      const reader = await openIpc(handle, file);
      const plan = planArrow(reader.schema, file, this.options);
      this.featureNames = plan.featureNames;
      if (plan.labelName !== undefined) this.labelName = plan.labelName;
      this.resetQuality(plan.featureNames.length);
      const labels = plan.labelColumn >= 0 && this.options.withLabel !== false ? new LabelEncoder() : undefined;
      if (!labels) plan.schema = new Schema(plan.schema.fields.filter((field) => field.name !== plan.labelName));
      const quality = this.options.countQuality === false ? undefined : this.columnQuality;
      for (;;) {
        let next: IteratorResult<RecordBatch>;
        try {
          next = await reader.next();
        } catch (err) {
          throw notIpc(file, err);
        }
        if (next.done) break;
        const batch = next.value;
        if (batch.numRows === 0) continue;
        this.rows += batch.numRows;
        yield convertBatch(batch, plan, labels, quality);
      }
    } finally {
      await handle.close();
    }
  }
}

/** The column names (normalised) of an Arrow IPC file or stream, from its schema message alone. */
export async function arrowColumnNames(file: string): Promise<string[]> {
  const handle = await openFileHandle(file);
  try {
    const reader = await openIpc(handle, file);
    return normaliseNames(reader.schema.fields.map((field) => field.name));
  } finally {
    await handle.close();
  }
}

async function openIpc(handle: fs.promises.FileHandle, file: string) {
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    if (!reader.schema) throw new InputError('not a readable Arrow IPC file or stream (no schema message)', { file });
    return reader;
  } catch (err) {
    throw notIpc(file, err);
  }
}

function notIpc(file: string, err: unknown): DriftCatcherError {
  if (err instanceof DriftCatcherError) return err;
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new InputError(`not a readable Arrow IPC file or stream (${reason})`, { file }, { cause: err });
}

interface ArrowPlan {
  schema: Schema;
  featureNames: string[];
  featureColumns: number[];
  labelName?: string;
  labelColumn: number;
}

/** Features and label of an IPC schema; SchemaError for a feature column that is not numeric. */
function planArrow(source: Schema, file: string, options: ReadOptions): ArrowPlan {
  const names = normaliseNames(source.fields.map((field) => field.name));
  const resolved = resolveFeatures(names, { label: options.label, exclude: options.exclude, file });
  resolved.featureIndex.forEach((column) => {
    const type = source.fields[column]!.type;
    if (!isNumeric(type)) {
      throw new SchemaError(`column is ${String(type)}, expected a number (exclude it if it is not a feature)`, { file, column: names[column] });
    }
  });
  const fields = resolved.featureNames.map((name) => new Field(name, new Float64(), false));
  const plan: ArrowPlan = { schema: new Schema(fields), featureNames: resolved.featureNames, featureColumns: resolved.featureIndex, labelColumn: resolved.labelIndex };
  if (resolved.labelName !== undefined) {
    plan.labelName = resolved.labelName;
    plan.schema = new Schema([...fields, labelField(resolved.labelName)]);
  }
  return plan;
}

/** The label column's field: Dictionary<Int32, Utf8>, as every reader emits it. */
export function labelField(name: string): Field<Dictionary<Utf8, Int32>> {
  return new Field(name, new Dictionary(new Utf8(), new Int32(), 0, false), true);
}

function isNumeric(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type);
}

function convertBatch(batch: RecordBatch, plan: ArrowPlan, labels: LabelEncoder | undefined, quality: ColumnQuality[] | undefined): RecordBatch {
  const columns = batch.data.children;
  const children: Data[] = plan.featureColumns.map((column, slot) => {
    const data = toFloat64(columns[column]!);
    if (quality) countNonFinite(data.values, data.offset, data.length, quality[slot]!);
    return data;
  });
  if (labels) children.push(labels.encode(columns[plan.labelColumn]!));
  return new RecordBatch(plan.schema, makeData({ type: new Struct(plan.schema.fields), length: batch.numRows, nullCount: 0, children }));
}

/** A numeric column as Float64 without nulls (null -> NaN); Float64 without nulls is reused as is. */
function toFloat64(data: Data): Data<Float64> {
  const type = data.type as DataType;
  const { length, offset } = data;
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE && data.nullCount === 0) return data as Data<Float64>;

  const values = new Float64Array(length);
  if (DataType.isFloat(type) && type.precision === Precision.HALF) {
    const vector = makeVector(data);
    for (let i = 0; i < length; i++) values[i] = vector.get(i) ?? NaN;
  } else {
    const source = (data.values as ArrayLike<number | bigint>) ?? [];
    for (let i = 0; i < length; i++) values[i] = Number(source[offset + i]!);
  }
  if (data.nullCount > 0) {
    for (let i = 0; i < length; i++) if (!data.getValid(i)) values[i] = NaN;
  }
  return makeData({ type: new Float64(), length, nullCount: 0, data: values });
}

function countNonFinite(values: Float64Array, offset: number, length: number, quality: ColumnQuality): void {
  for (let i = offset; i < offset + length; i++) {
    const value = values[i]!;
    if (value - value === 0) continue; // finite
    if (value !== value) quality.nan++;
    else if (value > 0) quality.posInf++;
    else quality.negInf++;
  }
}

/**
 * Label columns of any type to Dictionary<Int32, Utf8> with one dictionary for the whole stream,
 * grown by chunks (so an IPC writer emits deltas). A Utf8 dictionary column keeps its own
 * dictionary, only its indices widened to Int32.
 */
export class LabelEncoder {
  readonly type = new Dictionary(new Utf8(), new Int32(), 0, false);
  #codeOf = new Map<string, number>();
  #chunks: Data<Utf8>[] = [];
  #pending: string[] = [];

  encode(data: Data): Data<Dictionary<Utf8, Int32>> {
    const type = data.type as DataType;
    if (DataType.isDictionary(type) && DataType.isUtf8(type.dictionary) && data.dictionary) {
      const indices = data.values as ArrayLike<number | bigint>;
      const codes = DataType.isInt(type.indices) && type.indices.bitWidth === 32 && type.indices.isSigned
        ? (data.values as Int32Array).subarray(data.offset, data.offset + data.length)
        : Int32Array.from({ length: data.length }, (_, i) => Number(indices[data.offset + i]!));
      return makeData({ type: this.type, length: data.length, nullCount: data.nullCount, nullBitmap: validityOf(data), data: codes, dictionary: data.dictionary as Vector<Utf8> });
    }
    const vector = makeVector(data);
    const codes = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const value: unknown = vector.get(i);
      codes[i] = value === null || value === undefined ? 0 : this.#code(String(value));
    }
    return makeData({ type: this.type, length: data.length, nullCount: data.nullCount, nullBitmap: validityOf(data), data: codes, dictionary: this.#dictionary() });
  }

  #code(label: string): number {
    let code = this.#codeOf.get(label);
    if (code === undefined) {
      code = this.#codeOf.size;
      this.#codeOf.set(label, code);
      this.#pending.push(label);
    }
    return code;
  }

  #dictionary(): Vector<Utf8> {
    if (this.#pending.length > 0 || this.#chunks.length === 0) {
      this.#chunks.push(vectorFromArray(this.#pending, new Utf8()).data[0]!);
      this.#pending = [];
    }
    return new Vector([...this.#chunks]);
  }
}

/** The validity bitmap of `data`, re-based to offset 0 (undefined when there are no nulls). */
function validityOf(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0) return undefined;
  const bitmap = new Uint8Array((data.length + 7) >> 3);
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}
