/**
 * From a baseline profile and the histograms of current data to a drift report. The report
 * records every setting actually used (semantics, method, threshold, epsilon, bins, aggregation,
 * policy), so that every number in it can be explained.
 */
import { driftMethod, isDrifted } from './methods/index.js';
import { aggregate, decide, DEFAULT_POLICY, type Action, type Aggregation, type DecisionPolicy } from './decide.js';
import { InputError, ProfileError, UsageError } from '../util/index.js';
import { smallSample, type SmallSample } from './sample-size.js';
import type { FeatureProfile, Profile } from '../profile/index.js';
import type { Histograms } from '../scan/index.js';

export type Compat = 'driftcatcher';

export interface DriftOptions {
  /** reproduce another tool's semantics exactly (`driftcatcher`: the original Python tool) */
  compat?: Compat | null;
  /** drift method id (default `psi`) */
  method?: string;
  /** per-feature threshold (default: the method's) */
  threshold?: number;
  /** replaces zero proportions in both distributions (default 1e-4) */
  epsilon?: number;
  /** how feature scores become the overall score (default `mean`) */
  aggregation?: Aggregation;
  policy?: Partial<DecisionPolicy>;
}

export interface DriftSettings {
  semantics: 'default' | 'compat:driftcatcher';
  binning: string;
  method: string;
  score_kind: 'distance' | 'p_value';
  threshold: number;
  epsilon: number;
  bins: number;
  aggregation: Aggregation;
  policy: DecisionPolicy;
}

export interface FeatureDrift {
  name: string;
  psi: number;
  /** the chosen method's score (equal to psi for `psi`) */
  score: number;
  drifted: boolean;
  /** proportions per bin, zeros replaced by epsilon (default semantics: last entry = missing bin) */
  expected: number[];
  actual: number[];
  /** current values counted for this feature (finite values in compat mode) */
  count: number;
  /** current non-finite values */
  non_finite: number;
}

/**
 * Why a baseline feature was left out of a report (`--compat driftcatcher` only, as the original
 * tool does): `not_in_batch`, the data has no such column; `no_finite_values`, none of its values
 * is finite.
 */
export type SkipReason = 'not_in_batch' | 'no_finite_values';

export interface SkippedFeature {
  name: string;
  reason: SkipReason;
}

export interface DriftReport {
  overall_psi: number;
  overall_score: number;
  n_drifted_features: number;
  /** features scored (skipped ones are not counted) */
  total_features: number;
  action: Action;
  /** ranked by score, highest first */
  features: FeatureDrift[];
  /** baseline features left out, in profile order (always empty in the default semantics) */
  skipped_features: SkippedFeature[];
  settings: DriftSettings;
  baseline: { id: string; file: string; rows: number };
  current: { files: string[]; rows: number; non_finite_values: number; coerced_values: number };
  /** set when the batch is too small for the verdict to mean anything (rule in sample-size.ts) */
  small_sample: SmallSample | null;
}

export function resolveDriftOptions(profile: Profile, options: DriftOptions = {}): DriftSettings {
  const method = driftMethod(options.method ?? 'psi');
  const compat = options.compat ?? null;
  if (compat !== null && compat !== 'driftcatcher') throw new UsageError(`unknown --compat "${compat}": expected driftcatcher`);
  if (compat && method.id !== 'psi') throw new UsageError('--compat driftcatcher uses PSI; leave out --method');
  const epsilon = options.epsilon ?? 1e-4;
  if (!(epsilon > 0 && epsilon < 1)) throw new UsageError(`--epsilon must be between 0 and 1, got ${epsilon}`);
  const threshold = options.threshold ?? method.defaultThreshold;
  if (!Number.isFinite(threshold)) throw new UsageError(`--threshold must be a number, got ${threshold}`);
  if (compat) checkCompatBaseline(profile);
  return {
    semantics: compat ? 'compat:driftcatcher' : 'default',
    binning: compat
      ? 'np.histogram on the stored quantiles of complete training rows at q = np.linspace(0, 1, bins + 1) (out-of-range values dropped, last bin closed); actual = counts / finite values; features not in the data or without a finite value are skipped'
      : 'training quantiles at q = i / bins, repeats merged, open outer bins, separate missing bin for non-finite values; proportions = counts / rows',
    method: method.id,
    score_kind: method.scoreKind,
    threshold,
    epsilon,
    bins: profile.bins,
    aggregation: options.aggregation ?? 'mean',
    policy: { ...DEFAULT_POLICY, ...options.policy },
  };
}

/** A profile `--compat driftcatcher` can check against, or a one-line ProfileError. */
function checkCompatBaseline(profile: Profile): void {
  const rebuild = 'rebuild it with `driftcatcher baseline`';
  if (profile.quantile_grids?.compat !== 'linspace') {
    throw new ProfileError(`baseline ${profile.source.file}: its compat edges were taken at q = i / bins, not at np.linspace(0, 1, bins + 1) as the original tool takes them; ${rebuild} to use --compat driftcatcher`);
  }
  if (profile.complete_rows === 0) {
    throw new ProfileError(`baseline ${profile.source.file}: no training row has every feature finite, so the original tool's baseline (complete rows only) is empty and --compat driftcatcher has nothing to compare with`);
  }
}

