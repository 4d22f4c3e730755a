/**
 * The training report kind. What a training run records: experiment `training`, the model's
 * params and test metrics under the original tool's names (and the training split's as `train_<name>`), the model, its baseline profile and
 * metrics as artifacts, and the model logged and registered as a new version of the registered
 * model with its aliases (`challenger`). Ledger first, then the server when one is configured.
 * What the CLI prints: the train and test metrics (and the candidates of `auto`) as text, or trainingJson.
 */
import { readFile } from 'node:fs/promises';
import type { TrainResult } from '../model/index.js';
import { fixed, table } from './text.js';
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

/** The JSON of a training result (snake_case, as every command's JSON): everything but the model itself, the profile by its identity. */
export function trainingJson(result: TrainResult) {
  return {
    version: result.version,
    registered_model: result.registeredModel,
    model_type: result.modelType,
    model_dir: result.modelDir,
    aliases: result.aliases,
    metrics: result.metrics,
    train_metrics: result.trainMetrics,
    params: result.params,
    data: result.data,
    candidates: result.candidates ?? null,
    selection_metric: result.selectionMetric ?? null,
    artifacts: result.artifacts,
    registry: result.registry,
    kernel: result.kernel,
    seconds: result.seconds,
    profile: { id: result.profile.id, rows: result.profile.rows, features: result.profile.features.length },
  };
}

/** The text of a training result: the version, the train and test metrics, the candidates of `auto`, the files. */
export function renderTraining(result: TrainResult): string {
  const m = result.metrics;
  const t = result.trainMetrics;
  const lines = [
    `${result.modelType} ${result.registeredModel} v${result.version} (${result.aliases.join(', ')}): ${result.data.train_rows} train / ${result.data.test_rows} test rows, ${result.data.rows_dropped_non_finite} dropped (non-finite), fit ${result.seconds.fit.toFixed(2)} s`,
    '',
    table(
      ['metric', 'train', 'test'],
      [
        ...(['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score'] as const).map((name) => [name, fixed(t[name], 6), fixed(m[name], 6)]),
        ['tp / tn / fp / fn', `${t.true_positives} / ${t.true_negatives} / ${t.false_positives} / ${t.false_negatives}`, `${m.true_positives} / ${m.true_negatives} / ${m.false_positives} / ${m.false_negatives}`],
      ],
      [false, true, true],
    ),
  ];
  if (result.candidates) {
    lines.push('', table(['candidate', 'validation roc_auc', 'validation accuracy', 'seconds'], result.candidates.map((c) => [c.model_type, fixed(c.validation_roc_auc, 6), fixed(c.validation_accuracy, 6), c.seconds.toFixed(1)]), [false, true, true, true]));
    lines.push(`kept ${result.modelType} (best ${result.selectionMetric})`);
  }
  lines.push('', `wrote ${result.artifacts.model}, ${result.artifacts.profile}, ${result.artifacts.prediction_profile}, ${result.artifacts.metrics}`);
  if (result.artifacts.mlflow_model) lines.push(`MLflow model (ONNX): ${result.artifacts.mlflow_model} (mlflow.pyfunc.load_model loads it)`);
  return lines.join('\n');
}
