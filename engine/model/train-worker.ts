/**
 * Training worker entry (Piscina): grows trees over the shared memory handed over in workerData
 * and fits TensorFlow.js networks. Besides engine/parallel, engine/kernels and engine/io it
 * reaches engine/model (tree growing, network fitting) through train-tasks.ts. A result is one
 * tree or one set of weights: small typed arrays, cloned back.
 */
// Piscina hands its workerData option to the thread as node's own (see worker.ts)
import { workerData } from 'node:worker_threads';
import { runTrainTask } from './train-tasks.js';
import type { TrainTask, TrainTaskResult, TrainWorkerData } from './train-protocol.js';

export default function handle(task: TrainTask): Promise<TrainTaskResult> {
  const data = workerData as TrainWorkerData;
  return runTrainTask(task, data.memory, data.kernel);
}
