/**
 * What a training run records: experiment `training`, the model's params and test metrics under
 * the original tool's names, the model, its baseline profile and metrics as artifacts, and the
 * model logged and registered as a new version of the registered model with its aliases
 * (`challenger`). Ledger first, then the server when one is configured.
 */
import { readFile } from 'node:fs/promises';
import type { TrainResult } from '../model/index.js';
import { EXPERIMENTS, experimentName, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import type { NewRun } from '../tracking/index.js';
import { recordRuns, type RecordOutcome } from '../tracking/index.js';

export async function trainingRun(result: TrainResult, experiment: string, now = new Date()): Promise<NewRun> {
  // model/train (and the training pool) loads here, so recording a drift check does not load it
  const { trainingRunRecord } = await import('../model/index.js');
  const record = trainingRunRecord(result);
  const endTime = now.getTime();
  const artifacts = await Promise.all(record.artifacts.map(async (a) => ({ path: a.path, content: await readFile(a.file) })));
  return {
    experiment,
    runName: record.runName,
    startTime: endTime - Math.round(result.seconds.total * 1000),
    endTime,
    params: record.params,
    metrics: record.metrics.map((m) => ({ ...m, timestamp: endTime, step: 0 })),
    tags: { ...record.tags, 'driftcatcher.command': 'train' },
    artifacts,
    models: [{ artifact_path: 'model', name: record.model.name, model_type: result.modelType, register_as: record.model.name, aliases: record.model.aliases }],
  };
}

/** Record a training run (and register its model) in the ledger, then on the server if any. */
export async function recordTraining(result: TrainResult, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const run = await trainingRun(result, experimentName(tracking, EXPERIMENTS.training), options.now);
  return recordRuns(tracking, run, []);
}
