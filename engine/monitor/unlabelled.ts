/**
 * `monitor` on predictions whose labels are not known yet (no y_true): no metric can be computed,
 * but the model's output can be watched. Their y_prob and predicted positive rate are compared
 * with the prediction profile of the registry's champion (else its latest version), which
 * `train` wrote beside the model (seed 004's "probability distribution drift, prediction rate
 * shifts"). Drifted predictions recommend `alert`: the model sees something other than what it
 * was tested on, and labels are what tells whether it is still right.
 */
import { InputError } from '../util/index.js';
import { REGISTRY_DEFAULTS } from '../model/index.js';
import type { Action, PredictionDrift, PredictionDriftOptions, SmallSample } from '../drift/index.js';
import { readPredictionsMaybeUnlabelled, type Predictions, type UnlabelledPredictions } from './predictions.js';
import { evaluatePerformance, type MonitorOptions, type PerformanceReport } from './performance.js';
import { predictionsDrift } from './prediction-drift.js';

export interface PredictionMonitorReport {
  file: string;
  format: Predictions['format'];
  rows: number;
  /** always false: these rows have no y_true */
  labelled: false;
  /** rows the model predicted positive (y_pred = 1) */
  predicted_positives: number;
  prediction_drift: PredictionDrift;
  /** `drifted` when the prediction drift is */
  status: 'stable' | 'drifted';
  action: Action;
  timestamp: string;
  small_sample: SmallSample | null;
}

export interface UnlabelledMonitorOptions extends Pick<MonitorOptions, 'registry' | 'now'>, PredictionDriftOptions {}

/** Prediction drift of unlabelled predictions against the registry's serving model. */
export async function monitorUnlabelled(predictions: UnlabelledPredictions, options: UnlabelledMonitorOptions = {}): Promise<PredictionMonitorReport> {
  if (!predictions.yProb) {
    throw new InputError('no y_true and no y_prob: without labels, monitoring compares y_prob with the model\'s prediction profile (log y_prob, or y_true for the metrics)', { file: predictions.file });
  }
  const drift = await predictionsDrift(predictions.file, predictions.yProb, predictions.yPred, { model: options.registry ?? REGISTRY_DEFAULTS.registry, method: options.method, threshold: options.threshold, epsilon: options.epsilon });
  let predictedPositives = 0;
  for (const y of predictions.yPred) predictedPositives += y;
  return {
    file: predictions.file,
    format: predictions.format,
    rows: predictions.rows,
    labelled: false,
    predicted_positives: predictedPositives,
    prediction_drift: drift,
    status: drift.drifted ? 'drifted' : 'stable',
    action: drift.action,
    timestamp: (options.now ?? new Date()).toISOString(),
    small_sample: drift.small_sample,
  };
}

/** `monitor`: labelled predictions get the performance report; predictions without labels, their prediction drift. */
export async function monitorAnyPredictions(file: string, options: MonitorOptions & PredictionDriftOptions = {}): Promise<PerformanceReport | PredictionMonitorReport> {
  const predictions = await readPredictionsMaybeUnlabelled(file);
  if (predictions.yTrue === null) return monitorUnlabelled(predictions, options);
  return evaluatePerformance(predictions, options);
}
