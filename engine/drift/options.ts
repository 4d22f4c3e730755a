/**
 * The options of a drift check, as piscina shapes them: DriftOptions (all optional) ->
 * resolveDriftOptions() -> DriftSettings, with every default in one constant, DRIFT_DEFAULTS (the
 * CLI's `--help` shows those). The resolved settings are stated in every report, so that every
 * number in it can be explained. Messages name the option (`epsilon: must be ...`), never a flag.
 */
import { ProfileError, UsageError } from '../util/index.js';
import { DRIFT_METHODS, driftMethod, type ScoreKind } from './methods/index.js';
import { AGGREGATIONS, DEFAULT_POLICY, policySettings, type Aggregation, type DecisionPolicy, type PolicySettings } from './decide.js';
import type { Profile } from '../profile/index.js';

export type Compat = 'driftcatcher';
export const COMPATS: readonly Compat[] = ['driftcatcher'];

export interface DriftOptions {
  /** reproduce another tool's semantics exactly (`driftcatcher`: the original Python tool; it uses PSI) */
  compat?: Compat | null;
  /** drift method id (default `psi`) */
  method?: string;
  /** per-feature threshold (default: the method's, DRIFT_DEFAULTS.thresholds) */
  threshold?: number;
  /** replaces zero shares in both distributions, for the methods that smooth (default 1e-4) */
  epsilon?: number;
  /** how feature scores become the overall score (default `mean`) */
  aggregation?: Aggregation;
  policy?: Partial<DecisionPolicy>;
}

export interface DriftSettings {
  semantics: 'default' | 'compat:driftcatcher';
  binning: string;
  method: string;
  score_kind: ScoreKind;
  threshold: number;
  epsilon: number;
  bins: number;
  aggregation: Aggregation;
  /** the decision policy resolved from options.policy (DecisionPolicy), in the report's snake_case */
  policy: PolicySettings;
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
  policy: { ...DEFAULT_POLICY } as DecisionPolicy,
});

const BINNING = {
  default: 'training quantiles at q = i / bins, repeats merged, open outer bins, separate missing bin for non-finite values; proportions = counts / rows',
  compat:
    'np.histogram on the stored quantiles of complete training rows at q = np.linspace(0, 1, bins + 1) (out-of-range values dropped, last bin closed); actual = counts / finite values; features not in the data or without a finite value are skipped',
};

export function resolveDriftOptions(profile: Profile, options: DriftOptions = {}): DriftSettings {
  const compat = options.compat ?? DRIFT_DEFAULTS.compat;
  if (compat !== null && !COMPATS.includes(compat)) throw new UsageError(`unknown semantics "${String(compat)}": expected ${COMPATS.join(', ')}`, { option: 'compat' });
  const method = driftMethod(options.method ?? DRIFT_DEFAULTS.method);
  if (compat && method.id !== 'psi') throw new UsageError(`compat "${compat}" is the original tool, which uses psi, not "${method.id}": leave the method out`, { option: 'method' });
  const epsilon = options.epsilon ?? DRIFT_DEFAULTS.epsilon;
  if (!(epsilon > 0 && epsilon < 1)) throw new UsageError(`must be between 0 and 1, got ${epsilon}`, { option: 'epsilon' });
  const threshold = options.threshold ?? method.defaultThreshold;
  if (!Number.isFinite(threshold)) throw new UsageError(`must be a finite number, got ${threshold}`, { option: 'threshold' });
  const aggregation = options.aggregation ?? DRIFT_DEFAULTS.aggregation;
  if (!AGGREGATIONS.includes(aggregation)) throw new UsageError(`unknown aggregation "${String(aggregation)}": expected one of ${AGGREGATIONS.join(', ')}`, { option: 'aggregation' });
  const policy = resolvePolicy(options.policy);
  if (compat) checkCompatBaseline(profile);
  return {
    semantics: compat ? 'compat:driftcatcher' : 'default',
    binning: compat ? BINNING.compat : BINNING.default,
    method: method.id,
    score_kind: method.scoreKind,
    threshold,
    epsilon,
    bins: profile.bins,
    aggregation,
    policy: policySettings(policy),
  };
}

/** The defaults under the fields given (a field given as undefined keeps its default). */
function resolvePolicy(given: Partial<DecisionPolicy> = {}): DecisionPolicy {
  const policy = { ...DRIFT_DEFAULTS.policy };
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

/** The edges each feature is binned on under these settings (what the pool is prepared with). */
export function binEdges(profile: Profile, settings: Pick<DriftSettings, 'semantics'>): Float64Array[] {
  return profile.features.map((f) => Float64Array.from(settings.semantics === 'default' ? f.edges : f.compat.edges));
}
