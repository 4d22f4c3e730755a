/**
 * The verdict: `retrain`, `alert` or `wait`, from the overall score and the drifted features.
 * Defaults are the original tool's (DRIFT_DEFAULTS.policy). "Above" a limit means past it in the
 * direction of drift of the method's score kind (below, for a p-value).
 */
import { beyond, type ScoreKind } from './methods/index.js';

export type Action = 'retrain' | 'alert' | 'wait';

export interface DecisionPolicy {
  /** retrain when the overall score is above this */
  retrainOverall: number;
  /** ... or when more than this many features drifted */
  retrainDriftedFeatures: number;
  /** alert when the overall score is above this, or any feature drifted */
  alertOverall: number;
}

/** A policy as reports state it (settings.policy): the same limits, in the documents' snake_case. */
export interface PolicySettings {
  retrain_overall: number;
  retrain_drifted_features: number;
  alert_overall: number;
}

export function policySettings(p: DecisionPolicy): PolicySettings {
  return { retrain_overall: p.retrainOverall, retrain_drifted_features: p.retrainDriftedFeatures, alert_overall: p.alertOverall };
}

export function decisionPolicy(s: PolicySettings): DecisionPolicy {
  return { retrainOverall: s.retrain_overall, retrainDriftedFeatures: s.retrain_drifted_features, alertOverall: s.alert_overall };
}

export const DEFAULT_POLICY: Readonly<DecisionPolicy> = Object.freeze({ retrainOverall: 0.2, retrainDriftedFeatures: 5, alertOverall: 0.1 });

/**
 * The default policy of a p-value method (ks, chisquare): a mean of p-values says little, so the
 * overall limits are 0 (never reached) and the drifted features decide: retrain with more than 5,
 * alert with any. Limits given as options apply as they are.
 */
export const P_VALUE_POLICY: Readonly<DecisionPolicy> = Object.freeze({ retrainOverall: 0, retrainDriftedFeatures: 5, alertOverall: 0 });

export function decide(overall: number, nDrifted: number, policy: DecisionPolicy = DEFAULT_POLICY, kind: ScoreKind = 'distance'): Action {
  if (beyond(kind, overall, policy.retrainOverall) || nDrifted > policy.retrainDriftedFeatures) return 'retrain';
  if (beyond(kind, overall, policy.alertOverall) || nDrifted > 0) return 'alert';
  return 'wait';
}

export type Aggregation = 'mean' | 'median' | 'max';
export const AGGREGATIONS: readonly Aggregation[] = ['mean', 'median', 'max'];

export function aggregate(scores: number[], how: Aggregation): number {
  if (scores.length === 0) return 0;
  if (how === 'max') return Math.max(...scores);
  if (how === 'median') {
    const sorted = [...scores].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
  let sum = 0;
  for (const s of scores) sum += s;
  return sum / scores.length;
}
