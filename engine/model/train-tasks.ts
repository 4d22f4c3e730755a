/**
 * The work of a training task as a plain function: the training worker calls it, and so does the
 * pool itself when it runs inline (workers = 0). Trees are grown by engine/model/tree.ts, boosted
 * trees by engine/model/gbt-boost.ts, and
 * networks fitted by engine/model/network.ts (loaded on first use, so that a forest-only worker
 * never loads TensorFlow.js): the model code lives in engine/model and this is the one place a
 * worker imports it from.
 */
import { internalError, DriftCatcherError } from '../util/index.js';
import { loadForestKernel, loadGbtKernel, type ForestKernel, type KernelName } from '../kernels/index.js';
import { growTree } from './tree.js';
import { boost } from './gbt-boost.js';
import type { TrainTask, TrainTaskResult } from './train-protocol.js';

const kernels = new WeakMap<WebAssembly.Memory, ForestKernel>();

export async function runTrainTask(task: TrainTask, memory: WebAssembly.Memory | undefined, kernelName: KernelName | undefined): Promise<TrainTaskResult> {
  try {
    if (task.kind === 'grow-tree') {
      if (!memory) throw internalError('grow-tree task without a shared memory');
      let kernel = kernels.get(memory);
      if (!kernel) {
        kernel = loadForestKernel(memory, kernelName);
        kernels.set(memory, kernel);
      }
      return { ok: true, kind: 'grow-tree', tree: growTree(kernel, task.layout, task.slot, task.params, task.treeIndex), kernel: kernel.name };
    }
    if (task.kind === 'fit-gbt') {
      // the boosting's own memory travels with the task (one task fits every tree)
      const gbt = loadGbtKernel(task.memory, kernelName);
      const forest = loadForestKernel(task.memory, gbt.name);
      return { ok: true, kind: 'fit-gbt', boosted: boost(gbt, forest, task.layout, task.params, task.fitRows, task.validationRows), kernel: gbt.name };
    }
    const { fitNetwork } = await import('./network.js');
    return { ok: true, kind: 'fit-network', weights: await fitNetwork(task.network, task.features, task.labels, task.nFeatures, task.params) };
  } catch (err) {
    if (err instanceof DriftCatcherError) return { ok: false, error: err.toWire() };
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'DC_ERR_INTERNAL', message, data: { detail: message } } };
  }
}
