import type { RecordBatch } from 'apache-arrow';
import type { KernelName } from '../kernels/index.js';
import type { InputError } from '../util/index.js';

/** Options every reader accepts (defaults: IO_DEFAULTS, filled in by resolveReadOptions). */
export interface ReadOptions {
  /** name of the label column (default `Label`, which may then be absent); kept as a dictionary-encoded string column */
  label?: string | undefined;
  /** column names to leave out of the features (id/time-like columns) */
  exclude?: readonly string[] | undefined;
  /** rows per emitted RecordBatch (default 65,536) */
  batchRows?: number | undefined;
  /** turn non-numeric text in a feature column into NaN (counted) instead of failing */
  coerce?: boolean | undefined;
  /** count non-finite values per column while reading (default true; scans count them in the kernel) */
  countQuality?: boolean | undefined;
  /** keep the label column (default true) */
  withLabel?: boolean | undefined;
  /**
   * CSV: the longest line accepted, header or data row, in bytes without its line end (default
   * 1 MiB, `IO_DEFAULTS.maxLineBytes`); a longer one is an InputError naming file, line and
   * column. Bounds what a reader holds in memory whatever the file contains.
   */
  maxLineBytes?: number | undefined;
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
 * What `Reader.open` returns: the batches (Float64 feature columns in file order, then the label
 * column, when present, as Dictionary<Int32, Utf8>), plus what was learnt while reading them.
 * The names are known once the first batch has been asked for; `rows` and `quality()` are
 * complete after the last one.
 */
export interface BatchStream extends AsyncIterable<RecordBatch> {
  /** the reader's `format` */
  readonly format: string;
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

/**
 * A reader: one file in engine/io (named after its format), registered in engine/io/readers.ts.
 * Everything downstream sees only Arrow (`open`) or the counts its scan units leave in a
 * worker's slot (`planScan` on the main side, `scanUnit` in the worker). `Unit` is the reader's
 * own description of one unit of work, a plain structured-clonable object (it crosses to the
 * worker thread in a message).
 */
export interface Reader<Unit = unknown> {
  /** the format's name: `csv`, `arrow`, ... (unique among the readers) */
  readonly format: string;
  /** file name extensions that mean this format, lower case with the dot; a name with one of them is this format whatever its bytes */
  readonly extensions: readonly string[];
  /**
   * Whether a file is this format, for a name whose extension no reader claims: `head` is its
   * first bytes (up to SNIFF_BYTES; fewer when the file is shorter), `extension` its name's
   * extension (lower case, '' for none).
   */
  sniff(path: string, head: Uint8Array, extension: string): boolean;
  /** The file as Arrow RecordBatches; opening loads and reads nothing until the first batch is asked for. */
  open(path: string, options?: ReadOptions): BatchStream;
  /** Main side of a scan: how to cut the file into units for the workers (may read the file's metadata). */
  planScan(path: string, request: ScanRequest): Promise<ScanPlan<Unit>>;
  /** Worker side of a scan: run one unit of a plan into the worker's slot (`target`). */
  scanUnit(unit: Unit, target: ScanTarget): ScanUnitResult;
  /**
   * The file's column names, normalised (trimmed, de-duplicated: `normaliseNames`), label and
   * non-feature columns included, read from its header or metadata only (no rows). A reader
   * with this and a plan that honours `ScanRequest.wholeRows` can build a streaming baseline.
   */
  columnNames?(path: string, options?: { maxLineBytes?: number | undefined }): Promise<string[]>;
  /**
   * Rows per block of a streaming baseline's passes over this format, when the default
   * (engine/profile/stream.ts BASELINE_BLOCK_ROWS) does not suit it: a Parquet worker holds a
   * decoded window of rows besides the block.
   */
  readonly baselineBlockRows?: number;
}

/**
 * The worker side of a scan without the rest of a reader: a scan that is not of a file format a
 * user names (engine/sources' JSON-lines logs), found by a worker through its `format`.
 */
export type UnitScanner<Unit = unknown> = Pick<Reader<Unit>, 'format' | 'scanUnit'>;

/** What a scan asks of a reader: counts of these features of one file, on the bin edges the pool holds. */
export interface ScanRequest {
  /** the features to count; feature f is column f of a slot's block and has its own counters */
  featureNames: readonly string[];
  /** a feature the file lacks: `error`, a SchemaError; `skip`, its counts stay zero */
  missingFeatures: 'error' | 'skip';
  /** non-numeric text in a feature column counts as NaN (coerced) instead of failing */
  coerce: boolean;
  /** the longest line accepted (CSV) */
  maxLineBytes: number;
  /** input bytes per unit, about; undefined: the reader's own default */
  unitBytes: number | undefined;
  /** rows a slot's column block holds: a `fill` step copies at most this many */
  blockRows: number;
  /**
   * The units must hand the worker whole rows: every feature of up to `blockRows` rows in the
   * slot's column block (feature f at columnsPtr + f * blockRows * 8), then `binBlock(rows)`,
   * never `binValues` (a streaming-baseline pass: its kernels need each row's every feature, for
   * the complete-row mask). CSV units always do; the Arrow IPC and Parquet plans cut their
   * batches / row groups into row slices when it is set. Every feature must be in the file.
   */
  wholeRows?: boolean | undefined;
}

/** One step of a scan plan, in file order. */
export type ScanStep<Unit> =
  /** a worker runs `reader.scanUnit(unit, ...)`; `rows`: rows the plan counted on the main side (added to the total) */
  | { read: Unit; rows?: number }
  /** the main side copies `rows` rows (at most ScanRequest.blockRows) into a slot's column block (feature f at f * stride), a worker bins them */
  | { fill: (columns: Float64Array, stride: number) => void; rows: number }
  /** wait until every step before this one has finished (a plan that reuses memory its earlier units read) */
  | { drain: true };

/**
 * How a reader scans one file: the steps, and what the scan does with their results.
 *
 * The scan runs the steps in order over the pool's slots and judges the outcomes in file order:
 * a failure is thrown unless a unit before it said `replan`; a `replan` (or steps that return
 * false, "this plan does not apply after all") drops the plan's counts and scans `fallback()`.
 */
export interface ScanPlan<Unit = unknown> {
  /** the steps in file order, made as the plan reads the file's metadata; returns false when it finds midway that it does not apply */
  steps(): AsyncGenerator<ScanStep<Unit>, boolean | void, void>;
  /** features (indexes into the request's featureNames) the file lacks: their counts are zeroed; read once the steps are done */
  absent(): readonly number[];
  /** the file's column names (normalised, the label and non-feature columns included), when the plan knows them: the drift report's data-quality check names the columns the baseline lacks */
  columns?: (() => readonly string[]) | undefined;
  /** rows the plan counted on the main side, besides those its units report; read once the steps are done */
  rows?: (() => number) | undefined;
  /**
   * Where the quality counts come from: `units`, the units' results (they tell NaN from ±Inf);
   * `bins`, the kernel's missing slot only (every non-finite value is reported as NaN).
   */
  readonly quality: 'units' | 'bins';
  /** the plan to scan instead, when this one's results cannot be used; none: `replan` is ignored */
  fallback?: (() => Promise<ScanPlan<Unit>>) | undefined;
  /** the error for a file without data rows */
  noRows(): InputError;
  /** release what the plan holds open; called once, after its steps */
  close(): void;
}

/** What a worker's slot offers a unit (byte addresses into `memory`). */
export interface ScanTarget {
  readonly memory: WebAssembly.Memory;
  /** the histogram kernel's kind: a reader may load its own kernel of the same kind over `memory` */
  readonly kernel: KernelName;
  /** a region the unit may read file bytes into (8-byte aligned) */
  readonly read: { readonly ptr: number; readonly bytes: number };
  /** room for a small table of the unit's own (a CSV column map) */
  readonly scratch: { readonly ptr: number; readonly bytes: number };
  /** the f64 column block: feature f of row k at byte columnsPtr + (f * blockRows + k) * 8 */
  readonly columnsPtr: number;
  readonly blockRows: number;
  /** bin the first `rows` rows of every feature column of the block */
  binBlock(rows: number): void;
  /** bin `n` f64 values at byte `valuesPtr` as feature `feature` */
  binValues(feature: number, valuesPtr: number, n: number): void;
}

export interface ScanUnitResult {
  /** rows the unit read (0 when the plan counts them on the main side) */
  rows: number;
  /** per feature, the QUALITY counters, when the unit counted them */
  quality?: Float64Array | undefined;
  /** this unit's results, and failures of later units, cannot be trusted: scan the plan's fallback instead */
  replan?: boolean | undefined;
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
  /** the longest line accepted, in bytes without its line end (absent: IO_DEFAULTS.maxLineBytes) */
  maxLineBytes?: number | undefined;
}
