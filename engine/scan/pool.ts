/**
 * Main side of the parallel engine: one Piscina pool and one shared WebAssembly.Memory that the
 * workers bin into. The memory is laid out per bin plan:
 *
 *   [0, 64 KiB)        reserved
 *   edges              every feature's edges, f64
 *   slot 0..S-1        u32 counters (padded to 256 bytes, then a 256-byte gap so that two
 *                      workers' counters never share a cache line), an f64 column block, a
 *                      scratch room (a CSV column map), a 4 MiB region file bytes are read into,
 *                      the extra region (slotBytes) and, with tails, two f64 tail sums a feature
 *
 * A task borrows a slot, writes only there, and hands it back; the main side reads the counters
 * in place. With workers = 0 the same task functions run inline on the calling thread.
 */
import { startPiscina, type Piscina } from '../parallel/index.js';
import { createSharedMemory, ensureMemory, loadBinKernel, countSlots, SharedMemoryLimitError, type BinKernel, type KernelName } from '../kernels/index.js';
import { siblingModule } from '../util/index.js';
import { UsageError, errorFromWire, internalError } from '../util/index.js';
import { workerBoundText } from '../parallel/index.js';
import { runTask } from './tasks.js';
import { SlotQueue } from '../parallel/index.js';
import { resolvePoolOptions, SCAN_DEFAULTS, type PoolOptions } from './defaults.js';
import { SCRATCH_BYTES, type MemoryPlan, type ProfilePass, type SlotAddress, type Task, type TaskOk, type TaskResult, type WorkerData } from './protocol.js';

const RESERVED_BYTES = 65536;
const LINE = 256;

const align = (n: number, to: number) => Math.ceil(n / to) * to;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/** What a plan holds besides the edges (ScanPool.prepare). */
export interface PoolPrepareOptions {
  /** sum each feature's tails beyond its outer edges (Histograms.tails) */
  tails?: boolean;
  /** a pass of the streaming baseline instead of bin counts (MemoryPlan.profile) */
  profile?: ProfilePass;
  /** bytes of each slot's extra region (SlotAddress.extraPtr) */
  slotBytes?: number;
  /** bytes of a region all slots share (MemoryPlan.sharedPtr) */
  sharedBytes?: number;
  /** bytes of a second shared region, after the slots (MemoryPlan.tailPtr): room whose pages are touched only as it fills leaves the slots where an earlier plan's were */
  tailBytes?: number;
}

export class ScanPool {
  readonly workers: number;
  readonly blockRows: number;
  readonly #slotCount: number;
  readonly memory: WebAssembly.Memory;
  readonly #kernelChoice: KernelName | undefined;
  #piscina: Promise<Piscina> | undefined;
  #threadsStarted = 0;
  #inlineKernel: BinKernel | undefined;
  #plan: MemoryPlan | undefined;
  #slots: SlotAddress[] = [];
  readonly #queue = new SlotQueue();

  constructor(options: PoolOptions = {}) {
    const resolved = resolvePoolOptions(options);
    this.workers = resolved.workers;
    this.blockRows = resolved.blockRows;
    this.#slotCount = resolved.slots;
    this.#kernelChoice = resolved.kernel;
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

  /** Number of slots (PoolOptions.slots): by default one per worker, plus one so the main side can fill a block ahead. */
  get slotCount(): number {
    return this.#slotCount;
  }

  /**
   * Lay out the memory for one set of per-feature edges and write the edges. With `tails`, tasks
   * also sum each feature's values beyond its outer edges (Histograms.tails).
   */
  prepare(edges: readonly Float64Array[], options: PoolPrepareOptions = {}): MemoryPlan {
    if (!this.#queue.idle(this.#slots.length)) throw internalError('prepare() while tasks are running');
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
    const sharedPtr = at;
    at = align(at + (options.sharedBytes ?? 0), LINE);
    const extraBytes = align(options.slotBytes ?? 0, LINE);
    const countsBytes = align(counters * 4, LINE) + LINE;
    const columnsBytes = align(this.blockRows * nFeatures * 8, LINE);
    const readBytes = SCAN_DEFAULTS.readBufferBytes;
    const tailsBytes = options.tails ? align(nFeatures * 16, LINE) : 0;
    this.#slots = [];
    for (let s = 0; s < this.slotCount; s++) {
      const columnsPtr = at + countsBytes;
      const scratchPtr = columnsPtr + columnsBytes;
      const readPtr = scratchPtr + SCRATCH_BYTES;
      const extraPtr = readPtr + readBytes;
      const tailsPtr = extraPtr + extraBytes;
      this.#slots.push({ countsPtr: at, columnsPtr, scratchPtr, scratchBytes: SCRATCH_BYTES, readPtr, readBytes, extraPtr, tailsPtr });
      at = tailsPtr + tailsBytes;
    }
    const tailPtr = align(at, LINE);
    at = tailPtr + (options.tailBytes ?? 0);
    try {
      ensureMemory(this.memory, at);
    } catch (err) {
      if (!(err instanceof SharedMemoryLimitError)) throw err;
      const tailBytes = at - tailPtr;
      const slotBytes = (tailPtr - this.#slots[0]!.countsPtr) / this.slotCount;
      const fit = Math.max(0, Math.floor((err.limitBytes - this.#slots[0]!.countsPtr - tailBytes) / slotBytes) - 1);
      const tail = tailBytes > 0 ? ` (${gib(tailBytes)} of it a region all workers share)` : '';
      throw new UsageError(`a scan of ${nFeatures} features with ${this.workers} workers needs ${gib(at)} of shared memory${tail}, more than the ${gib(err.limitBytes)} it can have: use at most ${fit} workers (${workerBoundText()})`);
    }
    const f64 = new Float64Array(this.memory.buffer);
    for (let f = 0; f < nFeatures; f++) f64.set(edges[f]!, edgesPtr[f]! >>> 3);
    this.#queue.reset(this.#slots.length);
    this.#plan = { edgesPtr, nEdges, countsOffset, countsLength: counters, blockRows: this.blockRows, tails: options.tails ?? false, profile: options.profile, sharedPtr, tailPtr };
    return this.#plan;
  }

  get plan(): MemoryPlan {
    if (!this.#plan) throw internalError('pool has no plan; call prepare() first');
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
