/**
 * Data quality, as drift signals of their own (issue 12; Evidently's #187: a change of the
 * null rate is not a change of the distribution, so it is not folded into PSI but judged apart,
 * with its own threshold). Per feature, from the counts the scan already makes:
 *
 * - missing rate: non-finite values / rows, baseline against batch; a breach when the absolute
 *   change is above `missingThreshold`;
 * - out of range: current finite values below the training minimum or above its maximum (the
 *   scan bins on the minimum and nextUp(maximum) too: rangeScanEdges), count and share of the
 *   current finite values; a breach when the share is above `outOfRangeThreshold`;
 * - constant: the baseline's state (std 0: `constant`; its most frequent value at least
 *   `constantThreshold` of the finite values, from the fine summary's atoms: `almost_constant`)
 *   and the batch's: at least `constantThreshold` of its finite values equal to one value v that
 *   the baseline has less than that share of, with the share of the other values at least
 *   halved, is a breach (a column that collapsed in production, the classic broken pipeline; the
 *   halving keeps a share that merely crosses the threshold, 94% -> 95.3%, from flapping). The scan sees one value where it has a bin [v, nextUp(v)): the
 *   training minimum on the PSI path (rangeScanEdges), every fine edge on the fine path; a batch
 *   stuck outside the training range is an out_of_range breach instead;
 * - new categories: the share of a categorical feature's values in categories the baseline has
 *   not seen (`new_category_share`, given by the categorical columns when they report it); a
 *   breach above `newCategoryThreshold`;
 * - columns: baseline features missing from the batch (compat: skipped) and batch columns that
 *   the baseline lacks, when the caller knows them.
 *
 * A breach makes the verdict at least `quality.action` (default `alert`), never more on its own;
 * `none` reports the signals without touching the verdict. Thresholds and the action are stated in
 * the report's settings (`settings.quality`). docs/STATISTICS.md, "Data quality".
 */
import { UsageError } from '../util/index.js';
import type { Action } from './decide.js';
import type { FeatureCounts } from './counts.js';
import { nextUp, type FeatureProfile } from '../profile/index.js';

/** What a quality breach makes the verdict at least; `none`: the signals are reported only. */
export type QualityAction = Exclude<Action, 'wait'> | 'none';
export const QUALITY_ACTIONS: readonly QualityAction[] = ['alert', 'retrain', 'none'];

/** The quality signals' options (all optional; defaults in DRIFT_DEFAULTS.quality). */
export interface QualityOptions {
  /** a feature's missing rate (non-finite values / rows) changed by more than this, absolute (default 0.05) */
  missingThreshold?: number;
  /** more than this share of a feature's current finite values outside the training range (default 0.05) */
  outOfRangeThreshold?: number;
  /** one value (baseline) or one bin (batch) with at least this share of the finite values is almost constant (default 0.95) */
  constantThreshold?: number;
  /** more than this share of a categorical feature's values in new categories (default 0.05) */
  newCategoryThreshold?: number;
  /** what a breach makes the verdict at least (default `alert`; `none`: reported only) */
  action?: QualityAction;
}

/** The resolved quality settings, as reports state them (snake_case). */
export interface QualitySettings {
  missing_threshold: number;
  out_of_range_threshold: number;
  constant_threshold: number;
  new_category_threshold: number;
  /** the fewest current finite values the batch's constant signal judges (QUALITY_MIN_VALUES) */
  constant_min_values: number;
  /** what a breach makes the verdict at least; `none`: nothing (compat semantics: always `none`, the original tool's verdict is kept) */
  action: QualityAction;
}

export const QUALITY_DEFAULTS = Object.freeze({
  missingThreshold: 0.05,
  outOfRangeThreshold: 0.05,
  constantThreshold: 0.95,
  newCategoryThreshold: 0.05,
  action: 'alert' as QualityAction,
});

/**
 * The batch's constant signal needs at least this many finite values: in fewer, one bin holding
 * nearly all of them is as likely chance as a broken column (the same floor as the performance
 * monitor's 30 labelled rows).
 */
export const QUALITY_MIN_VALUES = 30;

/** The signal names, as breaches and metrics name them. */
export type QualitySignal = 'missing_rate' | 'out_of_range' | 'constant' | 'new_categories' | 'missing_column';

export function resolveQualityOptions(options: QualityOptions = {}, semantics: 'default' | 'compat:driftcatcher' = 'default'): QualitySettings {
  const share = (key: 'missingThreshold' | 'outOfRangeThreshold' | 'newCategoryThreshold' | 'constantThreshold', low: number, high: number): number => {
    const value = options[key] ?? QUALITY_DEFAULTS[key];
    if (!(Number.isFinite(value) && value >= low && value <= high)) throw new UsageError(`must be a share from ${low} to ${high}, got ${value}`, { option: `quality.${key}` });
    return value;
  };
  const action = options.action ?? QUALITY_DEFAULTS.action;
  if (!QUALITY_ACTIONS.includes(action)) throw new UsageError(`unknown action "${String(action)}": expected one of ${QUALITY_ACTIONS.join(', ')}`, { option: 'quality.action' });
  return {
    missing_threshold: share('missingThreshold', 0, 1),
    out_of_range_threshold: share('outOfRangeThreshold', 0, 1),
    // a share of 0.5 or less is no longer "almost constant" (two values could both reach it)
    constant_threshold: share('constantThreshold', 0.5, 1),
    new_category_threshold: share('newCategoryThreshold', 0, 1),
    constant_min_values: QUALITY_MIN_VALUES,
    // compat reproduces the original tool's verdict: the signals are reported, the verdict is its own
    action: semantics === 'default' ? action : 'none',
  };
}

