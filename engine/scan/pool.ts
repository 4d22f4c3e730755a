/**
 * Main side of the parallel engine: one Piscina pool and one shared WebAssembly.Memory that the
 * workers bin into. The memory is laid out per bin plan:
 *
 *   [0, 64 KiB)        reserved
 *   edges              every feature's edges, f64
 *   slot 0..S-1        u32 counters (padded to 256 bytes, then a 256-byte gap so that two
 *                      workers' counters never share a cache line), an f64 column block, a CSV
 *                      column map and a 4 MiB buffer the CSV bytes are read into
 *
 * A task borrows a slot, writes only there, and hands it back; the main side reads the counters
 * in place. With workers = 0 the same task functions run inline on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { startPiscina, type Piscina } from '../parallel/index.js';
import { createSharedMemory, ensureMemory, loadBinKernel, countSlots, SharedMemoryLimitError, type BinKernel, type KernelName } from '../kernels/index.js';
import { siblingModule } from '../util/index.js';
import { UsageError, errorFromWire } from '../util/index.js';
import { checkWorkers, workerBoundText } from '../parallel/index.js';
import { runTask } from './tasks.js';
import { SlotQueue } from '../parallel/index.js';
import { MAX_MAPPED_COLUMNS, type MemoryPlan, type SlotAddress, type Task, type TaskOk, type TaskResult, type WorkerData } from './protocol.js';

export interface PoolOptions {
  /**
   * worker threads at most, from 0 to maxWorkers() (a UsageError above it); 0 runs every task on
   * the calling thread (default: available cores; scans pick by input size). Threads start as
   * tasks come, so an input of one task starts one thread however many are allowed.
   */
  workers?: number;
  /** force a kernel (default: best available; env DRIFTCATCHER_KERNEL also forces one) */
  kernel?: KernelName;
  /**
   * rows per parse block (default 2,048: the block of 78 features is 1.25 MiB, so the histogram
   * kernel reads back from cache what the parser just wrote; 8,192-row blocks, 5 MiB, were slower)
   */
  blockRows?: number;
}

const RESERVED_BYTES = 65536;
const DEFAULT_BLOCK_ROWS = 2048;
/** Bytes a CSV task reads at a time, in its slot, where the WASM scanner can see them. */
const READ_BUFFER_BYTES = 4 * 1024 * 1024;
const LINE = 256;

const align = (n: number, to: number) => Math.ceil(n / to) * to;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Input bytes below which one more worker does not pay for its start-up (~0.1 s each). */
const BYTES_PER_WORKER = 48 * 1024 * 1024;

/**
 * Workers for an input of `totalBytes` when the user did not say: one per 48 MiB up to the
 * cores, and none (inline on the calling thread) when that comes to one, since a single worker
 * is the same one thread plus its start-up.
 */
export function autoWorkers(totalBytes: number): number {
  const workers = Math.min(defaultWorkers(), Math.floor(totalBytes / BYTES_PER_WORKER));
  return workers <= 1 ? 0 : workers;
}


export class ScanPool {
  readonly workers: number;
  readonly blockRows: number;
  readonly memory: WebAssembly.Memory;
  readonly #kernelChoice: KernelName | undefined;
  #piscina: Promise<Piscina> | undefined;
  #threadsStarted = 0;
  #inlineKernel: BinKernel | undefined;
  #plan: MemoryPlan | undefined;
  #slots: SlotAddress[] = [];
  readonly #queue = new SlotQueue();

  constructor(options: PoolOptions = {}) {
    this.workers = checkWorkers(options.workers ?? defaultWorkers());
    this.blockRows = options.blockRows ?? DEFAULT_BLOCK_ROWS;
    this.#kernelChoice = options.kernel;
    this.memory = createSharedMemory(RESERVED_BYTES);
  }

  /** The kernel that runs tasks inline (also used to report which kernel is in use). */
  get inlineKernel(): BinKernel {
    this.#inlineKernel ??= loadBinKernel(this.memory, this.#kernelChoice);
    return this.#inlineKernel;
  }

  /** Worker threads started so far: at most `workers`, and no more than tasks ran at once (0 inline). */
  get threadsStarted(): number {
    return this.#threadsStarted;
  }

  /** Number of slots: one per worker, plus one so the main side can fill a block ahead. */
  get slotCount(): number {
    return Math.max(1, this.workers) + 1;
  }

