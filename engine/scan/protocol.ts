/**
 * Messages between the pool (main side) and the workers, typed in one place. Bulk data never
 * travels in messages: workers read their byte ranges from disk themselves and write columns and
 * counts into the shared WebAssembly.Memory; a message carries offsets and small arrays.
 */
import type { CsvLayout } from '../io/index.js';
import type { KernelName } from '../kernels/index.js';
import type { WireError } from '../util/index.js';

/** Where a bin plan lives in the shared memory. */
export interface MemoryPlan {
  /** byte address of the edges of feature f: edgesPtr[f]; nEdges[f] of them */
  edgesPtr: Int32Array;
  nEdges: Int32Array;
  /** per-slot count offsets: feature f's counters start at countsOffset[f] (u32 index into the slot's counts) */
  countsOffset: Int32Array;
  /** u32 counters per slot */
  countsLength: number;
  /** rows per parse block (the columns region holds blockRows * nFeatures f64) */
  blockRows: number;
}

export interface SlotAddress {
  /** byte address of this slot's u32 counters */
  countsPtr: number;
  /** byte address of this slot's column block (feature f at columnsPtr + f * blockRows * 8) */
  columnsPtr: number;
  /** byte address of room for a CSV column map (i32 per file column, up to MAX_MAPPED_COLUMNS) */
  columnMapPtr: number;
  /** byte address and size of the buffer CSV bytes are read into, so the WASM scanner sees them */
  bytesPtr: number;
  bytesLength: number;
}

/** Files with more columns than this are parsed by the JavaScript parser alone. */
export const MAX_MAPPED_COLUMNS = 4096;

/** Parse the lines of [start, end) of a CSV file and bin every feature. */
export interface CsvRangeTask {
  kind: 'csv-range';
  layout: CsvLayout;
  start: number;
  end: number;
  /** per file column: feature index, or -1 to skip */
  columnMap: Int32Array;
  featureNames: string[];
  coerce: boolean;
  plan: MemoryPlan;
  slot: SlotAddress;
}

/** Bin `rows` rows already copied into the slot's column block. */
export interface BinBlockTask {
  kind: 'bin-block';
  rows: number;
  plan: MemoryPlan;
  slot: SlotAddress;
}

/**
 * Bin column segments of an Arrow IPC file that the worker preads itself, straight into its
 * slot's read buffer (engine/io/arrow-ipc.ts `readSegments`): the message carries file offsets,
 * never values.
 */
export interface ArrowSegmentsTask {
  kind: 'arrow-segments';
  file: string;
  /** SEGMENT_FIELDS numbers per segment: feature, value kind, rows, values offset, validity offset (-1: no nulls) */
  segments: Float64Array;
  plan: MemoryPlan;
  slot: SlotAddress;
}

export type Task = CsvRangeTask | BinBlockTask | ArrowSegmentsTask;

export interface TaskOk {
  ok: true;
  rows: number;
  /** a `"` was seen: byte-range cut points may have fallen inside quoted fields */
  quoteSeen: boolean;
  /** per feature: nan, posInf, negInf, coerced */
  quality: Float64Array;
  kernel: KernelName;
}

export interface TaskFailed {
  ok: false;
  error: WireError;
}

export type TaskResult = TaskOk | TaskFailed;

export interface WorkerData {
  memory: WebAssembly.Memory;
  kernel?: KernelName;
}
