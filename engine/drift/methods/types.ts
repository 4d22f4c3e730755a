/**
 * The drift method interface. A method scores one feature from the binned COUNTS of the baseline
 * (reference) and the current data, their sizes and the bin edges, not from proportions someone
 * else smoothed, so that a test on counts (chi-squared, a p-value) fits as well as a distance.
 * It declares what its score is (`scoreKind`): a distance drifts when it is above the threshold,
 * a p-value when it is below; that direction is decided here, once (isDrifted, beyond, moreDrifted).
 */
import type { FeatureProfile } from '../../profile/index.js';

export type ScoreKind = 'distance' | 'p_value';

/**
 * How the bins relate to `edges`:
 * - `open` (the default semantics): edges.length + 1 bins, (-inf, e[0]), [e[0], e[1]), ...,
 *   [e[k-1], +inf), then one more bin counting the non-finite values;
 * - `histogram` (`compat: 'driftcatcher'`): np.histogram's edges.length - 1 bins on the stored
 *   edges, [e[0], e[1]), ..., [e[k-2], e[k-1]] (last bin closed, repeated edges give empty bins);
 *   values outside them are not in any bin but are in `currentSize` (the original tool's share);
 * - `categories` (a categorical feature, profile version 2): one bin per category value in
 *   `edges` (the baseline's), then "other" (values not among them), then the non-finite values.
 */
export type BinLayout = 'open' | 'histogram' | 'categories';

/**
 * Summaries of a feature richer than its bins: the baseline's profile of the feature (count, min,
 * max, mean, std, quantiles, and in version 2 its fine summary).
 */
export interface FeatureSummary {
  reference: Readonly<FeatureProfile>;
}

/**
 * Both sides counted on the baseline's fine edges (profile version 2, FineSummary; the scan's
 * edges fineScanEdges: each fine edge and the next double, so that ties at an edge have a bin of
 * their own), for the methods that declare `needs: 'fine'`: finite values only, in the open bins
 * (-inf, e[0]), [e[0], e[1]), ..., [e[m-1], +inf) (e[0] is the training minimum, e[m-1] just
 * above its maximum), and the current values' tails beyond them.
 */
export interface FineCounts {
  edges: readonly number[];
  /** baseline finite counts per open bin (edges.length + 1) */
  reference: Float64Array;
  /** current finite counts per open bin */
  current: Float64Array;
  /** current tails: sum of (e[0] - v) over v < e[0], and of (v - e[m-1]) over v > e[m-1] */
  currentTails: { below: number; above: number };
}

/** What a method sees of one feature. */
export interface DriftInput {
  /** baseline counts per bin */
  reference: Float64Array;
  /** current counts per bin (same bins) */
  current: Float64Array;
  /** what the baseline counts are shares of (its rows; compat: its complete rows) */
  referenceSize: number;
  /** what the current counts are shares of (values counted; compat: finite values, out-of-range ones included) */
  currentSize: number;
  /** the bin edges (see `bins` for how many bins they make) */
  edges: readonly number[];
  bins: BinLayout;
  /** the value that replaces a zero share, for the methods that smooth (PSI, and the distances, see below) */
  epsilon: number;
  summary?: FeatureSummary;
  /** the fine counts of both sides, given to the methods that declare `needs: 'fine'` */
  fine?: FineCounts;
}

export interface MethodScore {
  /** what the threshold applies to: the distance, or for a `p_value` method its p-value */
  score: number;
  /** a distance method that also has a test may give its p-value (reported, never thresholded) */
  p_value?: number;
  /** the test's statistic, when the score is not the statistic itself (KS's D, chi-squared's X^2, Wasserstein's unnormed distance) */
  statistic?: number;
  /** where the raw-data statistic lies, as far as the summaries tell (see docs/STATISTICS.md) */
  statistic_bounds?: [number, number];
}

/**
 * How sampling noise shows in a score, to second order: with S = sum((a - e)^2 / e) over the bins
 * (E[S | no drift] ~ (k - 1) / n + (k - 1) / n_ref, see sample-size.ts), the method's score under
 * no drift is about `fromChiSquare(S)`. Methods whose score already accounts for the sample size
 * (p-values) leave it out, and get no small-sample warning.
 */
export interface NoiseLink {
  /** the formula, for the report's rule text (`S`, `sqrt(S / 8)`) */
  formula: string;
  fromChiSquare(s: number): number;
  /** the inverse: the S at which the score reaches `score` */
  toChiSquare(score: number): number;
}

export interface DriftMethod {
  id: string;
  title: string;
  scoreKind: ScoreKind;
  defaultThreshold: number;
  noise?: NoiseLink;
  /** `fine`: the method reads DriftInput.fine (the scan bins on the fine edges; profile version 2 only) */
  needs?: 'fine';
  compute(input: DriftInput): MethodScore;
}

/** True when `score` is past `limit` in the direction of drift: above for a distance, below for a p-value. */
export function beyond(kind: ScoreKind, score: number, limit: number): boolean {
  return kind === 'distance' ? score > limit : score < limit;
}

export function isDrifted(method: Pick<DriftMethod, 'scoreKind'>, score: number, threshold: number): boolean {
  return beyond(method.scoreKind, score, threshold);
}

/** Sort order of scores, most drifted first (a distance's highest, a p-value's lowest); NaN compares as equal. */
export function moreDrifted(kind: ScoreKind): (a: number, b: number) => number {
  return kind === 'distance' ? (a, b) => b - a : (a, b) => a - b;
}

/**
 * Shares per bin, count / size (0 when the size is 0), each zero share replaced by `epsilon`: what
 * PSI compares (the original tool's smoothing), and what the report shows as `expected`/`actual`.
 */
export function smoothedShares(counts: Float64Array, size: number, epsilon: number): Float64Array {
  return counts.map((c) => {
    const share = size > 0 ? c / size : 0;
    return share === 0 ? epsilon : share;
  });
}

/** `values` divided by their sum. */
export function normalised(values: Float64Array): Float64Array {
  let total = 0;
  for (const v of values) total += v;
  return values.map((v) => v / total);
}

/**
 * Cumulative shares of open-bin counts: out[t] = share of the values in bins 0..t (for fine
 * counts: the share below edge t), out[last] = 1; null when there are no values.
 */
export function cumulativeShares(counts: Float64Array): Float64Array | null {
  let total = 0;
  for (const c of counts) total += c;
  if (!(total > 0)) return null;
  const out = new Float64Array(counts.length);
  let running = 0;
  for (let i = 0; i < counts.length; i++) {
    running += counts[i]!;
    out[i] = running / total;
  }
  out[counts.length - 1] = 1;
  return out;
}
