/**
 * Main side of parallel training: a Piscina pool of training workers over one shared
 * WebAssembly.Memory holding the binned training data, laid out as
 *
 *   [0, 64 KiB)   reserved
 *   bins          u8, feature-major (feature f at binsPtr + f * nRows)
 *   labels        u8, 0 or 1
 *   slot 0..S-1   a worker's private region: row statistics, row numbers, partition scratch,
 *                 candidate column addresses, node histograms (see ForestSlot)
 *
 * A task borrows a slot and hands it back, so no two running tasks share a region. With
 * workers = 0 the same task function runs inline on the calling thread.
 */
import { startPiscina, type Piscina } from '../parallel/index.js';
import { createSharedMemory, FOREST_HIST_BYTES, FOREST_ROW_STATS_BYTES, SharedMemoryLimitError, type KernelName } from '../kernels/index.js';
import { siblingModule } from '../util/index.js';
import { internalError, UsageError, errorFromWire } from '../util/index.js';
import { checkWorkers, workerBoundText } from '../parallel/index.js';
import { runTrainTask } from './train-tasks.js';
import type { ForestLayout, ForestSlot, TrainTask, TrainTaskResult, TrainWorkerData } from './train-protocol.js';
import { SlotQueue } from '../parallel/index.js';

export interface TrainPoolOptions {
  /**
   * worker threads at most, from 0 to maxWorkers() (a UsageError above it); 0 runs every task on
   * the calling thread. Threads start as tasks come (a forest of 3 trees starts at most 3).
   */
  workers: number;
  /** force a kernel (default: best available; env DRIFTCATCHER_KERNEL also forces one) */
  kernel?: KernelName;
}

export interface ForestMemoryRequest {
  nRows: number;
  nFeatures: number;
  /** most features a split looks at in one kernel call */
  maxFeatures: number;
}

const RESERVED_BYTES = 65536;
const LINE = 256;
const align = (n: number, to: number) => Math.ceil(n / to) * to;


/** Plan the shared memory of a forest: the data, then one slot per worker (at least one). */
export function planForestMemory(request: ForestMemoryRequest, slots: number): { layout: ForestLayout; slots: ForestSlot[]; bytes: number } {
  const { nRows, nFeatures, maxFeatures } = request;
  let at = RESERVED_BYTES;
  const binsPtr = at;
  at = align(at + nRows * nFeatures, LINE);
  const labelsPtr = at;
  at = align(at + nRows, LINE);
  const regions: ForestSlot[] = [];
  for (let s = 0; s < slots; s++) {
    const rowStatsPtr = at;
    at = align(at + nRows * FOREST_ROW_STATS_BYTES, LINE);
    const rowsPtr = at;
    at = align(at + nRows * 4, LINE);
    const scratchPtr = at;
    at = align(at + nRows * 4, LINE);
    const columnsPtr = at;
    at = align(at + Math.max(1, maxFeatures) * 4, LINE);
    const histPtr = at;
    at = align(at + Math.max(1, maxFeatures) * FOREST_HIST_BYTES, LINE) + LINE;
    regions.push({ rowStatsPtr, rowsPtr, scratchPtr, columnsPtr, histPtr });
  }
  return { layout: { nRows, nFeatures, binsPtr, labelsPtr }, slots: regions, bytes: at };
}

export class TrainPool {
  readonly workers: number;
  readonly memory: WebAssembly.Memory | undefined;
  readonly #kernel: KernelName | undefined;
  #piscina: Promise<Piscina> | undefined;
  #closed = false;
  readonly #queue = new SlotQueue();

  /** `memoryBytes`: size of the shared forest memory (0: a pool that only fits networks). */
  constructor(options: TrainPoolOptions, memoryBytes: number) {
    this.workers = checkWorkers(options.workers);
    this.#kernel = options.kernel;
    try {
      this.memory = memoryBytes > 0 ? createSharedMemory(memoryBytes) : undefined;
    } catch (err) {
      if (!(err instanceof SharedMemoryLimitError)) throw err;
      throw new UsageError(`training with ${this.slotCount} worker slot(s) ${err.detail}: use fewer workers (each holds statistics for every row; ${workerBoundText()}) or fewer rows`);
    }
  }

  /** the kernel forced by the options, if any */
  get kernelName(): KernelName | undefined {
    return this.#kernel;
  }

  /** Number of forest slots: one per worker (one inline). */
  get slotCount(): number {
    return Math.max(1, this.workers);
  }

  /** Make slots 0..slotCount-1 available to acquire(). */
  resetSlots(): void {
    this.#queue.reset(this.slotCount);
  }

  acquire(): Promise<number> {
    return this.#queue.acquire();
  }

  release(slot: number): void {
    this.#queue.release(slot);
  }

  /**
   * Run a task in a worker (or inline); typed errors are rebuilt from their wire form. A worker
   * that dies (exits, crashes) fails its task with an internal error saying so; a closed pool
   * runs nothing more (the tasks still queued after a failure do not start a new pool).
   */
  async run(task: TrainTask): Promise<Exclude<TrainTaskResult, { ok: false }>> {
    if (this.#closed) throw internalError('the training pool is closed');
    let result: TrainTaskResult;
    if (this.workers === 0) {
      result = await runTrainTask(task, this.memory, this.#kernel);
    } else {
      this.#piscina ??= this.#start();
      const piscina = await this.#piscina;
      try {
        result = (await piscina.run(task)) as TrainTaskResult;
      } catch (err) {
        throw internalError(`a training worker stopped during a ${task.kind} task (${err instanceof Error ? err.message : String(err)})`, err);
      }
    }
    if (!result.ok) throw errorFromWire(result.error);
    return result;
  }

  #start(): Promise<Piscina> {
    const workerData: TrainWorkerData = { kernel: this.#kernel };
    if (this.memory) workerData.memory = this.memory;
    return startPiscina(siblingModule(import.meta.url, 'train-worker'), this.workers, workerData);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const piscina = this.#piscina;
    this.#piscina = undefined;
    if (piscina) await (await piscina).destroy();
  }
}
