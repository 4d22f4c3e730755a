/**
 * The training report kind. What a training run records: experiment `training`, the model's
 * params and test metrics under the original tool's names (and the training split's as `train_<name>`), the model, its baseline profile and
 * metrics as artifacts, and the model logged and registered as a new version of the registered
 * model with its aliases (`challenger`). Ledger first, then the server when one is configured.
 * What the CLI prints: the train and test metrics (and the candidates of `auto`) as text, or trainingJson.
 *
 * A search (`train --search`) is one parent run (the refitted best: its params, test metrics and
 * cross-validation score, the model) with one child run per trial (`mlflow.parentRunId`: the
 * trial's params and its fold scores; FAILED with the error when its fit failed). A training
 * that fails records a FAILED run with what was asked and the error (tag and `error.txt`).
 * A tree model's run also carries `feature_importance.svg`: the CSV's top 30 features as bars
 * (vega-lite, the HTML report's plots).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TrainOptions, TrainResult, TrialResult } from '../model/index.js';
import { fixed, table } from './text.js';
import { EXPERIMENTS, experimentName, resolveTracking, type TrackingOptions } from '../tracking/index.js';
import type { NewRun } from '../tracking/index.js';
import { recordRuns, redactor, type RecordOutcome } from '../tracking/index.js';

export async function trainingRun(result: TrainResult, experiment: string, now = new Date()): Promise<NewRun> {
  // model/train (and the training pool) loads here, so recording a drift check does not load it
  const { trainingRunRecord } = await import('../model/index.js');
  const record = trainingRunRecord(result);
  const endTime = now.getTime();
  const artifacts: Array<{ path: string; content: Buffer | string }> = await Promise.all(record.artifacts.map(async (a) => ({ path: a.path, content: await readFile(a.file) })));
  const importance = artifacts.find((a) => a.path === IMPORTANCE_CSV);
  if (importance) artifacts.push({ path: IMPORTANCE_SVG, content: await (await import('./html/plots.js')).importancePlot(parseImportanceCsv(importance.content.toString('utf8'))) });
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

const IMPORTANCE_CSV = 'feature_importance.csv';
export const IMPORTANCE_SVG = 'feature_importance.svg';

/** `rank,feature,importance` rows (the feature CSV-quoted when it needs to be) back into numbers. */
export function parseImportanceCsv(text: string): Array<{ feature: string; importance: number }> {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const feature = line.slice(line.indexOf(',') + 1, line.lastIndexOf(','));
      const unquoted = feature.startsWith('"') ? feature.slice(1, -1).replace(/""/g, '"') : feature;
      return { feature: unquoted, importance: Number(line.slice(line.lastIndexOf(',') + 1)) };
    });
}

/** The child runs of a search: one per trial, in trial order, inside the parent's time span. */
export async function trialRuns(result: TrainResult, experiment: string, parentStart: number): Promise<NewRun[]> {
  const search = result.search;
  if (!search) return [];
  const { cvMetrics } = await import('../model/index.js');
  let at = parentStart;
  return search.trials.map((trial: TrialResult) => {
    const startTime = at;
    const endTime = startTime + Math.max(1, Math.round(trial.seconds * 1000));
    at = endTime;
    const params: Record<string, string | number | boolean> = { model_type: trial.model_type, trial: trial.index, search: search.method, cv_folds: search.cv, scoring: search.scoring };
    // a searched value of null (max_depth: unlimited) is `none`, as --param spells it
    for (const [key, value] of Object.entries(trial.params)) params[key] = value ?? 'none';
    const tags: Record<string, string> = { 'driftcatcher.command': 'train', 'driftcatcher.search_trial': String(trial.index), model_type: trial.model_type, best: String(trial.index === search.best) };
    if (trial.error) Object.assign(tags, { error_code: trial.error.code, error: trial.error.message });
    return {
      experiment,
      runName: `trial-${trial.index}-${trial.model_type}`,
      startTime,
      endTime,
      status: trial.error ? 'FAILED' : 'FINISHED',
      params,
      metrics: [
        ...cvMetrics(search, trial).map((m) => ({ ...m, timestamp: endTime, step: 0 })),
        // the fold scores as one metric, a step per fold
        ...trial.fold_scores.map((value, fold) => ({ key: `cv_${search.scoring}`, value, timestamp: endTime, step: fold })),
      ],
      tags,
      artifacts: trial.error ? [{ path: 'error.txt', content: `${trial.error.code}: ${trial.error.message}\n` }] : [],
    };
  });
}

