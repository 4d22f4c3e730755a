/**
 * From a baseline profile and the histograms of current data to a drift report. Its main fields
 * are the method's: `method`, each feature's `score`, `overall_score`; `overall_psi` and a
 * feature's `psi` are there only when PSI is the method (the original tool's names, kept for
 * compatibility). The report records every setting actually used (semantics, method, threshold,
 * epsilon, bins, aggregation, policy), so that every number in it can be explained.
 */
import { isDrifted, moreDrifted, smoothedShares, type DriftMethod } from './methods/index.js';
import { adjustPValues } from './distributions.js';
import { AUTO, featureMethod } from './options.js';
import { aggregate, decide, decisionPolicy, type Action } from './decide.js';
import { InputError } from '../util/index.js';
import { smallSample, type SmallSample } from './sample-size.js';
import { featureCounts, fineCounts, type FeatureCounts } from './counts.js';
import type { DriftSettings } from './options.js';
import type { Profile } from '../profile/index.js';
import type { Histograms } from '../scan/index.js';
import type { PredictionDrift } from './prediction-types.js';

export interface FeatureDrift {
  name: string;
  /** the method this feature was scored with (settings.method, or with `auto` the rule's choice) */
  method: string;
  /** the method's score (settings.method, settings.score_kind) */
  score: number;
  /** a p-value the method gave beside its score */
  p_value?: number;
  /** the test statistic when it is not the score (KS's D, chi-squared's X^2, Wasserstein's unnormed distance) */
  statistic?: number;
  /** where the raw-data statistic lies, as far as the summaries tell (docs/STATISTICS.md) */
  statistic_bounds?: [number, number];
  /** a p-value method's p-value after settings.correction (bonferroni, bh), which decides `drifted` */
  adjusted_p_value?: number;
  /** the score again, under the original tool's name: only when the method is PSI */
  psi?: number;
  drifted: boolean;
  /** shares per bin (count / size), zeros replaced by epsilon (default semantics: last entry = missing bin) */
  expected: number[];
  actual: number[];
  /** current values counted for this feature (finite values in compat mode) */
  count: number;
  /** current non-finite values */
  non_finite: number;
}

/**
 * Why a baseline feature was left out of a report (`compat: 'driftcatcher'` only, as the original
 * tool does): `not_in_batch`, the data has no such column; `no_finite_values`, none of its values
 * is finite.
 */
export type SkipReason = 'not_in_batch' | 'no_finite_values';

export interface SkippedFeature {
  name: string;
  reason: SkipReason;
}

export interface DriftReport {
  /** the drift method (settings.method) */
  method: string;
  /** the feature scores aggregated (settings.aggregation) */
  overall_score: number;
  /** overall_score under the original tool's name: only when the method is PSI */
  overall_psi?: number;
  n_drifted_features: number;
  /** features scored (skipped ones are not counted) */
  total_features: number;
  /** n_drifted_features / total_features */
  drifted_share: number;
  /** with settings.drift_share: drifted_share >= drift_share (the action is then `retrain`); else null */
  dataset_drift: boolean | null;
  action: Action;
  /** ranked by score, most drifted first (a distance's highest, a p-value's lowest) */
  features: FeatureDrift[];
  /** baseline features left out, in profile order (always empty in the default semantics) */
  skipped_features: SkippedFeature[];
  settings: DriftSettings;
  baseline: { id: string; file: string; rows: number };
  current: { files: string[]; rows: number; non_finite_values: number; coerced_values: number };
  /** set when the batch is too small for the verdict to mean anything (rule in sample-size.ts) */
  small_sample: SmallSample | null;
  /** with `check --predictions`: the model's output against its prediction profile (prediction.ts); its action counts in `action` */
  prediction_drift?: PredictionDrift;
}

/** One feature's score under the settings (the method gets the counts, sizes, edges, the baseline's summary and, when it needs them, the fine counts). */
function scoreFeature(method: DriftMethod, name: string, counts: FeatureCounts, summary: Profile['features'][number], settings: DriftSettings, fine: () => ReturnType<typeof fineCounts>): FeatureDrift {
  const { score, p_value, statistic, statistic_bounds } = method.compute({ ...counts, epsilon: settings.epsilon, summary: { reference: summary }, ...(method.needs === 'fine' ? { fine: fine() } : {}) });
  return {
    name,
    method: method.id,
    score,
    ...(p_value !== undefined ? { p_value } : {}),
    ...(statistic !== undefined ? { statistic } : {}),
    ...(statistic_bounds !== undefined ? { statistic_bounds } : {}),
    ...(method.id === 'psi' ? { psi: score } : {}),
    drifted: isDrifted(method, score, settings.thresholds[method.id] ?? settings.threshold),
    expected: Array.from(smoothedShares(counts.reference, counts.referenceSize, settings.epsilon)),
    actual: Array.from(smoothedShares(counts.current, counts.currentSize, settings.epsilon)),
    count: counts.currentSize,
    non_finite: counts.nonFinite,
  };
}

