/**
 * The CSV reader: `.csv` files, and any file no other reader claims (CSV has no magic bytes).
 * Its parts, by concern, are in csv/: the header (header.ts), numbers (numbers.ts), the block
 * parser (block-parser.ts), byte ranges (ranges.ts), batches and columns (batches.ts) and the
 * scan plan (scan.ts).
 */
import type { ReadOptions, Reader } from './types.js';
import { CsvBatchStream } from './csv/batches.js';
import { planCsvScan, scanCsvUnit, type CsvRangeUnit } from './csv/scan.js';
import { readCsvLayout } from './csv/header.js';

export const csvReader = {
  format: 'csv' as const,
  extensions: ['.csv'],
  /** CSV is what a file is when no other reader claims it (readers.ts), never by its bytes. */
  sniff: () => false,
  open: (path: string, options?: ReadOptions) => new CsvBatchStream(path, options),
  planScan: planCsvScan,
  scanUnit: scanCsvUnit,
  columnNames: async (path, options) => (await readCsvLayout(path, { maxLineBytes: options?.maxLineBytes })).names,
} satisfies Reader<CsvRangeUnit>;

export { CsvBatchStream, planCsv, readCsvColumns, readCsvTable, sniffTextColumns, noDataError } from './csv/batches.js';
export type { CsvColumnsBlock, CsvColumnsRequest, CsvPlan, CsvTable } from './csv/batches.js';
export { CsvBlockParser } from './csv/block-parser.js';
export type { ByteWindow, CsvParserOptions, RowBlock } from './csv/block-parser.js';
export { readCsvLayout, readCsvLayoutSync } from './csv/header.js';
export type { CsvFileLayout, LayoutOptions } from './csv/header.js';
export { NumberToken, parseNumber } from './csv/numbers.js';
export { FileWindow, lineAtOffset, locateError, scanCsvRange, splitCsvRanges } from './csv/ranges.js';
export type { ScanRangeOptions } from './csv/ranges.js';
export { decodeText } from './csv/text.js';
export type { CsvRangeUnit } from './csv/scan.js';
