/**
 * The Parquet reader: known by its extension and its `PAR1` magic. Its parts are in parquet/:
 * the footer and the page-by-page decoding of column chunks into f64 (decode.ts, through
 * hyparquet's page reader, loaded on first use), the scan plan (scan.ts: row groups x columns
 * decoded by the workers into their slots) and the batches through apache-arrow (stream.ts, loaded
 * when the first batch is asked for).
 *
 * Why hyparquet: measured on the bench's 225,745 x 78 file (docs/BENCHMARKS.md, "Parquet
 * decoders"), it is pure JavaScript (no native install step, unlike @duckdb/node-api, and no
 * whole-file buffer, unlike parquet-wasm's readParquet), it decodes one column chunk at a time
 * synchronously, as a scan worker's task must, and with our own page loop (values straight into
 * Float64Arrays) it is close to DuckDB's native reader and faster than parquet-wasm.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ParquetBatchStream } from './parquet/stream.js';
import { planParquetScan, scanParquetUnit, type ParquetChunksUnit } from './parquet/scan.js';
import type { BatchStream, ColumnQuality, ReadOptions, Reader } from './types.js';

export const parquetReader = {
  format: 'parquet' as const,
  extensions: ['.parquet'],
  sniff: (_path, head) => head.length >= 4 && String.fromCharCode(...head.subarray(0, 4)) === 'PAR1',
  open: (path: string, options?: ReadOptions) => new DeferredParquetStream(path, options),
  planScan: async (path, request) => planParquetScan(path, request),
  scanUnit: scanParquetUnit,
} satisfies Reader<ParquetChunksUnit>;

/** A `ParquetBatchStream` made on first iteration, so that opening one loads nothing. */
class DeferredParquetStream implements BatchStream {
  readonly format = 'parquet' as const;
  readonly path: string;
  readonly options: ReadOptions;
  #stream?: ParquetBatchStream;

  constructor(filePath: string, options: ReadOptions = {}) {
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
    const { ParquetBatchStream } = await import('./parquet/stream.js');
    this.#stream = new ParquetBatchStream(this.path, this.options);
    yield* this.#stream;
  }
}

export type { ParquetChunksUnit } from './parquet/scan.js';
