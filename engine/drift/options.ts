/**
 * The options of a drift check, as piscina shapes them: DriftOptions (all optional) ->
 * resolveDriftOptions() -> DriftSettings, with every default in one constant, DRIFT_DEFAULTS (the
 * CLI's `--help` shows those). The resolved settings are stated in every report, so that every
 * number in it can be explained. Messages name the option (`epsilon: must be ...`), never a flag.
 */
import { ProfileError, UsageError } from '../util/index.js';
import { DRIFT_METHODS, driftMethod, type DriftMethod, type ScoreKind } from './methods/index.js';
import { CORRECTIONS, type Correction } from './distributions.js';
import { AGGREGATIONS, DEFAULT_POLICY, P_VALUE_POLICY, policySettings, type Aggregation, type DecisionPolicy, type PolicySettings } from './decide.js';
import { categoryScanEdges, fineScanEdges, type FeatureProfile, type Profile } from '../profile/index.js';
import { rangeScanEdges } from './counts.js';
import { QUALITY_DEFAULTS, resolveQualityOptions, type QualityOptions, type QualitySettings } from './quality.js';

export type Compat = 'driftcatcher';
export const COMPATS: readonly Compat[] = ['driftcatcher'];

export interface DriftOptions {
  /** reproduce another tool's semantics exactly (`driftcatcher`: the original Python tool; it uses PSI) */
  compat?: Compat | null;
  /** drift method id (default `psi`), or `auto`: a method per feature (autoMethod, docs/STATISTICS.md) */
  method?: string;
  /** per-feature threshold (default: the method's, DRIFT_DEFAULTS.thresholds); with `auto`, the p-value methods' */
  threshold?: number;
  /** the dataset drifts when at least this share of the features drifted (Evidently's rule, 0.5 there): the action is then `retrain` (default null: the policy alone) */
  driftShare?: number | null;
  /** multiple-testing correction of the p-value methods' p-values, over the features (default `none`) */
  correction?: Correction;
  /** replaces zero shares in both distributions, for the methods that smooth (default 1e-4) */
  epsilon?: number;
  /** how feature scores become the overall score (default `mean`) */
  aggregation?: Aggregation;
  policy?: Partial<DecisionPolicy>;
  /** the data-quality signals' thresholds and what a breach does to the verdict (quality.ts; docs/STATISTICS.md, "Data quality") */
  quality?: QualityOptions;
}

export interface DriftSettings {
  semantics: 'default' | 'compat:driftcatcher';
  binning: string;
  /** the method's id, or `auto` (each feature's method is in the feature) */
  method: string;
  /** the kind of the overall score (with `auto`: `distance`, the share of drifted features) */
  score_kind: ScoreKind;
  /** the per-feature threshold (with `auto`: the p-value methods'; `thresholds` has each method's) */
  threshold: number;
  /** the threshold of each method in use, by id */
  thresholds: Record<string, number>;
  /** the scan bins on the fine edges (profile version 2): a method in use needs them */
  fine: boolean;
  /** the fine summary's resolution (null for a version 1 profile) */
  resolution: number | null;
  drift_share: number | null;
  correction: Correction;
  epsilon: number;
  bins: number;
  aggregation: Aggregation;
  /** the decision policy resolved from options.policy (DecisionPolicy), in the report's snake_case */
  policy: PolicySettings;
  /** the data-quality signals' thresholds and what a breach makes the verdict at least */
  quality: QualitySettings;
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}

/** Every default of a drift check, once. */
export const DRIFT_DEFAULTS = deepFreeze({
  compat: null as Compat | null,
  method: 'psi',
  /** each method's own default threshold, by id (from the method files) */
  thresholds: Object.fromEntries(DRIFT_METHODS.map((m) => [m.id, m.defaultThreshold])) as Record<string, number>,
  epsilon: 1e-4,
  aggregation: 'mean' as Aggregation,
  driftShare: null as number | null,
  correction: 'none' as Correction,
  policy: { ...DEFAULT_POLICY } as DecisionPolicy,
  quality: { ...QUALITY_DEFAULTS },
});

const BINNING = {
  default: 'training quantiles at q = i / bins, repeats merged, open outer bins, separate missing bin for non-finite values; proportions = counts / rows',
  compat:
    'np.histogram on the stored quantiles of complete training rows at q = np.linspace(0, 1, bins + 1) (out-of-range values dropped, last bin closed); actual = counts / finite values; features not in the data or without a finite value are skipped',
};

