/**
 * A batch stream made on first iteration, so that opening a file loads nothing: the readers whose
 * batches come through a heavy library (apache-arrow, hyparquet) open through this, and the
 * library's module is imported when the first batch is asked for.
 */
import type { RecordBatch } from 'apache-arrow';
import type { BatchStream, ColumnQuality, ReadOptions } from './types.js';

export class DeferredStream<Format extends string> implements BatchStream {
  readonly format: Format;
  readonly path: string;
  readonly options: ReadOptions;
  readonly #make: (path: string, options: ReadOptions) => Promise<BatchStream>;
  #stream?: BatchStream;

  /** `make`: imports the stream's module and opens the stream (called once, on first iteration) */
  constructor(format: Format, filePath: string, options: ReadOptions, make: (path: string, options: ReadOptions) => Promise<BatchStream>) {
    this.format = format;
    this.path = filePath;
    this.options = options;
    this.#make = make;
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
    this.#stream = await this.#make(this.path, this.options);
    yield* this.#stream;
  }
}
