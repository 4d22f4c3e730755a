/**
 * Messages between the pool (main side) and the workers, typed in one place. Bulk data never
 * travels in messages: workers read their byte ranges from disk themselves and write columns and
 * counts into the shared WebAssembly.Memory; a message carries offsets and small arrays.
 */
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
  /** also sum each feature's tails beyond its first and last edge (TaskOk.tails; the Wasserstein distance needs them) */
  tails: boolean;
  /** a pass of the streaming baseline instead of bin counts (profile-pass.ts): what a block does */
  profile?: ProfilePass | undefined;
  /** byte address of the region every slot shares (read-only in tasks): PoolPrepareOptions.sharedBytes */
  sharedPtr: number;
  /** byte address of the shared region after the slots: PoolPrepareOptions.tailBytes */
  tailPtr: number;
}

/**
 * One pass of the streaming baseline (engine/profile/stream.ts) over the slots' extra regions
 * (SlotAddress.extraPtr, laid out by profilePassLayout). `coarse`: per feature the statistics,
 * coarse histograms, exact sums and value counts; `collect`: the values of the flagged buckets
 * (into the chunks of the pool at poolPtr) and the exact sum of squared deviations.
 */
export interface ProfilePass {
  kind: 'coarse' | 'collect';
  nFeatures: number;
  /** per feature, the value table's capacity (a power of two) and its limit of distinct values (coarse) */
  tableCapacity: Int32Array;
  tableLimit: Int32Array;
  /** per feature, its buckets (the histograms' length) and its bucket map at mapsPtr + f * MAP_BYTES (shared) */
  buckets: Int32Array;
  mapsPtr: number;
  /** collect: feature f's flags (u8 per bucket) at flagsPtr + flagsOffset[f], its run index (u16 per bucket) at flagsPtr + indexOffset[f] */
  flagsOffset?: Int32Array | undefined;
  indexOffset?: Int32Array | undefined;
  /** collect: feature f's runs (f64 x 2 per selected bucket, per slot) */
  runs?: Int32Array | undefined;
  /** collect, the complete rows' subset: its run index at flagsPtr + completeIndexOffset[f], its runs */
  completeIndexOffset?: Int32Array | undefined;
  completeRuns?: Int32Array | undefined;
  /** collect: per feature, the mean and divisor of the deviations; the flags (u8 x COARSE_BUCKETS per feature) at flagsPtr */
  mean?: Float64Array | undefined;
  divisor?: Float64Array | undefined;
  /** collect: per feature, 1 where the kernel sums the deviations, 0 where the main side has them (exact value counts) */
  deviations?: Uint8Array | undefined;
  flagsPtr?: number | undefined;
  /** collect: the pool of chunks the values go to (engine/kernels writeCollectPool; in the region after the slots, MemoryPlan.tailPtr), tagged 2f (feature f, all rows) and 2f + 1 (complete rows) */
  poolPtr?: number | undefined;
}

export interface SlotAddress {
  /** byte address of this slot's u32 counters */
  countsPtr: number;
  /** byte address of this slot's column block (feature f at columnsPtr + f * blockRows * 8) */
  columnsPtr: number;
  /** byte address and size of room for a unit's small table (a CSV column map) */
  scratchPtr: number;
  scratchBytes: number;
  /** byte address and size of the region a unit reads file bytes into, where the WASM kernels see them */
  readPtr: number;
  readBytes: number;
  /** byte address of the slot's extra region (PoolPrepareOptions.slotBytes; 0 bytes unless asked for) */
  extraPtr: number;
  /** with plan.tails: byte address of the slot's f64 tail sums, two per feature (TaskOk.tails' layout), which the kernel adds to */
  tailsPtr: number;
}

/** Bytes of a slot's scratch room: a CSV column map of 4,096 columns (wider files are parsed by the JavaScript parser alone). */
export const SCRATCH_BYTES = 4096 * 4;

/**
 * Run one unit of a reader's scan plan (engine/io `Reader.scanUnit` of `format`) into the slot:
 * the unit says what to read (a CSV byte range, Arrow column segments), the worker reads it
 * from disk itself.
 */
export interface ReadTask {
  kind: 'read';
  format: string;
  unit: unknown;
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

export type Task = ReadTask | BinBlockTask;

export interface TaskOk {
  ok: true;
  rows: number;
  /** the unit's results, and failures of later units, cannot be trusted (a CSV quote seen): the plan's fallback is scanned */
  replan: boolean;
  /** per feature, the QUALITY counters, when the unit counted them */
  quality?: Float64Array | undefined;
  /** with plan.tails: per feature f, [2f] the sum of (first edge - v) over finite v below the first edge, [2f + 1] of (v - last edge) above the last */
  tails?: Float64Array | undefined;
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
