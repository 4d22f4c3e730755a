/**
 * CSV reading, byte level.
 *
 * The hot path never builds a string for a numeric cell: digits are accumulated straight from the
 * bytes and turned into the correctly rounded double with Clinger's fast path; only rare cells
 * (more than 15-16 significant digits, large exponents) go through `Number()` on a short slice.
 *
 * Pieces, from the inside out:
 * - `CsvBlockParser.parse`: whole lines of a byte buffer -> column-major Float64 block (+ label codes).
 * - `scanCsvRange`: a byte range of a file -> blocks, synchronously (used by the parallel workers).
 * - `CsvBatchStream` / `csvReader` / `readCsvTable`: a file -> Arrow RecordBatches.
 *
 * apache-arrow is loaded on first use (when batches are built), not with this module: the
 * parallel scan imports the layout and range functions from here and never builds a batch.
 */
import * as fs from 'node:fs';
import type { Data, Dictionary, Field, Int32, RecordBatch, Schema, Table, Utf8, Vector } from 'apache-arrow';
import { InputError } from '../util/index.js';
import { CsvBlockParser, DEFAULT_BATCH_ROWS, QUALITY_COERCED, FileWindow, READ_BLOCK_BYTES, locateError, openFileHandle, openSync, readCsvLayout, type CsvFileLayout } from './csv-parse.js';
import { columnMapOf, resolveFeatures } from './schema.js';
import type { BatchStream, ColumnQuality, CsvLayout, ReadOptions, Reader } from './types.js';

export * from './csv-parse.js';
// ---------------------------------------------------------------------------------------------
// Files -> Arrow RecordBatches
// ---------------------------------------------------------------------------------------------

/** The features and label of a CSV file as the parser sees them. */
export interface CsvPlan {
  layout: CsvFileLayout;
  featureNames: string[];
  labelName?: string;
  columnMap: Int32Array;
}

/** Resolve features and label of a file (SchemaError for an unknown label or exclude name). */
export function planCsv(layout: CsvFileLayout, options: ReadOptions = {}): CsvPlan {
  const resolved = resolveFeatures(layout.names, { label: options.label, exclude: options.exclude, file: layout.file });
  const plan: CsvPlan = { layout, featureNames: resolved.featureNames, columnMap: columnMapOf(layout.names.length, resolved) };
  if (resolved.labelName !== undefined) plan.labelName = resolved.labelName;
  return plan;
}

/**
 * A CSV file as an async iterable of RecordBatches: Float64 feature columns (file order, named by
 * the normalised names) then the label as Dictionary<Int32, Utf8>. The feature buffers are the
 * parser's output blocks, handed to Arrow without copying. After iteration, `rows`, `quality()`
 * and `layout` describe what was read.
 */
export class CsvBatchStream implements BatchStream {
  readonly format = 'csv' as const;
  readonly path: string;
  readonly options: ReadOptions;
  rows = 0;
  plan?: CsvPlan;
  #parser?: CsvBlockParser;

  constructor(path: string, options: ReadOptions = {}) {
    this.path = path;
    this.options = options;
  }

  get layout(): CsvFileLayout | undefined {
    return this.plan?.layout;
  }

  get featureNames(): string[] {
    return this.plan?.featureNames ?? [];
  }

  get labelName(): string | undefined {
    return this.plan?.labelName;
  }

  /** Non-finite and coerced counts per feature (complete once iteration has finished). */
  quality(): Map<string, ColumnQuality> {
    const counts = new Map<string, ColumnQuality>();
    const parser = this.#parser;
    this.plan?.featureNames.forEach((name, slot) => {
      counts.set(name, parser ? parser.qualityOf(slot) : { nan: 0, posInf: 0, negInf: 0, coerced: 0 });
    });
    return counts;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    const layout = await readCsvLayout(this.path, { maxLineBytes: this.options.maxLineBytes });
    const plan = planCsv(layout, this.options);
    this.plan = plan;
    const nFeatures = plan.featureNames.length;
    const parser = new CsvBlockParser(layout, plan.columnMap, nFeatures, { coerce: this.options.coerce ?? false, collectLabels: plan.labelName !== undefined });
    this.#parser = parser;
    const builder = new BatchBuilder(plan, await import('apache-arrow'));
    const batchRows = Math.max(1, Math.floor(this.options.batchRows ?? DEFAULT_BATCH_ROWS));
    // A row takes at least one byte per column (commas and the line feed), which bounds the
    // rows left and keeps small files from allocating a full default-size block.
    const minRowBytes = Math.max(1, layout.names.length);

    const handle = await openFileHandle(this.path);
    try {
      const window = new FileWindow(layout, new Uint8Array(Math.min(READ_BLOCK_BYTES, Math.max(1, layout.fileSize - layout.dataStart))), layout.dataStart);
      for (;;) {
        const bytesLeft = layout.fileSize - window.fileStart - window.pos;
        if (bytesLeft <= 0) break;
        const capacity = Math.min(batchRows, Math.floor(bytesLeft / minRowBytes) + 1);
        const block = new Float64Array(nFeatures * capacity);
        const labels = plan.labelName !== undefined ? new Int32Array(capacity) : undefined;
        let rows = 0;
        while (rows < capacity) {
          const atEof = window.atEof;
          const parsed = parser.parse(window.buffer, window.pos, window.length, atEof, window.fileStart, block, rows, capacity, capacity - rows);
          if (labels && parsed.rows > 0) labels.set(parser.labelCodes.subarray(0, parsed.rows), rows);
          window.pos = parsed.next;
          rows += parsed.rows;
          if (rows === capacity || (atEof && window.pos >= window.length)) break;
          await window.read(handle);
        }
        if (rows === 0) break;
        this.rows += rows;
        yield builder.build(block, capacity, rows, labels, parser.dictionary);
      }
    } catch (err) {
      throw locateError(err, this.path);
    } finally {
      await handle.close();
    }
  }
}

