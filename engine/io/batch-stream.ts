/**
 * What every reader's batch stream keeps besides its batches: the file, the options, the rows
 * read so far, the feature and label names, and per feature the non-finite and coerced counts.
 * A reader's stream extends this and sets them as it reads (engine/io/arrow/stream.ts,
 * engine/io/parquet/stream.ts).
 */
import type { RecordBatch } from 'apache-arrow';
import type { BatchStream, ColumnQuality, ReadOptions } from './types.js';

export abstract class FileBatchStream implements BatchStream {
  abstract readonly format: string;
  readonly path: string;
  readonly options: ReadOptions;
  rows = 0;
  featureNames: string[] = [];
  labelName?: string;
  /** per feature slot, filled while reading */
  protected columnQuality: ColumnQuality[] = [];

  constructor(filePath: string, options: ReadOptions = {}) {
    this.path = filePath;
    this.options = options;
  }

  quality(): Map<string, ColumnQuality> {
    return new Map(this.featureNames.map((name, slot) => [name, { ...this.columnQuality[slot]! }]));
  }

  /** Start the counts over, one zeroed entry per feature. */
  protected resetQuality(features: number): void {
    this.columnQuality = Array.from({ length: features }, () => ({ nan: 0, posInf: 0, negInf: 0, coerced: 0 }));
  }

  abstract [Symbol.asyncIterator](): AsyncIterator<RecordBatch>;
}
