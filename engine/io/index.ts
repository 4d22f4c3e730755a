/**
 * engine/io: files in, Arrow RecordBatches (or a scan's counts) out. This is the area's only export.
 *
 * - Readers, one file each (csv.ts, arrow.ts, parquet.ts), registered in readers.ts: `readerFor`
 *   picks one by extension, else by the file's first bytes; each opens a file as batches and
 *   plans its scan (engine/scan runs the plan without knowing the format).
 * - `openBatches(path, options)`, `readTable(path, options)`: a file through its reader.
 * - Options and defaults (defaults.ts), the data-quality counters' layout (quality.ts), column
 *   names and feature selection (schema.ts), text lines (lines.ts), JSON-lines prediction logs
 *   (logs.ts: a log line, and the scan the workers run over log files), CSV columns for callers that
 *   want a few columns without Arrow (`readCsvColumns`).
 *
 * Nothing here loads apache-arrow up front: a CSV scan never needs it, and it is most of a short
 * run's start-up. It loads when an Arrow file is read, a Table is built or a writer is asked for.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { noDataError } from './csv.js';
import { readerFor, type FileFormat } from './readers.js';
import type { BatchStream, ColumnQuality, ReadOptions } from './types.js';

export type { BatchStream, ColumnQuality, CsvLayout, ReadOptions, Reader, ScanPlan, ScanRequest, ScanStep, ScanTarget, ScanUnitResult, UnitScanner } from './types.js';
export { IO_DEFAULTS, MAX_LINE_BYTES_LIMIT, positiveInteger, resolveMaxLineBytes, resolveReadOptions, type ResolvedReadOptions } from './defaults.js';
export { QUALITY, QUALITY_FIELDS, addQuality, clearQuality, emptyQuality, nonFiniteCount, qualityIndex, qualityOf } from './quality.js';
export { DEFAULT_LABEL, normaliseNames, resolveFeatures, columnMapOf, LABEL_SLOT, SKIP_SLOT, textSlot } from './schema.js';
export type { FeatureSelection, ResolvedFeatures } from './schema.js';
export { READERS, FALLBACK_READER, SNIFF_BYTES, detectFormat, readerFor, readerOf, unitScannerOf, type FileFormat } from './readers.js';
export { planBatchScan } from './batch-scan.js';
export { csvReader, lineAtOffset, readCsvColumns, readCsvLayout, readCsvTable, sniffTextColumns } from './csv.js';
export type { CsvColumnsBlock, CsvColumnsRequest, CsvFileLayout, CsvTable } from './csv.js';
export { arrowReader } from './arrow.js';
export { parquetReader } from './parquet.js';
export { readTextLines, type TextLine, type TextLinesOptions } from './lines.js';
export { logsScanner, planLogScan, nonFiniteText, parseLogRecord, parseLogTime, logNumber, type LogRangeUnit, type LogScanRequest, type LogFields } from './logs.js';
export type { ArrowFileWriter, ArrowWriteOptions } from './arrow/write.js';

/** Open a data file as a stream of RecordBatches (Float64 features, then the label) through its reader. */
export function openBatches(filePath: string, options: ReadOptions = {}): BatchStream {
  return readerFor(filePath).open(filePath, options);
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
    format: stream.format as FileFormat,
    featureNames: stream.featureNames,
    quality: stream.quality(),
    rows: stream.rows,
  };
  if (stream.labelName !== undefined) read.labelName = stream.labelName;
  return read;
}

/** The Arrow IPC writer and the label field every reader emits, loaded (with apache-arrow) on first use. */
export async function loadArrowWriter(): Promise<{ createArrowFileWriter: typeof import('./arrow/write.js').createArrowFileWriter; labelField: typeof import('./arrow/stream.js').labelField }> {
  const [{ createArrowFileWriter }, { labelField }] = await Promise.all([import('./arrow/write.js'), import('./arrow/stream.js')]);
  return { createArrowFileWriter, labelField };
}