/** The missing-rate signal of one feature. */
export interface MissingRate {
  /** baseline non-finite values / baseline rows */
  reference_rate: number;
  /** current non-finite values / current rows */
  current_rate: number;
  /** current_rate - reference_rate */
  change: number;
  /** |change| > missing_threshold */
  breach: boolean;
}

/** The out-of-range signal of one feature (null when the scan's edges do not bound the training range: the baseline has no finite value). */
export interface OutOfRange {
  /** current finite values below the training minimum */
  below: number;
  /** current finite values above the training maximum */
  above: number;
  count: number;
  /** count / current finite values (0 when there are none) */
  share: number;
  /** share > out_of_range_threshold */
  breach: boolean;
}

/** The constant signal of one feature. */
export interface Constancy {
  /** the baseline: `constant` (std 0), `almost_constant` (its top value's share >= constant_threshold), or null */
  reference: 'constant' | 'almost_constant' | null;
  /** the share of the baseline's most frequent finite value (from the fine summary; a version 1 profile: 1 when constant, else null) */
  reference_top_share: number | null;
  /** the largest share of the batch's finite values in one scan bin (null without finite values) */
  current_top_share: number | null;
  /** that bin, [lo, hi) (null: unbounded on that side) */
  current_top_bin: [number | null, number | null] | null;
  /** the bin holds one value only ([v, nextUp(v))): the batch's top value, exactly */
  current_top_value: number | null;
  /** the baseline's share of its finite values in that bin (null when the profile cannot say) */
  reference_share_in_bin: number | null;
  /** the top bin holds one value, the batch has >= constant_min_values finite values, >= constant_threshold of them there, the baseline less than that, and the batch's other values are at most half the baseline's share of them */
  breach: boolean;
}

/** The new-category signal of a categorical feature (the share comes from the categorical columns' counts). */
export interface NewCategories {
  /** share of the batch's values in categories the baseline has not seen */
  share: number;
  /** share > new_category_threshold */
  breach: boolean;
}

/** One feature's data quality. */
export interface FeatureQuality {
  missing_rate: MissingRate;
  out_of_range: OutOfRange | null;
  constant: Constancy;
  /** categorical features only (null for numeric ones) */
  new_categories: NewCategories | null;
  /** the signals in breach, in this order: missing_rate, out_of_range, constant, new_categories */
  breaches: QualitySignal[];
}

export interface QualityBreach {
  feature: string;
  signal: QualitySignal;
}

/** The dataset's data quality. */
export interface QualitySummary {
  /** over every feature counted: non-finite values / (rows x features), baseline and batch */
  missing_rate: { reference: number; current: number; change: number };
  /** over every feature counted: current finite values outside their training range, and their share of the finite values */
  out_of_range: { count: number; share: number };
  /** features constant or almost constant in the baseline (information, never a breach) */
  constant_in_baseline: string[];
  /** baseline features the batch lacks (default semantics: the check refuses such a batch, so this is empty; compat: skipped) and batch columns the baseline lacks (when known) */
  columns: { only_in_baseline: string[]; only_in_batch: string[] };
  /** every breach, in feature order */
  breaches: QualityBreach[];
  n_breaches: number;
  /** what the breaches made the verdict at least (null: none, or settings.quality.action is `none`) */
  action: Exclude<Action, 'wait'> | null;
}

const share = (count: number, size: number) => (size > 0 ? count / size : 0);

/** Missing rate of one feature: baseline rows and non-finite values against the batch's. */
export function missingRate(reference: { missing: number; rows: number }, current: { nonFinite: number; rows: number }, threshold: number): MissingRate {
  const referenceRate = share(reference.missing, reference.rows);
  const currentRate = share(current.nonFinite, current.rows);
  const change = currentRate - referenceRate;
  return { reference_rate: referenceRate, current_rate: currentRate, change, breach: Math.abs(change) > threshold };
}

/** Out-of-range values of one feature, from the counts below the training minimum and above its maximum. */
export function outOfRange(counts: { below: number; above: number } | null, finite: number, threshold: number): OutOfRange | null {
  if (!counts) return null;
  const count = counts.below + counts.above;
  const s = share(count, finite);
  return { below: counts.below, above: counts.above, count, share: s, breach: s > threshold };
}

/**
 * The baseline's constancy: std 0 is `constant`; the top value's share of the finite values (the
 * fine summary's largest atom: every value with a share of at least 1 / resolution is one of its
 * edges) at or above the threshold is `almost_constant`.
 */
