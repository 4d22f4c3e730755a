/**
 * The work a task does, as plain functions: the worker calls them, and so does the pool itself
 * when it runs inline (workers = 0), over the same shared memory. A `read` task hands its unit to
 * the reader (or unit scanner: JSON-lines logs) of its format (engine/io), which reads and bins it
 * through the slot's ScanTarget.
 */
import { unitScannerOf, type ScanTarget } from '../io/index.js';
import { DriftCatcherError, internalError } from '../util/index.js';
import { loadProfileKernel, type BinKernel, type KernelName, type ProfileKernel } from '../kernels/index.js';
import { profileBlock, profilePassLayout } from './profile-pass.js';
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
  const target: ScanTarget = {
    ...slotTarget(kernel, plan, slot),
    binBlock: (rows) => binBlock(kernel, plan, slot, nFeatures, rows),
    binValues: (feature, valuesPtr, n) => binColumn(kernel, plan, slot, feature, valuesPtr, n),
  };
  const result = unitScannerOf(task.format).scanUnit(task.unit, target);
  return { ok: true, rows: result.rows, replan: result.replan ?? false, quality: result.quality, tails: slotTails(kernel.memory, plan, slot), kernel: kernel.name };
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
  const target: ScanTarget = {
    ...slotTarget(kernel, plan, slot),
    binBlock: (rows) => profileBlock(profileKernel, plan, slot, layout, rows),
    binValues: () => {
      throw internalError('a streaming baseline pass needs whole rows (a reader that bins one column at a time cannot run it)');
    },
  };
  const result = unitScannerOf(task.format).scanUnit(task.unit, target);
  return { ok: true, rows: result.rows, replan: result.replan ?? false, quality: result.quality, kernel: kernel.name };
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
    profileBlock(profileKernelFor(kernel.memory, kernel.name), task.plan, task.slot, layout, task.rows);
    return { ok: true, rows: task.rows, replan: false, kernel: kernel.name };
  }
  clearCounts(kernel.memory, task.plan, task.slot);
  binBlock(kernel, task.plan, task.slot, task.plan.nEdges.length, task.rows);
  // non-finite values are counted by the kernel (missing slot); the plan says how to report them
  return { ok: true, rows: task.rows, replan: false, tails: slotTails(kernel.memory, task.plan, task.slot), kernel: kernel.name };
}

/** Bin each feature column of a block; one kernel call per column keeps the calls chunked. */
export function binBlock(kernel: BinKernel, plan: MemoryPlan, slot: SlotAddress, nFeatures: number, rows: number): void {
  if (rows === 0) return;
  const columnBytes = plan.blockRows * 8;
  for (let f = 0; f < nFeatures; f++) binColumn(kernel, plan, slot, f, slot.columnsPtr + f * columnBytes, rows);
}

/**
 * Bin n values of feature f at valuesPtr into the slot's counters; when the plan asks for tails
 * (the methods on the fine summary), the same kernel call adds the values' tail sums beyond the
 * feature's first and last edge to the slot's (assembly/histogram.ts, countBinsTails).
 */
function binColumn(kernel: BinKernel, plan: MemoryPlan, slot: SlotAddress, f: number, valuesPtr: number, n: number): void {
  const countsPtr = slot.countsPtr + plan.countsOffset[f]! * 4;
  if (plan.tails) kernel.countBinsTails(valuesPtr, n, plan.edgesPtr[f]!, plan.nEdges[f]!, countsPtr, slot.tailsPtr + f * 16);
  else kernel.countBins(valuesPtr, n, plan.edgesPtr[f]!, plan.nEdges[f]!, countsPtr);
}

/** With plan.tails, a copy of the slot's tail sums (TaskOk.tails); undefined otherwise. */
function slotTails(memory: WebAssembly.Memory, plan: MemoryPlan, slot: SlotAddress): Float64Array | undefined {
  return plan.tails ? new Float64Array(memory.buffer, slot.tailsPtr, 2 * plan.nEdges.length).slice() : undefined;
}

/** Zero the slot's counters, and its tail sums when the plan has them. */
function clearCounts(memory: WebAssembly.Memory, plan: MemoryPlan, slot: SlotAddress): void {
  new Uint32Array(memory.buffer, slot.countsPtr, plan.countsLength).fill(0);
  if (plan.tails) new Float64Array(memory.buffer, slot.tailsPtr, 2 * plan.nEdges.length).fill(0);
}
