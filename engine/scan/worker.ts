/**
 * Worker entry (Piscina). Imports only engine/parallel, engine/kernels and engine/io. The kernel
 * is instantiated lazily, once per thread, over the shared memory handed over in workerData.
 */
// Piscina hands its `workerData` option to the thread as node's own workerData; importing it from
// 'piscina' would load the whole package in every worker (~40 ms of start-up)
import { workerData } from 'node:worker_threads';
import { loadBinKernel, type BinKernel } from '../kernels/index.js';
import { runTask } from './tasks.js';
import { DriftCatcherError } from '../util/index.js';
import type { Task, TaskResult, WorkerData } from './protocol.js';

let kernel: BinKernel | undefined;

export default function handle(task: Task): TaskResult {
  const data = workerData as WorkerData;
  try {
    kernel ??= loadBinKernel(data.memory, data.kernel);
  } catch (err) {
    // a forced kernel that is not built: a typed error, rebuilt as such on the main side
    if (err instanceof DriftCatcherError) return { ok: false, error: err.toWire() };
    throw err;
  }
  return runTask(task, kernel);
}
