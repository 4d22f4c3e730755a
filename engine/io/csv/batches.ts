/**
 * CSV files as blocks of rows, then as Arrow RecordBatches (apache-arrow is loaded on first
 * use, when batches are built, not with this module), and as plain columns for callers that
 * want a few columns without Arrow (prediction logs).
 */
import * as fs from 'node:fs';
import type { Data, Dictionary, Field, Int32, RecordBatch, Schema, Table, Utf8, Vector } from 'apache-arrow';
import { InputError, SchemaError } from '../../util/index.js';
import { resolveReadOptions, positiveInteger, IO_DEFAULTS } from '../defaults.js';
import { openFileHandle, openSync } from '../files.js';
import { QUALITY, qualityIndex } from '../quality.js';
import { columnMapOf, resolveFeatures, SKIP_SLOT, textSlot } from '../schema.js';
import type { BatchStream, ColumnQuality, CsvLayout, ReadOptions } from '../types.js';
import { CsvBlockParser, type RowBlock } from './block-parser.js';
import { readCsvLayout, type CsvFileLayout } from './header.js';
import { FileWindow, locateError } from './ranges.js';

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

/** What `parseCsvFile` fills: how many feature slots and text columns, and whether row offsets are kept. */
interface BlockShape {
  nFeatures: number;
  textColumns: number;
  rowOffsets: boolean;
  /** rows per block at most */
  blockRows: number;
}

/**
 * Every data row of a CSV file through `parser`, in blocks of at most `shape.blockRows` rows
 * (stride = the block's capacity). Each block's arrays are new, so the consumer may keep them.
 * Errors are located (line numbers).
 */