/** Record a training run (and register its model) in the ledger, then on the server if any; a search's trials as its child runs. */
export async function recordTraining(result: TrainResult, options: TrackingOptions & { now?: Date } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  const experiment = experimentName(tracking, EXPERIMENTS.training);
  const run = await trainingRun(result, experiment, options.now);
  return recordRuns(tracking, run, await trialRuns(result, experiment, run.startTime));
}

/** What a failed training was asked to do (the params of its FAILED run). */
export type FailedTrainingRequest = Pick<TrainOptions, 'data' | 'newData' | 'model' | 'search' | 'trials' | 'cv' | 'scoring' | 'param' | 'seed' | 'testSize' | 'nEstimators' | 'nonFinite' | 'workers'>;

/**
 * Record a training that failed: a FAILED run in the training experiment with what was asked
 * (params), the error's code and one-line message as tags and in `error.txt`, with any tracking
 * credentials blanked out. Ledger first, then the server, like any run.
 */
export async function recordFailedTraining(error: unknown, request: FailedTrainingRequest, options: TrackingOptions & { now?: Date; startTime?: number } = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  // the configured credentials, and the environment's even when no server is configured
  const env = options.env ?? process.env;
  const token = env['MLFLOW_TRACKING_TOKEN'];
  const password = env['MLFLOW_TRACKING_PASSWORD'];
  const fromEnv = token ? { kind: 'bearer' as const, token } : password ? { kind: 'basic' as const, username: env['MLFLOW_TRACKING_USERNAME'] ?? '', password } : null;
  const redact = redactor(tracking.server?.auth ? tracking.server : { auth: fromEnv });
  const code = (error as { code?: unknown } | null)?.code;
  const errorCode = typeof code === 'string' && code.startsWith('DC_ERR_') ? code : 'DC_ERR_INTERNAL';
  const message = redact((error instanceof Error ? error.message : String(error)).replace(/[\r\n]+/g, ' ')).slice(0, 1000);
  const endTime = (options.now ?? new Date()).getTime();
  const params: Record<string, string | number | boolean> = { model_choice: request.model ?? 'rf', data: basename(request.data) };
  const optional: Record<string, string | number | undefined> = {
    new_data: request.newData?.map((f) => basename(f)).join(',') || undefined,
    search: request.search,
    search_trials: request.trials,
    cv_folds: request.cv,
    scoring: request.scoring,
    search_params: request.param?.join(' ') || undefined,
    seed: request.seed,
    test_size: request.testSize,
    n_estimators: request.nEstimators,
    non_finite: request.nonFinite,
    workers: request.workers,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) params[key] = typeof value === 'string' ? redact(value) : value;
  const run: NewRun = {
    experiment: experimentName(tracking, EXPERIMENTS.training),
    runName: `train-${request.model ?? 'rf'}-failed`,
    startTime: options.startTime ?? endTime,
    endTime,
    status: 'FAILED',
    params,
    tags: { 'driftcatcher.command': 'train', error_code: errorCode, error: message },
    artifacts: [{ path: 'error.txt', content: `${errorCode}: ${message}\n` }],
  };
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
    search: result.search ?? null,
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
  if (result.search) {
    const s = result.search;
    const shown = s.trials.slice().sort((a, b) => (a.index === s.best ? -1 : b.index === s.best ? 1 : 0) || rankOf(b, s.greater_is_better) - rankOf(a, s.greater_is_better) || a.index - b.index).slice(0, 20);
    lines.push(
      '',
      `${s.method} search: ${s.trials.length} trial(s) x ${s.cv} folds, scoring ${s.scoring}${s.trials.length > shown.length ? ` (best ${shown.length} shown)` : ''}`,
      table(
        ['trial', 'model', 'params', `cv ${s.scoring} mean`, 'std', 'seconds'],
        shown.map((t) => [`${t.index}${t.index === s.best ? ' *' : ''}`, t.model_type, Object.entries(t.params).map(([k, v]) => `${k}=${v ?? 'none'}`).join(' '), t.error ? `failed: ${t.error.code}` : fixed(t.cv_mean, 6), fixed(t.cv_std, 6), t.seconds.toFixed(1)]),
        [false, false, false, true, true, true],
      ),
      `kept trial ${s.best} (* best cv ${s.scoring}), refitted on the training split`,
    );
  }
  lines.push('', `wrote ${result.artifacts.model}, ${result.artifacts.profile}, ${result.artifacts.prediction_profile}, ${result.artifacts.metrics}`);
  if (result.artifacts.mlflow_model) lines.push(`MLflow model (ONNX): ${result.artifacts.mlflow_model} (mlflow.pyfunc.load_model loads it)`);
  return lines.join('\n');
}

const rankOf = (t: TrialResult, greater: boolean) => (Number.isNaN(t.cv_mean) ? -Infinity : greater ? t.cv_mean : -t.cv_mean);