  /** Lay out the memory for one set of per-feature edges and write the edges. */
  prepare(edges: readonly Float64Array[]): MemoryPlan {
    if (!this.#queue.idle(this.#slots.length)) throw new Error('prepare() while tasks are running');
    const nFeatures = edges.length;
    const edgesPtr = new Int32Array(nFeatures);
    const nEdges = new Int32Array(nFeatures);
    const countsOffset = new Int32Array(nFeatures);
    let at = RESERVED_BYTES;
    let counters = 0;
    for (let f = 0; f < nFeatures; f++) {
      edgesPtr[f] = at;
      nEdges[f] = edges[f]!.length;
      at += edges[f]!.length * 8;
      countsOffset[f] = counters;
      counters += countSlots(edges[f]!.length);
    }
    at = align(at, LINE);
    const countsBytes = align(counters * 4, LINE) + LINE;
    const columnsBytes = align(this.blockRows * nFeatures * 8, LINE);
    const columnMapBytes = MAX_MAPPED_COLUMNS * 4;
    this.#slots = [];
    for (let s = 0; s < this.slotCount; s++) {
      const columnsPtr = at + countsBytes;
      const columnMapPtr = columnsPtr + columnsBytes;
      const bytesPtr = columnMapPtr + columnMapBytes;
      this.#slots.push({ countsPtr: at, columnsPtr, columnMapPtr, bytesPtr, bytesLength: READ_BUFFER_BYTES });
      at = bytesPtr + READ_BUFFER_BYTES;
    }
    try {
      ensureMemory(this.memory, at);
    } catch (err) {
      if (!(err instanceof SharedMemoryLimitError)) throw err;
      const slotBytes = (at - this.#slots[0]!.countsPtr) / this.slotCount;
      const fit = Math.max(0, Math.floor((err.limitBytes - this.#slots[0]!.countsPtr) / slotBytes) - 1);
      throw new UsageError(`a scan of ${nFeatures} features with ${this.workers} workers needs ${gib(at)} of shared memory, more than the ${gib(err.limitBytes)} it can have: use at most ${fit} workers (${workerBoundText()})`);
    }
    const f64 = new Float64Array(this.memory.buffer);
    for (let f = 0; f < nFeatures; f++) f64.set(edges[f]!, edgesPtr[f]! >>> 3);
    this.#queue.reset(this.#slots.length);
    this.#plan = { edgesPtr, nEdges, countsOffset, countsLength: counters, blockRows: this.blockRows };
    return this.#plan;
  }

  get plan(): MemoryPlan {
    if (!this.#plan) throw new Error('pool has no plan; call prepare() first');
    return this.#plan;
  }

  slotAddress(slot: number): SlotAddress {
    return this.#slots[slot]!;
  }

  /** Borrow a slot, waiting for one to be handed back when all are in use. */
  acquire(): Promise<number> {
    return this.#queue.acquire();
  }

  release(slot: number): void {
    this.#queue.release(slot);
  }

  /** The counters a finished task left in its slot (a view: read before releasing the slot). */
  counts(slot: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, this.#slots[slot]!.countsPtr, this.plan.countsLength);
  }

  /** The f64 column block of a slot, for the main side to fill (feature f at f * blockRows). */
  columns(slot: number): Float64Array {
    const nFeatures = this.plan.nEdges.length;
    return new Float64Array(this.memory.buffer, this.#slots[slot]!.columnsPtr, this.blockRows * nFeatures);
  }

  /** Run a task in a worker (or inline); typed errors are rebuilt from their wire form. */
  async run(task: Task): Promise<TaskOk> {
    let result: TaskResult;
    if (this.workers === 0) {
      result = runTask(task, this.inlineKernel);
    } else {
      this.#piscina ??= this.#startPool();
      const piscina = await this.#piscina;
      const running = piscina.run(task);
      // Piscina starts a thread when a task finds none free, so this counts the threads it used
      this.#threadsStarted = Math.max(this.#threadsStarted, piscina.threads.length);
      result = (await running) as TaskResult;
    }
    if (!result.ok) throw errorFromWire(result.error);
    return result;
  }

  #startPool(): Promise<Piscina> {
    // a forced kernel that is not available (not built) fails here, once, as a usage error
    void this.inlineKernel;
    const workerData: WorkerData = { memory: this.memory, kernel: this.#kernelChoice };
    return startPiscina(siblingModule(import.meta.url, 'worker'), this.workers, workerData);
  }

  async close(): Promise<void> {
    const piscina = this.#piscina;
    this.#piscina = undefined;
    if (piscina) await (await piscina).destroy();
  }
}