export function resolveDriftOptions(profile: Profile, options: DriftOptions = {}): DriftSettings {
  const compat = options.compat ?? DRIFT_DEFAULTS.compat;
  if (compat !== null && !COMPATS.includes(compat)) throw new UsageError(`unknown semantics "${String(compat)}": expected ${COMPATS.join(', ')}`, { option: 'compat' });
  const methodId = options.method ?? DRIFT_DEFAULTS.method;
  const auto = methodId === AUTO;
  const method = auto ? null : driftMethod(methodId);
  if (compat && methodId !== 'psi') throw new UsageError(`compat "${compat}" is the original tool, which uses psi, not "${methodId}": leave the method out`, { option: 'method' });
  const epsilon = options.epsilon ?? DRIFT_DEFAULTS.epsilon;
  if (!(epsilon > 0 && epsilon < 1)) throw new UsageError(`must be between 0 and 1, got ${epsilon}`, { option: 'epsilon' });
  const threshold = options.threshold ?? (method ? method.defaultThreshold : driftMethod('ks').defaultThreshold);
  if (!Number.isFinite(threshold)) throw new UsageError(`must be a finite number, got ${threshold}`, { option: 'threshold' });
  const used = auto ? [...new Set(profile.features.map((f) => autoMethod(f)))].map(driftMethod) : [method!];
  const thresholds = Object.fromEntries(used.map((m) => [m.id, auto && m.scoreKind === 'distance' ? m.defaultThreshold : threshold]));
  const fine = used.some((m) => m.needs === 'fine');
  if (fine) checkFineBaseline(profile, methodId);
  const driftShare = options.driftShare ?? DRIFT_DEFAULTS.driftShare;
  if (driftShare !== null && !(driftShare > 0 && driftShare <= 1)) throw new UsageError(`must be a share above 0 and at most 1, got ${driftShare}`, { option: 'driftShare' });
  const correction = options.correction ?? DRIFT_DEFAULTS.correction;
  if (!CORRECTIONS.includes(correction)) throw new UsageError(`unknown correction "${String(correction)}": expected one of ${CORRECTIONS.join(', ')}`, { option: 'correction' });
  const aggregation = options.aggregation ?? DRIFT_DEFAULTS.aggregation;
  if (!AGGREGATIONS.includes(aggregation)) throw new UsageError(`unknown aggregation "${String(aggregation)}": expected one of ${AGGREGATIONS.join(', ')}`, { option: 'aggregation' });
  const policy = resolvePolicy(options.policy, method?.scoreKind === 'p_value' ? P_VALUE_POLICY : DRIFT_DEFAULTS.policy);
  if (compat) checkCompatBaseline(profile);
  return {
    semantics: compat ? 'compat:driftcatcher' : 'default',
    binning: compat ? BINNING.compat : BINNING.default,
    method: methodId,
    score_kind: method ? method.scoreKind : 'distance',
    threshold,
    thresholds,
    fine,
    resolution: profile.resolution ?? null,
    drift_share: driftShare,
    correction,
    epsilon,
    bins: profile.bins,
    aggregation,
    policy: policySettings(policy),
    quality: resolveQualityOptions(options.quality, compat ? 'compat:driftcatcher' : 'default'),
  };
}

/** The defaults under the fields given (a field given as undefined keeps its default). */
function resolvePolicy(given: Partial<DecisionPolicy> = {}, defaults: Readonly<DecisionPolicy> = DRIFT_DEFAULTS.policy): DecisionPolicy {
  const policy = { ...defaults };
  for (const key of ['retrainOverall', 'retrainDriftedFeatures', 'alertOverall'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value)) throw new UsageError(`must be a finite number, got ${value}`, { option: `policy.${key}` });
    if (key === 'retrainDriftedFeatures' && !(Number.isInteger(value) && value >= 0)) throw new UsageError(`must be a whole number of features, 0 or more, got ${value}`, { option: `policy.${key}` });
    policy[key] = value;
  }
  return policy;
}

