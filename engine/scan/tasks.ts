/**
 * The work a task does, as plain functions: the worker calls them, and so does the pool itself
 * when it runs inline (workers = 0), over the same shared memory. A `read` task hands its unit to
 * the reader of its format (engine/io), which reads and bins it through the slot's ScanTarget.
 */
import { readerOf, type ScanTarget } from '../io/index.js';
import { DriftCatcherError, internalError } from '../util/index.js';
import { loadProfileKernel, type BinKernel, type KernelName, type ProfileKernel } from '../kernels/index.js';
import { Collected, profileBlock, profilePassLayout } from './profile-pass.js';
import type { BinBlockTask, MemoryPlan, ReadTask, SlotAddress, Task, TaskResult } from './protocol.js';

export function runTask(task: Task, kernel: BinKernel): TaskResult {
  try {
    switch (task.kind) {
      case 'read':
        return runRead(task, kernel);
      case 'bin-block':
        return runBinBlock(task, kernel);
    }
  } catch (err) {
    if (err instanceof DriftCatcherError) return { ok: false, error: err.toWire() };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'DC_ERR_INTERNAL', message, data: { detail: message } } };
  }
}

function runRead(task: ReadTask, kernel: BinKernel): TaskResult {
  const { plan, slot } = task;
  if (plan.profile) return runProfileRead(task, kernel);
  clearCounts(kernel.memory, plan, slot);
  const nFeatures = plan.nEdges.length;
  const tails = plan.tails ? new Float64Array(2 * nFeatures) : undefined;
  const target: ScanTarget = {
    ...slotTarget(kernel, plan, slot),
    binBlock: (rows) => binBlock(kernel, plan, slot, nFeatures, rows, tails),
    binValues: (feature, valuesPtr, n) => {
      kernel.countBins(valuesPtr, n, plan.edgesPtr[feature]!, plan.nEdges[feature]!, slot.countsPtr + plan.countsOffset[feature]! * 4);
      if (tails) addTails(kernel.memory, plan, feature, valuesPtr, n, tails);
    },
  };
  const result = readerOf(task.format).scanUnit(task.unit, target);
  return { ok: true, rows: result.rows, replan: result.replan ?? false, quality: result.quality, tails, kernel: kernel.name };
}

/** What a slot offers a unit besides what it does with a block (ScanTarget). */
function slotTarget(kernel: BinKernel, plan: MemoryPlan, slot: SlotAddress): Omit<ScanTarget, 'binBlock' | 'binValues'> {
  return {
    memory: kernel.memory,
    kernel: kernel.name,
    read: { ptr: slot.readPtr, bytes: slot.readBytes },
    scratch: { ptr: slot.scratchPtr, bytes: slot.scratchBytes },
    columnsPtr: slot.columnsPtr,
    blockRows: plan.blockRows,
  };
}

/** A unit of a streaming-baseline pass: its blocks go through the profile kernels (profile-pass.ts). */
function runProfileRead(task: ReadTask, kernel: BinKernel): TaskResult {
  const { plan, slot } = task;
  const profileKernel = profileKernelFor(kernel.memory, kernel.name);
  const layout = profilePassLayout(plan.profile!, plan.blockRows);
  const collected = plan.profile!.kind === 'collect' ? new Collected(plan.profile!.nFeatures) : undefined;
  const target: ScanTarget = {
    ...slotTarget(kernel, plan, slot),
    binBlock: (rows) => profileBlock(profileKernel, plan, slot, layout, rows, collected),
    binValues: () => {
      throw internalError('a streaming baseline pass needs whole rows (a reader that bins one column at a time cannot run it)');
    },
  };
  const result = readerOf(task.format).scanUnit(task.unit, target);
  return { ok: true, rows: result.rows, replan: result.replan ?? false, quality: result.quality, profile: collected?.result(), kernel: kernel.name };
}

/** One profile kernel per memory and kind (so per thread), loaded on first use. */
const profileKernels = new WeakMap<WebAssembly.Memory, Map<KernelName, ProfileKernel>>();
function profileKernelFor(memory: WebAssembly.Memory, kind: KernelName): ProfileKernel {
  let byKind = profileKernels.get(memory);
  if (!byKind) profileKernels.set(memory, (byKind = new Map()));
  let k = byKind.get(kind);
  if (!k) byKind.set(kind, (k = loadProfileKernel(memory, kind)));
  return k;
}

function runBinBlock(task: BinBlockTask, kernel: BinKernel): TaskResult {
  if (task.plan.profile) {
    const layout = profilePassLayout(task.plan.profile, task.plan.blockRows);
    const collected = task.plan.profile.kind === 'collect' ? new Collected(task.plan.profile.nFeatures) : undefined;
    profileBlock(profileKernelFor(kernel.memory, kernel.name), task.plan, task.slot, layout, task.rows, collected);
    return { ok: true, rows: task.rows, replan: false, profile: collected?.result(), kernel: kernel.name };
  }
  clearCounts(kernel.memory, task.plan, task.slot);
  const tails = task.plan.tails ? new Float64Array(2 * task.plan.nEdges.length) : undefined;
  binBlock(kernel, task.plan, task.slot, task.plan.nEdges.length, task.rows, tails);
  // non-finite values are counted by the kernel (missing slot); the plan says how to report them
  return { ok: true, rows: task.rows, replan: false, tails, kernel: kernel.name };
}

/** Bin each feature column of a block; one kernel call per column keeps the calls chunked. */
export function binBlock(kernel: BinKernel, plan: MemoryPlan, slot: SlotAddress, nFeatures: number, rows: number, tails?: Float64Array): void {
  if (rows === 0) return;
  const columnBytes = plan.blockRows * 8;
  for (let f = 0; f < nFeatures; f++) {
    kernel.countBins(slot.columnsPtr + f * columnBytes, rows, plan.edgesPtr[f]!, plan.nEdges[f]!, slot.countsPtr + plan.countsOffset[f]! * 4);
    if (tails) addTails(kernel.memory, plan, f, slot.columnsPtr + f * columnBytes, rows, tails);
  }
}

/**
 * Add feature f's tail sums of n values at valuesPtr: (first edge - v) over finite v below the
 * first edge, (v - last edge) over finite v above the last edge. A second, plain pass over values
 * the kernel just read (still in cache); only scans whose method needs it (Wasserstein) ask.
 */
function addTails(memory: WebAssembly.Memory, plan: MemoryPlan, f: number, valuesPtr: number, n: number, tails: Float64Array): void {
  const nEdges = plan.nEdges[f]!;
  if (nEdges === 0) return;
  const edges = new Float64Array(memory.buffer, plan.edgesPtr[f]!, nEdges);
  const first = edges[0]!;
  const last = edges[nEdges - 1]!;
  const values = new Float64Array(memory.buffer, valuesPtr, n);
  let below = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // NaN compares false both ways; infinities are not finite and are left to the missing slot
    if (v < first) {
      if (v !== -Infinity) below += first - v;
    } else if (v > last && v !== Infinity) above += v - last;
  }
  tails[2 * f]! += below;
  tails[2 * f + 1]! += above;
}

function clearCounts(memory: WebAssembly.Memory, plan: MemoryPlan, slot: SlotAddress): void {
  new Uint32Array(memory.buffer, slot.countsPtr, plan.countsLength).fill(0);
}