type ArrowModule = typeof import('apache-arrow');

/** Builds RecordBatches with one schema for the whole stream and a growing label dictionary. */
class BatchBuilder {
  readonly schema: Schema;
  readonly #arrow: ArrowModule;
  readonly #nFeatures: number;
  readonly #labelType?: Dictionary<Utf8, Int32>;
  /** the dictionary as chunks: a batch that brings new labels adds a chunk (an IPC delta) */
  #dictionaryChunks: Data<Utf8>[] = [];
  #dictionaryLength = 0;

  constructor(plan: CsvPlan, arrow: ArrowModule) {
    const { Dictionary, Field, Float64, Int32, Schema, Utf8 } = arrow;
    this.#arrow = arrow;
    this.#nFeatures = plan.featureNames.length;
    const fields: Field[] = plan.featureNames.map((name) => new Field(name, new Float64(), false));
    if (plan.labelName !== undefined) {
      this.#labelType = new Dictionary(new Utf8(), new Int32(), 0, false);
      fields.push(new Field(plan.labelName, this.#labelType, true));
    }
    this.schema = new Schema(fields);
  }

  /** block: column-major with stride `capacity`; rows <= capacity */
  build(block: Float64Array, capacity: number, rows: number, labels: Int32Array | undefined, dictionary: readonly string[]): RecordBatch {
    const { Float64, makeData, RecordBatch, Struct } = this.#arrow;
    // A block less than half full (the last one) moves to a right-sized buffer so that a small
    // tail does not pin a whole block; otherwise each column is a view of the block.
    const stride = rows < capacity / 2 ? rows : capacity;
    const values = stride === capacity ? block : compactBlock(block, this.#nFeatures, capacity, rows);
    const children: Data[] = [];
    for (let f = 0; f < this.#nFeatures; f++) {
      children.push(makeData({ type: new Float64(), length: rows, nullCount: 0, data: values.subarray(f * stride, f * stride + rows) }));
    }
    if (this.#labelType && labels) {
      children.push(makeData({ type: this.#labelType, length: rows, nullCount: 0, data: labels.subarray(0, rows), dictionary: this.#dictionaryVector(dictionary) }));
    }
    return new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: rows, nullCount: 0, children }));
  }

  #dictionaryVector(dictionary: readonly string[]): Vector<Utf8> {
    const { Utf8, Vector, vectorFromArray } = this.#arrow;
    if (dictionary.length > this.#dictionaryLength || this.#dictionaryChunks.length === 0) {
      const added = dictionary.slice(this.#dictionaryLength);
      this.#dictionaryChunks.push(vectorFromArray(added, new Utf8()).data[0]!);
      this.#dictionaryLength = dictionary.length;
    }
    return new Vector([...this.#dictionaryChunks]);
  }
}

/** A part-filled block moved to a right-sized buffer (stride `rows`): one memcpy per column. */
function compactBlock(block: Float64Array, nFeatures: number, capacity: number, rows: number): Float64Array {
  const compact = new Float64Array(nFeatures * rows);
  for (let f = 0; f < nFeatures; f++) compact.set(block.subarray(f * capacity, f * capacity + rows), f * rows);
  return compact;
}

export const csvReader = {
  format: 'csv' as const,
  open(filePath: string, options?: ReadOptions): CsvBatchStream {
    return new CsvBatchStream(filePath, options);
  },
} satisfies Reader;

export interface CsvTable {
  table: Table;
  featureNames: string[];
  labelName?: string;
  quality: Map<string, ColumnQuality>;
  layout: CsvFileLayout;
  rows: number;
}

/** Read a whole CSV file into one Arrow Table. InputError when there are no data rows. */
export async function readCsvTable(path: string, options: ReadOptions = {}): Promise<CsvTable> {
  const { Table } = await import('apache-arrow');
  const stream = new CsvBatchStream(path, options);
  const batches: RecordBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  const plan = stream.plan!;
  if (batches.length === 0) throw noDataError(path);
  const result: CsvTable = { table: new Table(batches), featureNames: plan.featureNames, quality: stream.quality(), layout: plan.layout, rows: stream.rows };
  if (plan.labelName !== undefined) result.labelName = plan.labelName;
  return result;
}

/**
 * Columns whose first rows hold text that is not a number (ids, addresses, timestamps), so a
 * caller can suggest excluding them instead of failing on the first one. Reads at most 1 MiB;
 * a row longer than the layout's line limit is an InputError, as in every reader.
 */
export function sniffTextColumns(layout: CsvLayout, sampleRows = 100): string[] {
  const nColumns = layout.names.length;
  const everyColumn = Int32Array.from({ length: nColumns }, (_, column) => column);
  const parser = new CsvBlockParser(layout, everyColumn, nColumns, { coerce: true });
  const fd = openSync(layout.file);
  try {
    const sample = new Uint8Array(Math.min(1024 * 1024, layout.fileSize - layout.dataStart));
    const bytesRead = fs.readSync(fd, sample, 0, sample.length, layout.dataStart);
    const atEof = layout.dataStart + bytesRead >= layout.fileSize;
    parser.parse(sample, 0, bytesRead, atEof, layout.dataStart, new Float64Array(nColumns * sampleRows), 0, sampleRows, sampleRows);
  } catch (err) {
    throw locateError(err, layout.file);
  } finally {
    fs.closeSync(fd);
  }
  return layout.names.filter((_, column) => parser.quality[4 * column + QUALITY_COERCED]! > 0);
}

export function noDataError(file: string): InputError {
  return new InputError('no data rows after the header', { file });
}
