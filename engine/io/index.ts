/**
 * engine/io: files in, Arrow RecordBatches out. This is the area's only export.
 *
 * - `openBatches(path, options)`: the reader for the file (by extension, else by magic bytes).
 * - `readTable(path, options)`: the whole file as one Table with its data-quality counts.
 * - CSV internals for the parallel scanner: `readCsvLayoutSync`, `CsvBlockParser`,
 *   `scanCsvRange`, `splitCsvRanges`, `lineAtOffset`.
 *
 * Nothing here loads apache-arrow or ./arrow.js up front: a CSV scan never needs them, and they
 * are most of a short run's start-up. They load when an Arrow file is read or a Table is built;
 * the Arrow IPC reader and writers themselves are imported from ./arrow.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordBatch, Table } from 'apache-arrow';
import { InputError } from '../util/index.js';
import type { ArrowBatchStream } from './arrow.js';
import { CsvBatchStream, fileError, noDataError } from './csv.js';
import type { BatchStream, ColumnQuality, ReadOptions } from './types.js';

export type { BatchStream, ColumnQuality, CsvLayout, ReadOptions, Reader } from './types.js';
export { DEFAULT_LABEL, normaliseNames, resolveFeatures, columnMapOf, LABEL_SLOT, SKIP_SLOT } from './schema.js';
export type { FeatureSelection, ResolvedFeatures } from './schema.js';
export {
  CsvBatchStream,
  CsvBlockParser,
  csvReader,
  DEFAULT_BATCH_ROWS,
  decodeText,
  DEFAULT_MAX_LINE_BYTES,
  lineAtOffset,
  noDataError,
  planCsv,
  QUALITY_COERCED,
  QUALITY_NAN,
  QUALITY_NEG_INF,
  QUALITY_POS_INF,
  READ_BLOCK_BYTES,
  readCsvLayout,
  readCsvLayoutSync,
  readCsvTable,
  resolveMaxLineBytes,
  scanCsvRange,
  sniffTextColumns,
  splitCsvRanges,
} from './csv.js';
export type { CsvFileLayout, CsvParserOptions, LayoutOptions, CsvPlan, CsvTable, ParseResult, ScanRangeOptions } from './csv.js';
export type { ArrowFileWriter, ArrowWriteOptions } from './arrow.js';

export type FileFormat = 'csv' | 'arrow' | 'parquet';

const ARROW_EXTENSIONS = new Set(['.arrow', '.ipc', '.feather', '.arrows']);

/**
 * The format of a file: `.csv`, `.arrow`/`.ipc`/`.feather`/`.arrows`, `.parquet` by extension;
 * any other name by its first bytes (Arrow magic or stream marker, `PAR1`), else CSV.
 */
export function detectFormat(filePath: string): FileFormat {
  const extension = path.extname(filePath).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (ARROW_EXTENSIONS.has(extension)) return 'arrow';
  if (extension === '.parquet') return 'parquet';
  const head = readHead(filePath, 8);
  if (isArrowIpc(head)) return 'arrow';
  if (head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1') return 'parquet';
  return 'csv';
}

/** The Arrow IPC file magic `ARROW1`, or a stream's first continuation marker 0xFFFFFFFF. */
function isArrowIpc(head: Uint8Array): boolean {
  if (head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1') return true;
  return head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
}

/**
 * Open a data file as a stream of RecordBatches (Float64 features, then the label). An Arrow
 * file's reader (./arrow.js, apache-arrow) loads when the first batch is asked for.
 */
export function openBatches(filePath: string, options: ReadOptions = {}): BatchStream {
  const format = detectFormat(filePath);
  if (format === 'parquet') throw new InputError('parquet is not supported yet', { file: filePath });
  return format === 'arrow' ? new DeferredArrowStream(filePath, options) : new CsvBatchStream(filePath, options);
}

/** An `ArrowBatchStream` made on first iteration, so that opening one loads nothing. */
class DeferredArrowStream implements BatchStream {
  readonly format = 'arrow' as const;
  readonly path: string;
  readonly options: ReadOptions;
  #stream?: ArrowBatchStream;

  constructor(filePath: string, options: ReadOptions) {
    this.path = filePath;
    this.options = options;
  }

  get rows(): number {
    return this.#stream?.rows ?? 0;
  }

  get featureNames(): string[] {
    return this.#stream?.featureNames ?? [];
  }

  get labelName(): string | undefined {
    return this.#stream?.labelName;
  }

  quality(): Map<string, ColumnQuality> {
    return this.#stream?.quality() ?? new Map();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordBatch> {
    const { ArrowBatchStream } = await import('./arrow.js');
    this.#stream = new ArrowBatchStream(this.path, this.options);
    yield* this.#stream;
  }
}

export interface TableRead {
  table: Table;
  format: FileFormat;
  featureNames: string[];
  labelName?: string;
  quality: Map<string, ColumnQuality>;
  rows: number;
}

/** Read a whole file into one Table. InputError when it has no data rows. */
export async function readTable(filePath: string, options: ReadOptions = {}): Promise<TableRead> {
  const stream = openBatches(filePath, options);
  const { Table } = await import('apache-arrow');
  const batches: RecordBatch[] = [];
  for await (const batch of stream) batches.push(batch);
  if (batches.length === 0) throw noDataError(filePath);
  const read: TableRead = {
    table: new Table(batches),
    format: stream.format,
    featureNames: stream.featureNames,
    quality: stream.quality(),
    rows: stream.rows,
  };
  if (stream.labelName !== undefined) read.labelName = stream.labelName;
  return read;
}

function readHead(filePath: string, length: number): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (err) {
    throw fileError(filePath, err);
  }
  try {
    const head = new Uint8Array(length);
    return head.subarray(0, fs.readSync(fd, head, 0, length, 0));
  } catch (err) {
    throw fileError(filePath, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** The Arrow IPC writer and the label field every reader emits, loaded (with apache-arrow) on first use. */
export async function loadArrowWriter(): Promise<Pick<typeof import('./arrow.js'), 'createArrowFileWriter' | 'labelField'>> {
  const { createArrowFileWriter, labelField } = await import('./arrow.js');
  return { createArrowFileWriter, labelField };
}
export { ArrowIpcFile, IpcType, SEGMENT_FIELDS, readSegments, valueBytes, valueKindOf } from './arrow-ipc.js';
export type { IpcBatchLayout, IpcField } from './arrow-ipc.js';
