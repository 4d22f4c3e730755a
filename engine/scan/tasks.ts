/**
 * The work a task does, as plain functions: the worker calls them, and so does the pool itself
 * when it runs inline (workers = 0), over the same shared memory. A `read` task hands its unit to
 * the reader of its format (engine/io), which reads and bins it through the slot's ScanTarget.
 */
import { readerOf, type ScanTarget } from '../io/index.js';
import { DriftCatcherError } from '../util/index.js';
import type { BinKernel } from '../kernels/index.js';
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
  clearCounts(kernel.memory, plan, slot);
  const nFeatures = plan.nEdges.length;
  const target: ScanTarget = {
    memory: kernel.memory,
    kernel: kernel.name,
    read: { ptr: slot.readPtr, bytes: slot.readBytes },
    scratch: { ptr: slot.scratchPtr, bytes: slot.scratchBytes },
    columnsPtr: slot.columnsPtr,
    blockRows: plan.blockRows,
    binBlock: (rows) => binBlock(kernel, plan, slot, nFeatures, rows),
    binValues: (feature, valuesPtr, n) => kernel.countBins(valuesPtr, n, plan.edgesPtr[feature]!, plan.nEdges[feature]!, slot.countsPtr + plan.countsOffset[feature]! * 4),
  };
  const result = readerOf(task.format).scanUnit(task.unit, target);
  return { ok: true, rows: result.rows, replan: result.replan ?? false, quality: result.quality, kernel: kernel.name };
}

function runBinBlock(task: BinBlockTask, kernel: BinKernel): TaskResult {
  clearCounts(kernel.memory, task.plan, task.slot);
  binBlock(kernel, task.plan, task.slot, task.plan.nEdges.length, task.rows);
  // non-finite values are counted by the kernel (missing slot); the plan says how to report them
  return { ok: true, rows: task.rows, replan: false, kernel: kernel.name };
}

/** Bin each feature column of a block; one kernel call per column keeps the calls chunked. */
export function binBlock(kernel: BinKernel, plan: MemoryPlan, slot: SlotAddress, nFeatures: number, rows: number): void {
  if (rows === 0) return;
  const columnBytes = plan.blockRows * 8;
  for (let f = 0; f < nFeatures; f++) {
    kernel.countBins(slot.columnsPtr + f * columnBytes, rows, plan.edgesPtr[f]!, plan.nEdges[f]!, slot.countsPtr + plan.countsOffset[f]! * 4);
  }
}

function clearCounts(memory: WebAssembly.Memory, plan: MemoryPlan, slot: SlotAddress): void {
  new Uint32Array(memory.buffer, slot.countsPtr, plan.countsLength).fill(0);
}