async function* parseCsvFile(layout: CsvFileLayout, parser: CsvBlockParser, shape: BlockShape): AsyncGenerator<RowBlock> {
  // A row takes at least one byte per column (commas and the line feed), which bounds the
  // rows left and keeps small files from allocating a full default-size block.
  const minRowBytes = Math.max(1, layout.names.length);
  const handle = await openFileHandle(layout.file);
  try {
    const window = new FileWindow(layout, new Uint8Array(Math.min(IO_DEFAULTS.readBlockBytes, Math.max(1, layout.fileSize - layout.dataStart))), layout.dataStart);
    for (;;) {
      const bytesLeft = layout.fileSize - window.fileStart - window.pos;
      if (bytesLeft <= 0) break;
      const capacity = Math.min(shape.blockRows, Math.floor(bytesLeft / minRowBytes) + 1);
      const block: RowBlock = {
        values: new Float64Array(shape.nFeatures * capacity),
        base: 0,
        stride: capacity,
        rows: 0,
        capacity,
        text: Array.from({ length: shape.textColumns }, () => new Int32Array(capacity)),
        rowOffsets: shape.rowOffsets ? new Float64Array(capacity) : undefined,
      };
      while (block.rows < capacity) {
        const atEof = window.atEof;
        parser.parse(window, block);
        if (block.rows === capacity || (atEof && window.pos >= window.length)) break;
        await window.read(handle);
      }
      if (block.rows === 0) break;
      yield block;
    }
  } catch (err) {
    throw locateError(err, layout.file);
  } finally {
    await handle.close();
  }
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
    const options = resolveReadOptions(this.options);
    const layout = await readCsvLayout(this.path, { maxLineBytes: options.maxLineBytes });
    const plan = planCsv(layout, options);
    this.plan = plan;
    const withLabel = plan.labelName !== undefined;
    const parser = new CsvBlockParser(layout, plan.columnMap, plan.featureNames.length, { coerce: options.coerce, collectLabels: withLabel });
    this.#parser = parser;
    const builder = new BatchBuilder(plan, await import('apache-arrow'));
    const shape = { nFeatures: plan.featureNames.length, textColumns: withLabel ? 1 : 0, rowOffsets: false, blockRows: options.batchRows };
    for await (const block of parseCsvFile(layout, parser, shape)) {
      this.rows += block.rows;
      yield builder.build(block, parser.dictionary);
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

  /** A block of rows (column-major, stride = its capacity) and the label codes of its rows as one batch. */
  build(block: RowBlock, dictionary: readonly string[]): RecordBatch {
    const { Float64, makeData, RecordBatch, Struct } = this.#arrow;
    const { rows, capacity } = block;
    // A block less than half full (the last one) moves to a right-sized buffer so that a small
    // tail does not pin a whole block; otherwise each column is a view of the block.
    const stride = rows < capacity / 2 ? rows : capacity;
    const values = stride === capacity ? block.values : compactBlock(block.values, this.#nFeatures, capacity, rows);
    const children: Data[] = [];
    for (let f = 0; f < this.#nFeatures; f++) {
      children.push(makeData({ type: new Float64(), length: rows, nullCount: 0, data: values.subarray(f * stride, f * stride + rows) }));
    }
    const labels = block.text?.[0];
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

export interface CsvColumnsRequest {
  /** columns read as numbers (the feature grammar: decimal and exponent forms, inf/nan words, empty = NaN) */
  numbers?: readonly string[];
  /** columns read as text, dictionary-encoded */
  text?: readonly string[];
  /** rows per block at most (default IO_DEFAULTS.batchRows) */
  blockRows?: number;
}

/** A block of rows of the columns a `readCsvColumns` asked for. */
export interface CsvColumnsBlock {
  rows: number;
  /** per requested number column: its values, `rows` of them */
  numbers: Float64Array[];
  /** per requested text column: `rows` codes into `dictionaries[t]` (which grow as the file is read) */
  text: Int32Array[];
  dictionaries: readonly (readonly string[])[];
  /** each row's first byte's file offset, for a message about the row (`lineAtOffset` gives its line) */
  rowOffsets: Float64Array;
}

/**
 * Some columns of a CSV file, streamed in blocks: quoted fields, the line limit and one-line
 * errors as in every CSV path. The columns are named as in `layout.names` (trimmed,
 * de-duplicated); SchemaError for a name the file lacks.
 */
export async function* readCsvColumns(layout: CsvFileLayout, request: CsvColumnsRequest): AsyncGenerator<CsvColumnsBlock> {
  const numbers = request.numbers ?? [];
  const text = request.text ?? [];
  const columnMap = new Int32Array(layout.names.length).fill(SKIP_SLOT);
  const index = new Map(layout.names.map((name, column) => [name, column]));
  const place = (name: string, slot: number) => {
    const column = index.get(name);
    if (column === undefined) throw new SchemaError('column not found', { file: layout.file, column: name });
    columnMap[column] = slot;
  };
  numbers.forEach((name, slot) => place(name, slot));
  text.forEach((name, t) => place(name, textSlot(t)));
  const parser = new CsvBlockParser(layout, columnMap, numbers.length, { collectLabels: text.length > 0 });
  const shape = { nFeatures: numbers.length, textColumns: text.length, rowOffsets: true, blockRows: positiveInteger('blockRows', request.blockRows, IO_DEFAULTS.batchRows) };
  for await (const block of parseCsvFile(layout, parser, shape)) {
    const { rows, stride } = block;
    yield {
      rows,
      numbers: numbers.map((_, slot) => block.values.subarray(slot * stride, slot * stride + rows)),
      text: block.text!.map((codes) => codes.subarray(0, rows)),
      dictionaries: parser.dictionaries,
      rowOffsets: block.rowOffsets!.subarray(0, rows),
    };
  }
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
    const window = { buffer: sample, pos: 0, length: bytesRead, fileStart: layout.dataStart, atEof: layout.dataStart + bytesRead >= layout.fileSize };
    parser.parse(window, { values: new Float64Array(nColumns * sampleRows), base: 0, stride: sampleRows, rows: 0, capacity: sampleRows });
  } catch (err) {
    throw locateError(err, layout.file);
  } finally {
    fs.closeSync(fd);
  }
  return layout.names.filter((_, column) => parser.quality[qualityIndex(column, QUALITY.coerced)]! > 0);
}

export function noDataError(file: string): InputError {
  return new InputError('no data rows after the header', { file });
}

