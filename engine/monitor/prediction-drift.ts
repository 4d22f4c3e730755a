/**
 * Prediction drift of a batch (`check --predictions`, `check --prediction-column NAME`) and of a
 * predictions file (`monitor`, when its rows have no labels yet): find the model, load the
 * prediction profile `train` wrote beside it (engine/model), get the batch's y_prob (score the
 * batch with the model, or read the column that already holds the model's output), and compare
 * (engine/drift's predictionDrift, on the method API).
 */
import { SchemaError } from '../util/index.js';
import { readTable } from '../io/index.js';
import { loadModel, loadPredictionProfile, scoreFile, REGISTRY_DEFAULTS } from '../model/index.js';
import { checkDrift, predictionDrift, withPredictionDrift, type DriftReport, type PredictionDrift, type PredictionDriftOptions, type ScanOptions } from '../drift/index.js';
import type { Profile } from '../profile/index.js';

export interface PredictionCheckOptions extends PredictionDriftOptions {
  /**
   * the model, as `predict --model` names it: a registry folder (its champion, else its latest
   * version), `DIR@alias`, `DIR@version`, a version folder or a model.json (default `models`)
   */
  model?: string;
  /** a column of the batch that already holds the model's y_prob: compared as it is, the model is not run */
  predictionColumn?: string;
  coerce?: boolean;
}

/** The model a prediction check compares with, and its prediction profile (a one-line ModelError for a model without one). */
async function reference(modelRef: string | undefined) {
  const resolved = await loadModel(modelRef ?? REGISTRY_DEFAULTS.registry);
  const profile = await loadPredictionProfile(resolved.file);
  return { resolved, profile, model: { file: resolved.file, version: resolved.version?.version ?? null, model_type: resolved.model.modelType } };
}

/** Prediction drift of one batch (features, or a column of y_prob) against the model's prediction profile. */
export async function batchPredictionDrift(data: string, options: PredictionCheckOptions = {}): Promise<PredictionDrift> {
  const { resolved, profile, model } = await reference(options.model);
  const drift = (yProb: Float64Array, yPred: Uint8Array | null, source: 'model' | 'column') => ({ ...predictionDrift(profile, { yProb, yPred, file: data }, options), model, source });
  if (options.predictionColumn !== undefined) {
    const name = options.predictionColumn;
    const read = await readTable(data, { coerce: options.coerce, label: resolved.model.label }).catch((err: unknown) => {
      if (err instanceof SchemaError && err.column === resolved.model.label) return readTable(data, { coerce: options.coerce });
      throw err;
    });
    const column = read.featureNames.includes(name) ? read.table.getChild(name) : null;
    if (!column) throw new SchemaError(`no numeric column "${name}" (the prediction column) in this file`, { file: data, column: name });
    const yProb = Float64Array.from(column.toArray() as Float64Array);
    for (let r = 0; r < yProb.length; r++) {
      const p = yProb[r]!;
      if (Number.isFinite(p) && !(p >= 0 && p <= 1)) throw new SchemaError(`the prediction column must hold probabilities from 0 to 1, got ${p} in data row ${r + 1}`, { file: data, column: name });
    }
    return drift(yProb, null, 'column');
  }
  const scored = await scoreFile(resolved.model, data, { coerce: options.coerce });
  return drift(scored.proba, scored.pred, 'model');
}

/** Prediction drift of y_prob already in memory (a predictions file's), against a model's prediction profile. */
export async function predictionsDrift(file: string, yProb: Float64Array, yPred: Uint8Array | null, options: Omit<PredictionCheckOptions, 'predictionColumn' | 'coerce'> = {}): Promise<PredictionDrift> {
  const { profile, model } = await reference(options.model);
  return { ...predictionDrift(profile, { yProb, yPred, file }, options), model, source: 'column' };
}

export interface PredictionCheck extends ScanOptions {
  predictions: PredictionCheckOptions;
}

/**
 * `check --predictions`: the batch's feature drift against the baseline and its prediction drift
 * against the model's prediction profile, in one report (`prediction_drift`; drifted predictions
 * make the action at least `alert`). The drift options' method, threshold and epsilon apply to both.
 */
export async function checkDriftWithPredictions(profile: Profile, data: string, options: PredictionCheck): Promise<DriftReport> {
  // the model and its prediction profile first: a model without one fails before the scan
  const { predictions, ...scan } = options;
  const drift = await batchPredictionDrift(data, { method: scan.method, threshold: scan.threshold, epsilon: scan.epsilon, ...predictions });
  const report = await checkDrift(profile, data, scan);
  return withPredictionDrift(report, drift);
}
