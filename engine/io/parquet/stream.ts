/**
 * Parquet as RecordBatches (loaded with apache-arrow when the first batch is asked for, see
 * ../parquet.ts): the same shape as every reader, Float64 feature columns in file order then the
 * label as Dictionary<Int32, Utf8>. A row group is decoded a column at a time, then cut into
 * batches of `batchRows`: memory follows the largest row group (rows x features x 8 bytes), not
 * the file.
 */
import { Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray, Field, type Data } from 'apache-arrow';
import { SchemaError } from '../../util/index.js';
import { labelField, LabelEncoder } from '../arrow/stream.js';
import { resolveReadOptions } from '../defaults.js';
import { openSync } from '../files.js';
import { normaliseNames, resolveFeatures } from '../schema.js';
import { FileBatchStream } from '../batch-stream.js';
import type { ColumnQuality } from '../types.js';
import { decodeNumericChunk, decodeTextChunk, describeType, notNumeric, readChunkBytes, readParquetLayout, type ParquetColumn, type ParquetLayout, type ValueKind } from './decode.js';
import * as fs from 'node:fs';

export class ParquetBatchStream extends FileBatchStream {
  readonly format = 'parquet' as const;

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    const file = this.path;
    const options = resolveReadOptions(this.options);
    const layout = readParquetLayout(file);
    const plan = planColumns(layout, options.label, options.exclude);
    this.featureNames = plan.featureNames;
    this.resetQuality(plan.features.length);
    const label = options.withLabel ? plan.label : undefined;
    if (plan.label) this.labelName = plan.label.name;
    const fields = plan.featureNames.map((name) => new Field(name, new Float64(), false));
    const labels = label ? new LabelEncoder() : undefined;
    const schema = new Schema(label ? [...fields, labelField(label.name)] : fields);
    const fd = openSync(file);
    try {
      for (let group = 0; group < layout.groupRows.length; group++) {
        const rows = layout.groupRows[group]!;
        if (rows === 0) continue;
        const columns = plan.features.map(({ column, name }, slot) => {
          const values = decodeNumbers(fd, layout, group, column, name);
          if (options.countQuality) countNonFinite(values, this.columnQuality[slot]!);
          return values;
        });
        const labelTexts = label ? decodeLabel(fd, layout, group, label.column, label.name) : undefined;
        for (let first = 0; first < rows; first += options.batchRows) {
          const n = Math.min(options.batchRows, rows - first);
          const children: Data[] = columns.map((values) => makeData({ type: new Float64(), length: n, nullCount: 0, data: values.subarray(first, first + n) }));
          if (labels && labelTexts) children.push(labels.encode(vectorFromArray(labelTexts.slice(first, first + n), new Utf8()).data[0]!));
          this.rows += n;
          yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

interface ColumnsPlan {
  featureNames: string[];
  features: { column: ParquetColumn; name: string }[];
  label?: { column: ParquetColumn; name: string } | undefined;
}

/** Features and label of the file; SchemaError for a feature column that is not numeric. */
function planColumns(layout: ParquetLayout, label: string | undefined, exclude: readonly string[]): ColumnsPlan {
  const names = normaliseNames(layout.columns.map((column) => column.name));
  const resolved = resolveFeatures(names, { label, exclude, file: layout.file });
  const features = resolved.featureIndex.map((index) => {
    const column = layout.columns[index]!;
    if (column.kind === undefined || column.kind === 'text') throw notNumeric(layout.file, column, names[index]!);
    return { column, name: names[index]! };
  });
  const plan: ColumnsPlan = { featureNames: resolved.featureNames, features };
  if (resolved.labelIndex >= 0) {
    const column = layout.columns[resolved.labelIndex]!;
    if (column.kind === undefined) throw new SchemaError(`label column is ${describeType(column)}, expected text or numbers`, { file: layout.file, column: resolved.labelName });
    plan.label = { column, name: resolved.labelName! };
  }
  return plan;
}

function decodeNumbers(fd: number, layout: ParquetLayout, group: number, column: ParquetColumn, name: string): Float64Array {
  const chunk = layout.chunk(group, column.leaf);
  const values = new Float64Array(chunk.rows);
  decodeNumericChunk(readChunkBytes(fd, layout.file, chunk), chunk, column.kind as ValueKind, values, { file: layout.file, column: name, group });
  return values;
}

function decodeLabel(fd: number, layout: ParquetLayout, group: number, column: ParquetColumn, name: string): (string | null)[] {
  if (column.kind === 'text') {
    const chunk = layout.chunk(group, column.leaf);
    return decodeTextChunk(readChunkBytes(fd, layout.file, chunk), chunk, { file: layout.file, column: name, group });
  }
  return Array.from(decodeNumbers(fd, layout, group, column, name), (value) => (Number.isNaN(value) ? null : String(value)));
}

function countNonFinite(values: Float64Array, quality: ColumnQuality): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value - value === 0) continue; // finite
    if (value !== value) quality.nan++;
    else if (value > 0) quality.posInf++;
    else quality.negInf++;
  }
}
