/**
 * Prediction drift: the model's output on current data against its output on the training
 * holdout (the prediction profile `train` writes beside the model, engine/model). The
 * probabilities of the positive class (`y_prob`) are one column: they are binned on the stored
 * profile's edges (its deciles, or its fine edges for a method that needs them), and scored by the
 * same drift method API as any feature (methods/, through driftReport), so `method`, `threshold`
 * and `epsilon` mean what they mean for features. Beside the score: the predicted positive rate
 * of both sides and its change (seed 004's "prediction rate shifts").
 *
 * Its verdict contribution (docs/STATISTICS.md): prediction drift alone makes the action at
 * least `alert` (PREDICTION_DRIFT_ACTION): the model's output moved, whatever the features say,
 * and without labels nobody yet knows whether it is still right.
 */
import { countValuesInto, emptyHistograms, type Histograms } from '../scan/index.js';
import { InputError, internalError } from '../util/index.js';
import { binEdges, resolveDriftOptions, type DriftOptions } from './options.js';
import { driftReport } from './report.js';
import { driftMethod } from './methods/index.js';
import type { Action } from './decide.js';
import type { PredictionDrift } from './prediction-types.js';
import type { DriftReport } from './report.js';
import type { Profile } from '../profile/index.js';

export type { PredictionDrift } from './prediction-types.js';

/** The least action prediction drift alone leads to. */
export const PREDICTION_DRIFT_ACTION: Action = 'alert';

const STRENGTH: Record<Action, number> = { wait: 0, alert: 1, retrain: 2 };

/** A check's report with its prediction drift: the section added, the action the stronger of the features' and the predictions' (drifted predictions make at least `alert`). */
export function withPredictionDrift<R extends DriftReport>(report: R, drift: PredictionDrift): R {
  return { ...report, action: STRENGTH[drift.action] > STRENGTH[report.action] ? drift.action : report.action, prediction_drift: drift };
}

/** What prediction drift compares with: the model's prediction profile (engine/model's PredictionProfile has these fields). */
export interface PredictionReference {
  /** a one-feature profile of y_prob (version 2 for the fine methods) */
  profile: Profile;
  /** the model predicts 1 when y_prob is above this */
  threshold: number;
  rows: number;
  positive_rate: number;
  /** the split the reference predictions are of (`test`) */
  split?: string;
}

/** The current side: y_prob per row, and y_pred when the rows have it (else y_prob > threshold). */
export interface CurrentPredictions {
  yProb: Float64Array;
  yPred?: Uint8Array | null;
  /** what the report names (the batch, or the predictions file) */
  file: string;
}

/** The options of prediction drift: a drift check's method, threshold and epsilon. */
export type PredictionDriftOptions = Pick<DriftOptions, 'method' | 'threshold' | 'epsilon'>;

/** Compare current predictions with a model's prediction profile. */
export function predictionDrift(reference: PredictionReference, current: CurrentPredictions, options: PredictionDriftOptions = {}): PredictionDrift {
  const { profile } = reference;
  const feature = profile.features[0];
  if (!feature || profile.features.length !== 1) throw internalError('a prediction profile has exactly one feature');
  const rows = current.yProb.length;
  if (rows === 0) throw new InputError('no predictions to compare with the model\'s prediction profile', { file: current.file });
  const settings = resolveDriftOptions(profile, { method: options.method, threshold: options.threshold, epsilon: options.epsilon });
  const histograms = countPredictions(profile, current.yProb, binEdges(profile, settings)[0]!, settings.fine);
  const report = driftReport(profile, histograms, settings, [current.file]);
  const scored = report.features[0]!;
  let positives = 0;
  if (current.yPred) for (const y of current.yPred) positives += y;
  else for (const p of current.yProb) positives += p > reference.threshold ? 1 : 0;
  const positiveRate = positives / rows;
  return {
    column: feature.name,
    method: scored.method,
    score_kind: driftMethod(scored.method).scoreKind,
    score: scored.score,
    ...(scored.p_value !== undefined ? { p_value: scored.p_value } : {}),
    ...(scored.statistic !== undefined ? { statistic: scored.statistic } : {}),
    ...(scored.statistic_bounds !== undefined ? { statistic_bounds: scored.statistic_bounds } : {}),
    threshold: report.settings.thresholds[scored.method] ?? report.settings.threshold,
    drifted: scored.drifted,
    expected: scored.expected,
    actual: scored.actual,
    reference: { rows: reference.rows, positive_rate: reference.positive_rate, split: reference.split ?? null, profile_id: profile.id },
    current: { file: current.file, rows, positive_rate: positiveRate, non_finite: scored.non_finite },
    positive_rate_change: positiveRate - reference.positive_rate,
    decision_threshold: reference.threshold,
    action: scored.drifted ? PREDICTION_DRIFT_ACTION : 'wait',
    small_sample: report.small_sample,
  };
}

/**
 * The histogram of one column on sorted `edges`, laid out as the scan's kernel counts it
 * (engine/scan's count slots: values with j edges at or below them, then the non-finite values,
 * then the values equal to the last edge), with the tails beyond the outer edges when asked.
 */
function countPredictions(profile: Profile, values: Float64Array, edges: Float64Array, tails: boolean): Histograms {
  const histograms = emptyHistograms([profile.features[0]!.name], Int32Array.of(edges.length), { tails });
  countValuesInto(histograms, 0, values, values.length, edges);
  histograms.rows = values.length;
  return histograms;
}
