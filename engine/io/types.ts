import type { RecordBatch } from 'apache-arrow';

/** Options every reader accepts. */
export interface ReadOptions {
  /** name of the label column (default `Label`); kept as a dictionary-encoded string column */
  label?: string;
  /** column names to leave out of the features (id/time-like columns) */
  exclude?: readonly string[];
  /** rows per emitted RecordBatch (default 65,536) */
  batchRows?: number;
  /** turn non-numeric text in a feature column into NaN (counted) instead of failing */
  coerce?: boolean;
  /** count non-finite values per column while reading (default true; scans count them in the kernel) */
  countQuality?: boolean;
  /** keep the label column (default true) */
  withLabel?: boolean;
  /**
   * CSV: the longest line accepted, header or data row, in bytes without its line end (default
   * 1 MiB, `DEFAULT_MAX_LINE_BYTES`); a longer one is an InputError naming file, line and column.
   * Bounds what a reader holds in memory whatever the file contains.
   */
  maxLineBytes?: number;
}

/** Per-column data-quality counts gathered while reading. */
export interface ColumnQuality {
  nan: number;
  posInf: number;
  negInf: number;
  /** non-numeric text turned into NaN because `coerce` was set */
  coerced: number;
}

/**
 * A reader is one file in engine/io implementing this: everything downstream sees only Arrow.
 * Batches carry Float64 feature columns (file order) and, when present, the label column as
 * Dictionary<Int32, Utf8>.
 */
export interface Reader {
  readonly format: 'csv' | 'arrow' | 'parquet';
  open(path: string, options?: ReadOptions): AsyncIterable<RecordBatch>;
}

/**
 * What `Reader.open` returns: the batches, plus what was learnt while reading them. The names are
 * known once the first batch has been asked for; `rows` and `quality()` are complete after the
 * last one.
 */
export interface BatchStream extends AsyncIterable<RecordBatch> {
  readonly format: 'csv' | 'arrow' | 'parquet';
  readonly path: string;
  /** rows read so far */
  readonly rows: number;
  /** feature column names (Float64 columns of every batch, in file order) */
  readonly featureNames: string[];
  /** the label column's name when the file has one (the batches' last column) */
  readonly labelName?: string | undefined;
  /** per feature: non-finite and coerced counts */
  quality(): Map<string, ColumnQuality>;
}

/** Where the columns of a CSV file are and how its data section is laid out. */
export interface CsvLayout {
  file: string;
  /** header names as written (untrimmed) */
  rawNames: string[];
  /** trimmed, de-duplicated names (pandas rule: second `x` becomes `x.1`) */
  names: string[];
  /** byte offset of the first data row */
  dataStart: number;
  /** total size in bytes */
  fileSize: number;
  delimiter: number;
  /** the longest line accepted, in bytes without its line end (absent: DEFAULT_MAX_LINE_BYTES) */
  maxLineBytes?: number;
}