/** The edges each feature is binned on under these settings (what the pool is prepared with). */
export function binEdges(profile: Profile, settings: DriftSettings): Float64Array[] {
  return profile.features.map((f) => Float64Array.from(settings.semantics === 'default' ? f.edges : f.compat.edges));
}

function withEpsilon(values: Float64Array, epsilon: number): Float64Array {
  return values.map((v) => (v === 0 ? epsilon : v));
}

/** Expected and actual proportions of one feature from the kernel's count slots. */
export function featureProportions(profile: Profile, feature: FeatureProfile, slots: Float64Array, settings: DriftSettings) {
  if (settings.semantics === 'default') {
    const nEdges = feature.edges.length;
    const expected = Float64Array.from([...feature.counts, feature.missing], (c) => c / profile.rows);
    const actualCounts = new Float64Array(nEdges + 2);
    for (let j = 0; j <= nEdges; j++) actualCounts[j] = slots[j]!;
    actualCounts[nEdges + 1] = slots[nEdges + 1]!;
    let total = 0;
    for (const c of actualCounts) total += c;
    const actual = actualCounts.map((c) => (total > 0 ? c / total : 0));
    return { expected, actual, count: total, nonFinite: slots[nEdges + 1]! };
  }
  // compat: np.histogram bins are slots 1..k (k = nEdges - 1) with the last-edge values added to
  // the last bin; slot 0 (below the first edge) and values above the last edge are dropped
  const nEdges = feature.compat.edges.length;
  const k = Math.max(0, nEdges - 1);
  const bins = new Float64Array(k);
  for (let i = 0; i < k; i++) bins[i] = slots[i + 1]!;
  if (k > 0) bins[k - 1]! += slots[nEdges + 2]!;
  let finite = 0;
  for (let j = 0; j <= nEdges; j++) finite += slots[j]!;
  const expected = Float64Array.from(feature.compat.counts, (c) => (profile.complete_rows > 0 ? c / profile.complete_rows : 0));
  const actual = bins.map((c) => (finite > 0 ? c / finite : 0));
  return { expected, actual, count: finite, nonFinite: slots[nEdges + 1]! };
}

export function driftReport(profile: Profile, histograms: Histograms, settings: DriftSettings, files: string[]): DriftReport {
  const method = driftMethod(settings.method);
  const psiMethod = driftMethod('psi');
  const features: FeatureDrift[] = [];
  const skipped: SkippedFeature[] = [];
  profile.features.forEach((feature, f) => {
    const { expected, actual, count, nonFinite } = featureProportions(profile, feature, histograms.counts[f]!, settings);
    if (settings.semantics === 'compat:driftcatcher' && count === 0) {
      // every value of a column the data has lands in one of the counted slots, finite or not,
      // so a feature with neither is one the data lacks (count.ts leaves its counts at zero)
      skipped.push({ name: feature.name, reason: nonFinite === 0 ? 'not_in_batch' : 'no_finite_values' });
      return;
    }
    const e = withEpsilon(expected, settings.epsilon);
    const a = withEpsilon(actual, settings.epsilon);
    const psi = psiMethod.compute(e, a);
    const score = method === psiMethod ? psi : method.compute(e, a);
    features.push({ name: feature.name, psi, score, drifted: isDrifted(method, score, settings.threshold), expected: Array.from(e), actual: Array.from(a), count, non_finite: nonFinite });
  });
  if (features.length === 0) {
    // the original would average no scores (NaN) and say `wait`: refuse instead
    const notIn = skipped.filter((s) => s.reason === 'not_in_batch').length;
    throw new InputError(
      `none of the baseline's ${skipped.length} features can be scored (${notIn} not in the data, ${skipped.length - notIn} without a finite value); --compat driftcatcher skips such features, which leaves nothing to check`,
      files.length === 1 ? { file: files[0] } : {},
    );
  }
  const overallScore = aggregate(features.map((f) => f.score), settings.aggregation);
  const overallPsi = method === psiMethod ? overallScore : aggregate(features.map((f) => f.psi), settings.aggregation);
  const nDrifted = features.filter((f) => f.drifted).length;
  const ranked = features
    .map((feature, order) => ({ feature, order }))
    .sort((x, y) => y.feature.score - x.feature.score || x.order - y.order)
    .map((x) => x.feature);
  let nonFinite = 0;
  let coerced = 0;
  for (let f = 0; f < profile.features.length; f++) {
    nonFinite += histograms.quality[4 * f]! + histograms.quality[4 * f + 1]! + histograms.quality[4 * f + 2]!;
    coerced += histograms.quality[4 * f + 3]!;
  }
  return {
    overall_psi: overallPsi,
    overall_score: overallScore,
    n_drifted_features: nDrifted,
    total_features: features.length,
    action: decide(overallScore, nDrifted, settings.policy),
    features: ranked,
    skipped_features: skipped,
    settings,
    baseline: { id: profile.id, file: profile.source.file, rows: profile.rows },
    current: { files, rows: histograms.rows, non_finite_values: nonFinite, coerced_values: coerced },
    small_sample: smallSample(profile.features.map((feature, f) => featureProportions(profile, feature, histograms.counts[f]!, settings)), settings.semantics === 'default' ? profile.rows : profile.complete_rows, settings),
  };
}
