/**
 * engine/scan's options and defaults, once: `PoolOptions` and `CountOptions` (all optional) ->
 * `resolvePoolOptions()` / `resolveCountOptions()` -> the resolved forms, with `SCAN_DEFAULTS`
 * under what the caller gave. Messages name the option (`blockRows: must be ...`).
 */
import { availableParallelism } from 'node:os';
import { checkWorkers } from '../parallel/index.js';
import { IO_DEFAULTS, positiveInteger, resolveMaxLineBytes } from '../io/index.js';
import type { KernelName } from '../kernels/index.js';

export const SCAN_DEFAULTS = {
  /**
   * rows per parse block: the block of 78 features is 1.25 MiB, so the histogram kernel reads
   * back from cache what the parser just wrote (8,192-row blocks, 5 MiB, were slower)
   */
  blockRows: 2048,
  /** bytes a task reads at a time into its slot, where the WASM scanner can see them */
  readBufferBytes: IO_DEFAULTS.readBlockBytes,
  /** input bytes below which one more worker does not pay for its start-up (~0.1 s each) */
  bytesPerWorker: 48 * 1024 * 1024,
  /** a baseline feature the file lacks is an error */
  missingFeatures: 'error',
  coerce: false,
  /** bytes per task: undefined, each reader's own (IO_DEFAULTS.csvRangeBytes, IO_DEFAULTS.arrowTaskBytes) */
  rangeBytes: undefined,
} as const;

export interface PoolOptions {
  /**
   * worker threads at most, from 0 to maxWorkers() (a UsageError above it); 0 runs every task on
   * the calling thread (default: available cores; scans pick by input size). Threads start as
   * tasks come, so an input of one task starts one thread however many are allowed.
   */
  workers?: number | undefined;
  /** force a kernel (default: best available; env DRIFTCATCHER_KERNEL also forces one) */
  kernel?: KernelName | undefined;
  /** rows per parse block (default SCAN_DEFAULTS.blockRows) */
  blockRows?: number | undefined;
  /**
   * slots of memory a task works in (default: one per worker plus one, so that a task can be
   * readied while every worker is busy; at least one): a pass whose slots are large (the
   * streaming baseline's histograms) takes one per worker
   */
  slots?: number | undefined;
}

export interface ResolvedPoolOptions {
  workers: number;
  kernel: KernelName | undefined;
  blockRows: number;
  slots: number;
}

export function resolvePoolOptions(options: PoolOptions = {}): ResolvedPoolOptions {
  const workers = checkWorkers(options.workers ?? defaultWorkers());
  return {
    workers,
    kernel: options.kernel,
    blockRows: positiveInteger('blockRows', options.blockRows, SCAN_DEFAULTS.blockRows),
    slots: positiveInteger('slots', options.slots, Math.max(1, workers) + 1),
  };
}

export interface CountOptions {
  coerce?: boolean | undefined;
  /**
   * bytes per task: of a CSV file's byte range (default 16 MiB), of an Arrow file's column values
   * (default 8 MiB); smaller tasks balance better, larger ones cost less
   */
  rangeBytes?: number | undefined;
  /**
   * a baseline feature the file lacks: `error` (default), a SchemaError; `skip`, its counts stay
   * zero (every slot, the missing one too), as `--compat driftcatcher` needs
   */
  missingFeatures?: 'error' | 'skip' | undefined;
  /** CSV: the longest line accepted, in bytes (ReadOptions.maxLineBytes; default 1 MiB) */
  maxLineBytes?: number | undefined;
}

export interface ResolvedCountOptions {
  coerce: boolean;
  rangeBytes: number | undefined;
  missingFeatures: 'error' | 'skip';
  maxLineBytes: number;
}

export function resolveCountOptions(options: CountOptions = {}): ResolvedCountOptions {
  return {
    coerce: options.coerce ?? SCAN_DEFAULTS.coerce,
    rangeBytes: options.rangeBytes === undefined ? SCAN_DEFAULTS.rangeBytes : positiveInteger('rangeBytes', options.rangeBytes, 1),
    missingFeatures: options.missingFeatures ?? SCAN_DEFAULTS.missingFeatures,
    maxLineBytes: resolveMaxLineBytes(options.maxLineBytes),
  };
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Workers for an input of `totalBytes` when the user did not say: one per 48 MiB up to the
 * cores, and none (inline on the calling thread) when that comes to one, since a single worker
 * is the same one thread plus its start-up.
 */
export function autoWorkers(totalBytes: number): number {
  const workers = Math.min(defaultWorkers(), Math.floor(totalBytes / SCAN_DEFAULTS.bytesPerWorker));
  return workers <= 1 ? 0 : workers;
}
