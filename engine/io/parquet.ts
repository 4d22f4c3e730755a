/**
 * The Parquet reader: known by its extension and its `PAR1` magic. Its parts are in parquet/:
 * the footer and the page-by-page decoding of column chunks into f64 (decode.ts, through
 * hyparquet's page reader, loaded on first use), the scan plan (scan.ts: row groups x columns
 * decoded by the workers into their slots) and the batches through apache-arrow (stream.ts, loaded
 * when the first batch is asked for).
 *
 * Why hyparquet (docs/BENCHMARKS.md, "Parquet"): it is plain JavaScript (its snappy is WASM), so
 * nothing is built or downloaded per platform at install, unlike @duckdb/node-api's native
 * binding; it decodes one column chunk at a time and synchronously, as a scan worker's task must,
 * where DuckDB's API is asynchronous with threads of its own and parquet-wasm's `readParquet` takes
 * the whole file as one buffer; and on the bench's 225,745 x 78 snappy file its own `parquetRead`
 * took 7.7 s against DuckDB's 6.5 s and parquet-wasm's 24.9 s (one run at load 8), before our page
 * loop (parquet/decode.ts) cut its decoding time by more than half.
 */
import { planParquetScan, scanParquetUnit, type ParquetChunksUnit } from './parquet/scan.js';
import { DeferredStream } from './deferred.js';
import { readParquetLayout } from './parquet/decode.js';
import { normaliseNames } from './schema.js';
import type { ReadOptions, Reader } from './types.js';

/** The stream of `path`'s batches: its module (hyparquet) loads with the first batch. */
const deferred = (path: string, options: ReadOptions = {}) =>
  new DeferredStream('parquet', path, options, async (file, opts) => new (await import('./parquet/stream.js')).ParquetBatchStream(file, opts));

export const parquetReader = {
  format: 'parquet' as const,
  extensions: ['.parquet'],
  sniff: (_path, head) => head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1',
  open: (path: string, options?: ReadOptions) => deferred(path, options),
  planScan: async (path, request) => planParquetScan(path, request),
  scanUnit: scanParquetUnit,
  columnNames: async (path) => normaliseNames(readParquetLayout(path).columns.map((column) => column.name)),
  // the CSV and Arrow IPC default of 16,384 rows took more time and 6 to 11 MB more peak RSS than
  // 8,192 on the bench's 2.83M-row Parquet file (docs/PROFILE.md "How a baseline is built")
  baselineBlockRows: 8192,
} satisfies Reader<ParquetChunksUnit>;


export type { ParquetChunksUnit } from './parquet/scan.js';
