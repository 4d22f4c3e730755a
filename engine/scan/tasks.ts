/**
 * The work a task does, as plain functions: the worker calls them, and so does the pool itself
 * when it runs inline (workers = 0), over the same shared memory.
 */
import { CsvBlockParser, scanCsvRange, type CsvParserOptions } from '../io/index.js';
import { readSegments } from '../io/index.js';
import { loadCsvKernel, type CsvScanKernel } from '../kernels/index.js';
import { MAX_MAPPED_COLUMNS } from './protocol.js';
import { DriftCatcherError } from '../util/index.js';
import type { BinKernel } from '../kernels/index.js';
import type { ArrowSegmentsTask, BinBlockTask, CsvRangeTask, MemoryPlan, SlotAddress, Task, TaskResult } from './protocol.js';

export function runTask(task: Task, kernel: BinKernel): TaskResult {
  try {
    switch (task.kind) {
      case 'csv-range':
        return runCsvRange(task, kernel);
      case 'bin-block':
        return runBinBlock(task, kernel);
      case 'arrow-segments':
        return runArrowSegments(task, kernel);
    }
  } catch (err) {
    if (err instanceof DriftCatcherError) return { ok: false, error: err.toWire() };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'DC_ERR_INTERNAL', message, data: { detail: message } } };
  }
}

function runCsvRange(task: CsvRangeTask, kernel: BinKernel): TaskResult {
  const { plan, slot } = task;
  const nFeatures = task.featureNames.length;
  clearCounts(kernel.memory, plan, slot);
  const buffer = kernel.memory.buffer;
  const csvKernel = csvKernelFor(kernel);
  let accelerator: CsvParserOptions['accelerator'];
  if (csvKernel && task.columnMap.length <= MAX_MAPPED_COLUMNS) {
    new Int32Array(buffer, slot.columnMapPtr, task.columnMap.length).set(task.columnMap);
    accelerator = { kernel: csvKernel, buffer, columnMapPtr: slot.columnMapPtr };
  }
  const parser = new CsvBlockParser(task.layout, task.columnMap, nFeatures, { coerce: task.coerce, accelerator });
  const out = new Float64Array(buffer);
  const { rows } = scanCsvRange({
    readBuffer: new Uint8Array(buffer, slot.bytesPtr, slot.bytesLength),
    layout: task.layout,
    start: task.start,
    end: task.end,
    parser,
    out,
    outBase: slot.columnsPtr >>> 3,
    stride: plan.blockRows,
    onBlock: (blockRows: number) => binBlock(kernel, plan, slot, nFeatures, blockRows),
  });
  return { ok: true, rows, quoteSeen: parser.quoteSeen, quality: parser.quality, kernel: kernel.name };
}

/** One CSV scanner per histogram kernel (so per thread and memory), of the same kind. */
const csvKernels = new WeakMap<BinKernel, CsvScanKernel | null>();
function csvKernelFor(kernel: BinKernel): CsvScanKernel | null {
  if (!csvKernels.has(kernel)) csvKernels.set(kernel, kernel.name === 'js' ? null : loadCsvKernel(kernel.memory, kernel.name));
  return csvKernels.get(kernel)!;
}

function runBinBlock(task: BinBlockTask, kernel: BinKernel): TaskResult {
  const nFeatures = task.plan.nEdges.length;
  clearCounts(kernel.memory, task.plan, task.slot);
  binBlock(kernel, task.plan, task.slot, nFeatures, task.rows);
  // non-finite values are counted by the kernel (missing slot); quality is filled in by the caller
  return { ok: true, rows: task.rows, quoteSeen: false, quality: new Float64Array(4 * nFeatures), kernel: kernel.name };
}

/** Read Arrow column segments into the slot's read buffer and bin them where they landed. */
function runArrowSegments(task: ArrowSegmentsTask, kernel: BinKernel): TaskResult {
  const { plan, slot } = task;
  clearCounts(kernel.memory, plan, slot);
  const region = { buffer: kernel.memory.buffer, ptr: slot.bytesPtr, bytes: slot.bytesLength };
  readSegments(task.file, task.segments, region, (feature, valuesPtr, rows) => {
    kernel.countBins(valuesPtr, rows, plan.edgesPtr[feature]!, plan.nEdges[feature]!, slot.countsPtr + plan.countsOffset[feature]! * 4);
  });
  // rows are counted per batch on the main side; non-finite values by the kernel (missing slot)
  return { ok: true, rows: 0, quoteSeen: false, quality: new Float64Array(4 * plan.nEdges.length), kernel: kernel.name };
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
