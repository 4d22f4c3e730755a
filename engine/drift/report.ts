/**
 * From a baseline profile and the histograms of current data to a drift report. Its main fields
 * are the method's: `method`, each feature's `score`, `overall_score`; `overall_psi` and a
 * feature's `psi` are there only when PSI is the method (the original tool's names, kept for
 * compatibility). The report records every setting actually used (semantics, method, threshold,
 * epsilon, bins, aggregation, policy), so that every number in it can be explained.
 */
import { isDrifted, moreDrifted, smoothedShares, type DriftMethod } from './methods/index.js';
import { adjustPValues } from './distributions.js';
import { AUTO, featureBinning, featureMethod } from './options.js';
import { aggregate, decide, decisionPolicy, type Action } from './decide.js';
import { InputError } from '../util/index.js';
import { smallSample, type SmallSample } from './sample-size.js';
import { categoryCounts, featureCounts, fineCounts, type FeatureCounts } from './counts.js';
import { binEdges, type DriftSettings } from './options.js';
import { constancy, featureQuality, missingRate, newCategories, outOfRange, qualitySummary, referenceConstancy, withQualityFloor, type FeatureQuality, type QualitySummary } from './quality.js';
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
  /** a feature counted on its categories (profile version 2, featureBinning): what changed among them (its new_category_share is read by the quality signal new_categories) */
  categories?: CategoryDrift;
  /** its data-quality signals (quality.ts) */
  quality: FeatureQuality;
}

/** How many category changes a feature's `top_changes` lists. */
export const TOP_CATEGORY_CHANGES = 5;

/** What changed among a categorical feature's categories (shares unsmoothed: count / size). */
export interface CategoryDrift {
  /** the baseline's categories the scan counted on */
  categories: number;
  /**
   * share of the current values not among the baseline's categories ("other"): new categories,
   * and, when the baseline kept only its most frequent values (`reference_other_share` > 0),
   * also current values of the baseline's own "other" bucket
   */
  new_category_share: number;
  /** the baseline's share in "other" (0 when every training value is a category) */
  reference_other_share: number;
  /** the largest share changes, largest first (up to TOP_CATEGORY_CHANGES; `category`: the value, `other` or `missing`) */
  top_changes: CategoryChange[];
}

export interface CategoryChange {
  category: string;
  expected: number;
  actual: number;
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
  /** the data-quality signals of the whole batch; a breach makes `action` at least quality.action (settings.quality) */
  quality: QualitySummary;
  /** with `check --predictions`: the model's output against its prediction profile (prediction.ts); its action counts in `action` */
  prediction_drift?: PredictionDrift;
}

/** One feature's score under the settings (the method gets the counts, sizes, edges, the baseline's summary and, when it needs them, the fine counts). */
function scoreFeature(method: DriftMethod, name: string, counts: FeatureCounts, summary: Profile['features'][number], settings: DriftSettings, fine: () => ReturnType<typeof fineCounts>, quality: FeatureQuality): FeatureDrift {
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
    ...(counts.bins === 'categories' ? { categories: categoryDrift(counts) } : {}),
    quality,
  };
}

/** The category changes of counts laid out as `categories` (the values, other, missing). */
function categoryDrift(counts: FeatureCounts): CategoryDrift {
  const k = counts.edges.length;
  const share = (c: number, size: number) => (size > 0 ? c / size : 0);
  const changes: CategoryChange[] = [];
  for (let i = 0; i < k + 2; i++) {
    const expected = share(counts.reference[i]!, counts.referenceSize);
    const actual = share(counts.current[i]!, counts.currentSize);
    if (expected !== actual) changes.push({ category: i < k ? String(counts.edges[i]) : i === k ? 'other' : 'missing', expected, actual });
  }
  changes.sort((a, b) => Math.abs(b.actual - b.expected) - Math.abs(a.actual - a.expected));
  return {
    categories: k,
    new_category_share: share(counts.current[k]!, counts.currentSize),
    reference_other_share: share(counts.reference[k]!, counts.referenceSize),
    top_changes: changes.slice(0, TOP_CATEGORY_CHANGES),
  };
}