/** A profile `compat: 'driftcatcher'` can check against, or a one-line ProfileError. */
function checkCompatBaseline(profile: Profile): void {
  const rebuild = 'rebuild it with `driftcatcher baseline`';
  if (profile.quantile_grids?.compat !== 'linspace') {
    throw new ProfileError(`baseline ${profile.source.file}: its compat edges were taken at q = i / bins, not at np.linspace(0, 1, bins + 1) as the original tool takes them; ${rebuild} to use compat driftcatcher`);
  }
  if (profile.complete_rows === 0) {
    throw new ProfileError(`baseline ${profile.source.file}: no training row has every feature finite, so the original tool's baseline (complete rows only) is empty and compat driftcatcher has nothing to compare with`);
  }
}

/**
 * How a feature is counted under these settings: `compat`, np.histogram on the compat edges;
 * `categories`, on its categories (categoryScanEdges: each value and the next double, the rest is
 * "other"); `fine`, on the fine edges (a method in use needs them); else `deciles`.
 *
 * A categorical feature (profile version 2, `categorical`) is counted on its categories in the
 * default semantics by a method that does not need the fine summary when it was named
 * (`--categorical`: every such method, PSI included, compares the category shares), and by
 * `chisquare` (explicit or `auto`'s choice) when the rule found it (few distinct values), so
 * that the default PSI report of a column nobody named categorical stays on its deciles.
 * `deciles` bins on the deciles with the training minimum, nextUp(minimum) and nextUp(maximum)
 * (rangeScanEdges: the out-of-range counts of the quality signals; the deciles' counts are sums
 * of these bins).
 */
export type FeatureBinning = 'compat' | 'categories' | 'fine' | 'deciles';

export function featureBinning(settings: Pick<DriftSettings, 'semantics' | 'fine' | 'method'>, feature: FeatureProfile): FeatureBinning {
  if (settings.semantics !== 'default') return 'compat';
  const method = featureMethod(settings, feature);
  const categorical = feature.categorical;
  if (categorical && method.needs !== 'fine' && (categorical.kind === 'named' || method.id === 'chisquare')) return 'categories';
  return settings.fine ? 'fine' : 'deciles';
}

/** The edges each feature is binned on under these settings (what the pool is prepared with), by featureBinning. */
export function binEdges(profile: Profile, settings: Pick<DriftSettings, 'semantics' | 'fine' | 'method'>): Float64Array[] {
  return profile.features.map((f) => {
    const binning = featureBinning(settings, f);
    const edges = binning === 'compat' ? f.compat.edges : binning === 'categories' ? categoryScanEdges(f.categorical!) : binning === 'fine' ? fineScanEdges(f.fine!) : rangeScanEdges(f);
    return Float64Array.from(edges);
  });
}

/** `method: 'auto'`: a method per feature. */
export const AUTO = 'auto';

/** Distinct values at or below which `auto` treats a numeric feature as categorical (chi-squared). */
export const AUTO_MAX_DISTINCT = 5;
/** Baseline sizes at or below which `auto` uses a p-value test (KS), above it a distance (Wasserstein). */
export const AUTO_MAX_P_VALUE_ROWS = 1000;

/**
 * The `auto` rule, per feature, after Evidently's defaults (distances for large samples, where a
 * p-value flags everything; p-values for small ones): a categorical feature (profile version 2,
 * named or found by categoricalKind): `chisquare` on its categories; else at most 5 distinct
 * training values: `chisquare` (on its deciles); else at most 1000 finite training values: `ks`;
 * else `wasserstein` (normed). A version 1 profile has no distinct count: its features are numeric.
 */
export function autoMethod(feature: Pick<Profile['features'][number], 'count' | 'fine' | 'categorical'>): string {
  if (feature.categorical) return 'chisquare';
  if (feature.fine && feature.fine.distinct <= AUTO_MAX_DISTINCT) return 'chisquare';
  return feature.count <= AUTO_MAX_P_VALUE_ROWS ? 'ks' : 'wasserstein';
}

/** The method a feature is scored with under these settings. */
export function featureMethod(settings: Pick<DriftSettings, 'method'>, feature: Pick<Profile['features'][number], 'count' | 'fine' | 'categorical'>): DriftMethod {
  return driftMethod(settings.method === AUTO ? autoMethod(feature) : settings.method);
}

/** A profile the fine methods can use (version 2), or a one-line ProfileError. */
function checkFineBaseline(profile: Profile, methodId: string): void {
  if (profile.features.every((f) => f.fine)) return;
  throw new ProfileError(`baseline ${profile.source.file}: method ${methodId} needs the fine summary of profile version 2, and this profile is version ${profile.version}; rebuild it with \`driftcatcher baseline\``);
}