export function driftReport(profile: Profile, histograms: Histograms, settings: DriftSettings, files: string[]): DriftReport {
  const methods = profile.features.map((feature) => featureMethod(settings, feature));
  const counts = profile.features.map((feature, f) => featureCounts(profile, feature, histograms.counts[f]!, settings.semantics, settings.fine));
  const scoreKinds: DriftMethod['scoreKind'][] = [];
  const features: FeatureDrift[] = [];
  const skipped: SkippedFeature[] = [];
  profile.features.forEach((feature, f) => {
    const c = counts[f]!;
    if (settings.semantics === 'compat:driftcatcher' && c.currentSize === 0) {
      // every value of a column the data has lands in one of the counted slots, finite or not,
      // so a feature with neither is one the data lacks (the scan leaves its counts at zero)
      skipped.push({ name: feature.name, reason: c.nonFinite === 0 ? 'not_in_batch' : 'no_finite_values' });
      return;
    }
    features.push(scoreFeature(methods[f]!, feature.name, c, feature, settings, () => fineCounts(feature, histograms.counts[f]!, histograms.tails, f)));
    scoreKinds.push(methods[f]!.scoreKind);
  });
  correct(features, scoreKinds, settings);
  if (features.length === 0) {
    // the original would average no scores (NaN) and say `wait`: refuse instead
    const notIn = skipped.filter((s) => s.reason === 'not_in_batch').length;
    throw new InputError(
      `none of the baseline's ${skipped.length} features can be scored (${notIn} not in the data, ${skipped.length - notIn} without a finite value); compat driftcatcher skips such features, which leaves nothing to check`,
      files.length === 1 ? { file: files[0] } : {},
    );
  }
  const nDrifted = features.filter((f) => f.drifted).length;
  const driftedShare = nDrifted / features.length;
  // auto mixes p-values and distances: its overall score is the share of drifted features
  const auto = settings.method === AUTO;
  const overallScore = auto ? driftedShare : aggregate(features.map((f) => f.score), settings.aggregation);
  const ranked = rankFeatures(features, scoreKinds, settings);
  const quality = qualityTotals(histograms);
  const datasetDrift = settings.drift_share === null ? null : driftedShare >= settings.drift_share;
  const policyAction = decide(overallScore, nDrifted, decisionPolicy(settings.policy), settings.score_kind);
  return {
    method: settings.method,
    overall_score: overallScore,
    ...(settings.method === 'psi' ? { overall_psi: overallScore } : {}),
    n_drifted_features: nDrifted,
    total_features: features.length,
    drifted_share: driftedShare,
    dataset_drift: datasetDrift,
    action: datasetDrift ? 'retrain' : policyAction,
    features: ranked,
    skipped_features: skipped,
    settings,
    baseline: { id: profile.id, file: profile.source.file, rows: profile.rows },
    current: { files, rows: histograms.rows, non_finite_values: quality.nonFinite, coerced_values: quality.coerced },
    small_sample: smallSample(
      counts.map((c) => ({ reference: c.reference, count: c.currentSize })),
      settings.semantics === 'default' ? profile.rows : profile.complete_rows,
      settings,
    ),
  };
}

/**
 * settings.correction over the p-value features (those whose method's score is a p-value): each
 * gets `adjusted_p_value`, which decides `drifted` instead of the raw p-value.
 */
function correct(features: FeatureDrift[], kinds: DriftMethod['scoreKind'][], settings: DriftSettings): void {
  if (settings.correction === 'none') return;
  const at = features.map((_, i) => i).filter((i) => kinds[i] === 'p_value');
  const adjusted = adjustPValues(at.map((i) => features[i]!.score), settings.correction);
  at.forEach((i, k) => {
    const feature = features[i]!;
    feature.adjusted_p_value = adjusted[k]!;
    feature.drifted = adjusted[k]! < (settings.thresholds[feature.method] ?? settings.threshold);
  });
}

/**
 * Most drifted first: by score in the method's direction; with `auto` (mixed kinds) drifted
 * features first, then by how far past (or short of) its threshold each score is: score /
 * threshold for a distance, threshold / p for a p-value.
 */
function rankFeatures(features: FeatureDrift[], kinds: DriftMethod['scoreKind'][], settings: DriftSettings): FeatureDrift[] {
  const at = features.map((feature, i) => ({ feature, i }));
  if (settings.method !== AUTO) {
    const order = moreDrifted(settings.score_kind);
    return at.sort((x, y) => order(x.feature.score, y.feature.score) || x.i - y.i).map((x) => x.feature);
  }
  const strength = ({ feature, i }: { feature: FeatureDrift; i: number }) => {
    const threshold = settings.thresholds[feature.method] ?? settings.threshold;
    const s = kinds[i] === 'distance' ? feature.score / threshold : threshold / feature.score;
    return Number.isNaN(s) ? -Infinity : s;
  };
  return at.sort((x, y) => Number(y.feature.drifted) - Number(x.feature.drifted) || strength(y) - strength(x) || x.i - y.i).map((x) => x.feature);
}

/** Non-finite and coerced values of every feature (the quality numbers: nan, +inf, -inf, coerced per feature). */
function qualityTotals(histograms: Histograms): { nonFinite: number; coerced: number } {
  let nonFinite = 0;
  let coerced = 0;
  for (let f = 0; f < histograms.counts.length; f++) {
    nonFinite += histograms.quality[4 * f]! + histograms.quality[4 * f + 1]! + histograms.quality[4 * f + 2]!;
    coerced += histograms.quality[4 * f + 3]!;
  }
  return { nonFinite, coerced };
}