export function referenceConstancy(feature: Pick<FeatureProfile, 'count' | 'std' | 'fine'>, threshold: number): Pick<Constancy, 'reference' | 'reference_top_share'> {
  if (feature.count === 0) return { reference: null, reference_top_share: null };
  const constant = feature.std === 0 || feature.fine?.distinct === 1;
  const top = feature.fine ? Math.max(0, ...feature.fine.atoms) / feature.count : constant ? 1 : null;
  return { reference: constant ? 'constant' : top !== null && top >= threshold ? 'almost_constant' : null, reference_top_share: top };
}

/** The constant signal of one feature: the baseline's state and the batch's top bin against it. */
export function constancy(feature: Pick<FeatureProfile, 'count' | 'std' | 'fine'>, counts: Pick<FeatureCounts, 'finite' | 'topBin'>, threshold: number, minValues = QUALITY_MIN_VALUES): Constancy {
  const reference = referenceConstancy(feature, threshold);
  const top = counts.topBin;
  if (!top || counts.finite === 0) return { ...reference, current_top_share: null, current_top_bin: null, current_top_value: null, reference_share_in_bin: null, breach: false };
  const currentShare = top.count / counts.finite;
  const referenceShare = Number.isNaN(top.reference) || feature.count === 0 ? null : top.reference / feature.count;
  const single = Number.isFinite(top.lo) && Number.isFinite(top.hi) && nextUp(top.lo) === top.hi;
  // only a bin of one value says "constant"; the baseline already that concentrated there (or unknown) is no news, and
  // nor is a share that crosses the threshold by a little (94% -> 95.3%): a collapse loses at least half of the other values
  const breach = single && counts.finite >= minValues && currentShare >= threshold && referenceShare !== null && referenceShare < threshold && 1 - currentShare <= (1 - referenceShare) / 2;
  return {
    ...reference,
    current_top_share: currentShare,
    current_top_bin: [Number.isFinite(top.lo) ? top.lo : null, Number.isFinite(top.hi) ? top.hi : null],
    current_top_value: single ? top.lo : null,
    reference_share_in_bin: referenceShare,
    breach,
  };
}

/** The new-category signal, from the share the categorical counts give (undefined: not categorical, null signal). */
export function newCategories(newCategoryShare: number | undefined, threshold: number): NewCategories | null {
  if (newCategoryShare === undefined) return null;
  return { share: newCategoryShare, breach: newCategoryShare > threshold };
}

/** Everything of one feature. */
export function featureQuality(parts: Omit<FeatureQuality, 'breaches'>): FeatureQuality {
  const breaches: QualitySignal[] = [];
  if (parts.missing_rate.breach) breaches.push('missing_rate');
  if (parts.out_of_range?.breach) breaches.push('out_of_range');
  if (parts.constant.breach) breaches.push('constant');
  if (parts.new_categories?.breach) breaches.push('new_categories');
  return { ...parts, breaches };
}

/**
 * The dataset summary of the features' quality. A baseline feature missing from the batch is a
 * breach of its own (`missing_column`); a batch column the baseline lacks is reported, not a
 * breach (a new column cannot have drifted, and many pipelines add columns).
 */
export function qualitySummary(
  features: ReadonlyArray<{ name: string; quality: FeatureQuality; missing: { reference: number; current: number }; outOfRange: number; finite: number }>,
  sizes: { referenceRows: number; currentRows: number },
  columns: { onlyInBaseline: string[]; onlyInBatch: string[] },
  constantInBaseline: string[],
  settings: QualitySettings,
): QualitySummary {
  const breaches: QualityBreach[] = [];
  for (const f of features) for (const signal of f.quality.breaches) breaches.push({ feature: f.name, signal });
  for (const name of columns.onlyInBaseline) breaches.push({ feature: name, signal: 'missing_column' });
  let referenceMissing = 0;
  let currentMissing = 0;
  let out = 0;
  let finite = 0;
  for (const f of features) {
    referenceMissing += f.missing.reference;
    currentMissing += f.missing.current;
    out += f.outOfRange;
    finite += f.finite;
  }
  const reference = share(referenceMissing, sizes.referenceRows * features.length);
  const current = share(currentMissing, sizes.currentRows * features.length);
  return {
    missing_rate: { reference, current, change: current - reference },
    out_of_range: { count: out, share: share(out, finite) },
    constant_in_baseline: constantInBaseline,
    columns: { only_in_baseline: columns.onlyInBaseline, only_in_batch: columns.onlyInBatch },
    breaches,
    n_breaches: breaches.length,
    action: breaches.length > 0 && settings.action !== 'none' ? settings.action : null,
  };
}

/** The verdict with the quality floor: at least `floor` (null: unchanged). */
export function withQualityFloor(action: Action, floor: Exclude<Action, 'wait'> | null): Action {
  const rank: Record<Action, number> = { wait: 0, alert: 1, retrain: 2 };
  return floor !== null && rank[floor] > rank[action] ? floor : action;
}