/** One feature's quality signals from its counts (new categories: withNewCategories, once the categorical counts give their share). */
function qualityOf(profile: Profile, feature: Profile['features'][number], counts: FeatureCounts, currentRows: number, settings: DriftSettings): FeatureQuality {
  const q = settings.quality;
  return featureQuality({
    missing_rate: missingRate({ missing: feature.missing, rows: profile.rows }, { nonFinite: counts.nonFinite, rows: currentRows }, q.missing_threshold),
    out_of_range: outOfRange(counts.outOfRange, counts.finite, q.out_of_range_threshold),
    constant: constancy(feature, counts, q.constant_threshold, q.constant_min_values),
    new_categories: null,
  });
}

/** The hook for categorical features: one that carries `new_category_share` gets its new_categories signal (and breach). */
function withNewCategories(feature: FeatureDrift, settings: DriftSettings): void {
  const share = feature.categories?.new_category_share;
  if (share === undefined) return;
  const { breaches: _, ...parts } = feature.quality;
  feature.quality = featureQuality({ ...parts, new_categories: newCategories(share, settings.quality.new_category_threshold) });
}

export function driftReport(profile: Profile, histograms: Histograms, settings: DriftSettings, files: string[]): DriftReport {
  const methods = profile.features.map((feature) => featureMethod(settings, feature));
  // the scan's edges per feature (featureBinning): featureCounts sums the deciles' range edges into the method's bins
  const scanEdges = settings.semantics === 'default' ? binEdges(profile, settings) : [];
  const counts = profile.features.map((feature, f) => {
    const binning = featureBinning(settings, feature);
    return binning === 'categories' ? categoryCounts(profile, feature, histograms.counts[f]!) : featureCounts(profile, feature, histograms.counts[f]!, settings.semantics, scanEdges[f]);
  });
  const scoreKinds: DriftMethod['scoreKind'][] = [];
  const features: FeatureDrift[] = [];
  const skipped: SkippedFeature[] = [];
  const scored: number[] = [];
  profile.features.forEach((feature, f) => {
    const c = counts[f]!;
    if (settings.semantics === 'compat:driftcatcher' && c.currentSize === 0) {
      // every value of a column the data has lands in one of the counted slots, finite or not,
      // so a feature with neither is one the data lacks (the scan leaves its counts at zero)
      skipped.push({ name: feature.name, reason: c.nonFinite === 0 ? 'not_in_batch' : 'no_finite_values' });
      return;
    }
    features.push(scoreFeature(methods[f]!, feature.name, c, feature, settings, () => fineCounts(feature, histograms.counts[f]!, histograms.tails, f), qualityOf(profile, feature, c, histograms.rows, settings)));
    scored.push(f);
    scoreKinds.push(methods[f]!.scoreKind);
  });
  correct(features, scoreKinds, settings);
  for (const feature of features) withNewCategories(feature, settings);
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
  const qualitySummaryOf = qualitySummary(
    features.map((feature, i) => {
      const c = counts[scored[i]!]!;
      return { name: feature.name, quality: feature.quality, missing: { reference: profile.features[scored[i]!]!.missing, current: c.nonFinite }, outOfRange: feature.quality.out_of_range?.count ?? 0, finite: c.finite };
    }),
    { referenceRows: profile.rows, currentRows: histograms.rows },
    { onlyInBaseline: skipped.filter((s) => s.reason === 'not_in_batch').map((s) => s.name), onlyInBatch: columnsOnlyInBatch(profile, histograms) },
    profile.features.filter((feature) => referenceConstancy(feature, settings.quality.constant_threshold).reference !== null).map((feature) => feature.name),
    settings.quality,
  );
  return {
    method: settings.method,
    overall_score: overallScore,
    ...(settings.method === 'psi' ? { overall_psi: overallScore } : {}),
    n_drifted_features: nDrifted,
    total_features: features.length,
    drifted_share: driftedShare,
    dataset_drift: datasetDrift,
    // a data-quality breach makes the verdict at least settings.quality.action (never more on its own)
    action: withQualityFloor(datasetDrift ? 'retrain' : policyAction, qualitySummaryOf.action),
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
    quality: qualitySummaryOf,
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

/** The batch's columns that are neither a baseline feature nor its label (empty when the scan plan did not name the columns). */
function columnsOnlyInBatch(profile: Profile, histograms: Histograms): string[] {
  const known = new Set(profile.features.map((f) => f.name));
  if (profile.label !== null) known.add(profile.label);
  return (histograms.columns ?? []).filter((name) => !known.has(name));
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
