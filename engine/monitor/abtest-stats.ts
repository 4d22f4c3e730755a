/**
 * The statistics of an A/B test of two classifiers scored on the same labelled rows (pure
 * functions, no I/O): the metrics, a paired percentile bootstrap of each metric and of the
 * difference, McNemar's exact test on the discordant pairs (accuracy) and DeLong's test of two
 * correlated ROC AUCs. Definitions in docs/MODEL.md ("A/B tests"); checked against statsmodels,
 * scipy and scikit-learn in test/reference/abtest.test.ts.
 *
 * - Bootstrap: round r draws n row indices uniformly with replacement from `Rng(seed, r)`
 *   (`resampleIndices`), the same rows for both models (paired). The interval is numpy's default
 *   (`linear`) percentile of the rounds' values at (1 - confidence) / 2 and (1 + confidence) / 2;
 *   rounds where a metric is undefined (AUC of a resample with one class) are left out and counted.
 *   The bootstrap p-value of the difference is two-sided, counted with the observed sample as one
 *   more round (so never 0): 2 (min(#rounds with B - A <= 0, #rounds with B - A >= 0) + 1) /
 *   (rounds + 1), at most 1.
 * - McNemar (exact): b = rows A got right and B wrong, c = the reverse; p = min(1, 2 P(X <= min(b, c)))
 *   for X ~ Binomial(b + c, 1/2), as statsmodels' `mcnemar(table, exact=True)`.
 * - DeLong (DeLong, DeLong & Clarke-Pearson 1988, with the midrank form of Sun & Xu 2014): the
 *   structural components V10 (per positive) and V01 (per negative) of each AUC, their 2 x 2
 *   covariance matrices S10 and S01, var(AUC_B - AUC_A) = (S10_aa + S10_bb - 2 S10_ab) / m +
 *   (S01_aa + S01_bb - 2 S01_ab) / n, z = difference / sqrt(var), two-sided normal p-value.
 */
import { Rng } from '../util/index.js';
import { chiSquareSf, logGamma } from '../drift/index.js';
import { UsageError } from '../util/index.js';
import { accuracy, f1Score, rocAuc } from '../model/index.js';

export const AB_METRICS = ['f1', 'accuracy', 'auc'] as const;
export type AbMetric = (typeof AB_METRICS)[number];
export type AbTestName = 'mcnemar_exact' | 'delong' | 'paired_bootstrap';
/** The test that decides significance for each metric. */
export const AB_DECIDING_TEST: Record<AbMetric, AbTestName> = { accuracy: 'mcnemar_exact', auc: 'delong', f1: 'paired_bootstrap' };

export const ABTEST_DEFAULTS = {
  /** the metric that picks the winner */
  metric: 'f1' as AbMetric,
  /** significance level; the intervals are at confidence 1 - alpha */
  alpha: 0.05,
  /** bootstrap rounds */
  bootstrap: 1000,
  seed: 0,
} as const;

/** One model's predictions on the rows: y_pred (0/1) and y_prob (the positive class's score). */
export interface ScoredRows {
  pred: ArrayLike<number>;
  proba: ArrayLike<number>;
}

export interface Interval {
  low: number;
  high: number;
}

export interface McNemarResult {
  /** rows model A classified right and model B wrong */
  a_only_correct: number;
  /** rows model B classified right and model A wrong */
  b_only_correct: number;
  /** min(b, c), statsmodels' `statistic` of the exact test */
  statistic: number;
  p_value: number;
}

export interface DeLongResult {
  auc_a: number;
  auc_b: number;
  /** AUC_B - AUC_A */
  difference: number;
  /** the estimated variance of the difference */
  variance: number;
  /** difference / sqrt(variance); NaN when the variance is 0 (then p_value is 1 for a zero difference) */
  z: number;
  p_value: number;
}

export interface MetricComparison {
  a: number;
  b: number;
  /** B - A */
  difference: number;
  ci_a: Interval;
  ci_b: Interval;
  ci_difference: Interval;
  /** the paired bootstrap's two-sided p-value of the difference */
  bootstrap_p_value: number;
  /** rounds where the metric was defined for both models */
  valid_rounds: number;
}

export interface AbStatistics {
  rows: number;
  positives: number;
  confidence: number;
  bootstrap: { rounds: number; seed: number };
  metrics: Record<AbMetric, MetricComparison>;
  mcnemar: McNemarResult;
  /** null when the labels hold one class only (no AUC) */
  delong: DeLongResult | null;
}

export interface AbDecision {
  metric: AbMetric;
  test: AbTestName;
  p_value: number;
  alpha: number;
  /** metric of B - metric of A */
  improvement: number;
  /** improvement / metric of A (NaN when A's is 0) */
  relative_improvement: number;
  /** the model with the better point estimate; `tie` when they are equal */
  winner: 'a' | 'b' | 'tie';
  /** p_value < alpha */
  significant: boolean;
}

export interface AbTestOptions {
  metric?: AbMetric;
  alpha?: number;
  bootstrap?: number;
  seed?: number;
}

export interface ResolvedAbTestOptions {
  metric: AbMetric;
  alpha: number;
  bootstrap: number;
  seed: number;
}

/** The options with the defaults filled in; a bad value is a UsageError naming the option. */
export function resolveAbTestOptions(options: AbTestOptions = {}): ResolvedAbTestOptions {
  const resolved: ResolvedAbTestOptions = {
    metric: options.metric ?? ABTEST_DEFAULTS.metric,
    alpha: options.alpha ?? ABTEST_DEFAULTS.alpha,
    bootstrap: options.bootstrap ?? ABTEST_DEFAULTS.bootstrap,
    seed: options.seed ?? ABTEST_DEFAULTS.seed,
  };
  if (!(AB_METRICS as readonly string[]).includes(resolved.metric)) throw new UsageError(`metric must be one of ${AB_METRICS.join(', ')}, got "${String(resolved.metric)}"`, { option: 'metric' });
  if (!(resolved.alpha > 0 && resolved.alpha < 1)) throw new UsageError(`alpha must be between 0 and 1 (exclusive), got ${resolved.alpha}`, { option: 'alpha' });
  if (!Number.isInteger(resolved.bootstrap) || resolved.bootstrap < 1) throw new UsageError(`bootstrap must be a positive integer, got ${resolved.bootstrap}`, { option: 'bootstrap' });
  if (!Number.isSafeInteger(resolved.seed) || resolved.seed < 0) throw new UsageError(`seed must be a non-negative integer, got ${resolved.seed}`, { option: 'seed' });
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Exact binomial tail and McNemar

/** P(X <= k) for X ~ Binomial(n, 1/2), k <= n / 2 summed downwards from the largest term. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (2 * k >= n) return 1 - binomialHalfCdf(n - k - 1, n);
  // term_k = C(n, k) / 2^n, the largest of the terms summed; term_{j-1} = term_j * j / (n - j + 1)
  let term = Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) - n * Math.LN2);
  let sum = 0;
  for (let j = k; j >= 0 && term > 0; j--) {
    sum += term;
    if (term < sum * 1e-17) break;
    term *= j / (n - j + 1);
  }
  return Math.min(1, sum);
}

/** McNemar's exact test from the two discordant counts. */
export function mcnemarExact(aOnlyCorrect: number, bOnlyCorrect: number): McNemarResult {
  const statistic = Math.min(aOnlyCorrect, bOnlyCorrect);
  const p = Math.min(1, 2 * binomialHalfCdf(statistic, aOnlyCorrect + bOnlyCorrect));
  return { a_only_correct: aOnlyCorrect, b_only_correct: bOnlyCorrect, statistic, p_value: p };
}

/** McNemar's exact test of two models' predictions on the same labelled rows. */
export function mcnemarTest(yTrue: ArrayLike<number>, predA: ArrayLike<number>, predB: ArrayLike<number>): McNemarResult {
  checkLengths(yTrue, predA, predB);
  let b = 0;
  let c = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const rightA = predA[i] === yTrue[i];
    const rightB = predB[i] === yTrue[i];
    if (rightA && !rightB) b++;
    else if (rightB && !rightA) c++;
  }
  return mcnemarExact(b, c);
}

// ---------------------------------------------------------------------------------------------
// DeLong

/** Midranks (1-based, ties averaged) of `values`. */
function midranks(values: Float64Array): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) ranks[order[k]!] = rank;
    i = j;
  }
  return ranks;
}

/** One score's AUC and structural components: V10 per positive, V01 per negative. */
function structuralComponents(positives: Float64Array, negatives: Float64Array): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = positives.length;
  const n = negatives.length;
  const all = new Float64Array(m + n);
  all.set(positives, 0);
  all.set(negatives, m);
  const rankAll = midranks(all);
  const rankPositives = midranks(positives);
  const rankNegatives = midranks(negatives);
  // V10(x_i) = share of negatives below x_i (ties 1/2) = (rank of x_i among all - its rank among the positives) / n
  const v10 = new Float64Array(m);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (rankAll[i]! - rankPositives[i]!) / n;
    sum += v10[i]!;
  }
  // V01(y_j) = share of positives above y_j (ties 1/2) = 1 - (rank of y_j among all - its rank among the negatives) / m
  const v01 = new Float64Array(n);
  for (let j = 0; j < n; j++) v01[j] = 1 - (rankAll[m + j]! - rankNegatives[j]!) / m;
  return { auc: sum / m, v10, v01 };
}

/** Sample covariance (denominator k - 1) of two equally long arrays. */
function covariance(x: Float64Array, y: Float64Array): number {
  const k = x.length;
  if (k < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < k; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= k;
  my /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (x[i]! - mx) * (y[i]! - my);
  return s / (k - 1);
}

/** DeLong's test of AUC_B - AUC_A on the same rows; null when y_true holds one class only. */
export function delongTest(yTrue: ArrayLike<number>, scoreA: ArrayLike<number>, scoreB: ArrayLike<number>): DeLongResult | null {
  checkLengths(yTrue, scoreA, scoreB);
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === 1) m++;
  const n = yTrue.length - m;
  if (m === 0 || n === 0) return null;
  const split = (score: ArrayLike<number>) => {
    const pos = new Float64Array(m);
    const neg = new Float64Array(n);
    let p = 0;
    let q = 0;
    for (let i = 0; i < yTrue.length; i++) {
      if (yTrue[i] === 1) pos[p++] = score[i]!;
      else neg[q++] = score[i]!;
    }
    return structuralComponents(pos, neg);
  };
  const a = split(scoreA);
  const b = split(scoreB);
  const s10 = covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10);
  const s01 = covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01);
  const variance = Math.max(0, s10 / m + s01 / n);
  const difference = b.auc - a.auc;
  if (variance === 0) return { auc_a: a.auc, auc_b: b.auc, difference, variance, z: NaN, p_value: difference === 0 ? 1 : 0 };
  const z = difference / Math.sqrt(variance);
  // two-sided normal tail: P(|Z| >= |z|) = P(chi2_1 >= z^2)
  return { auc_a: a.auc, auc_b: b.auc, difference, variance, z, p_value: chiSquareSf(z * z, 1) };
}

// ---------------------------------------------------------------------------------------------
// Paired bootstrap

/** The row indices of bootstrap round `round`: n draws with replacement from Rng(seed, round). */
export function resampleIndices(n: number, seed: number, round: number): Uint32Array {
  return fillResampleIndices(new Uint32Array(n), seed, round);
}

/** resampleIndices into `indices` (n = its length). */
function fillResampleIndices(indices: Uint32Array, seed: number, round: number): Uint32Array {
  const n = indices.length;
  const rng = new Rng(seed, round);
  for (let i = 0; i < n; i++) indices[i] = Math.min(n - 1, Math.floor(rng.uniform() * n));
  return indices;
}

/** numpy's default (`linear`) percentile of sorted values, q in [0, 100]. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const k = sorted.length;
  if (k === 0) return NaN;
  const position = (q / 100) * (k - 1);
  const lo = Math.floor(position);
  const hi = Math.min(k - 1, lo + 1);
  const fraction = position - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * fraction;
}

/**
 * ROC AUC on weighted rows (Mann-Whitney with ties counted 1/2, as scikit-learn's roc_auc_score
 * of the repeated rows): the rows sorted by score once; each round, one pass in that order.
 */
function weightedAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): (weights: Uint32Array, positives: number) => number {
  const n = yTrue.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[a]! - score[b]!);
  const positive = Uint8Array.from(order, (row) => (yTrue[row] === 1 ? 1 : 0));
  // lastOfGroup[k] = 1 where sorted row k ends a group of tied scores
  const lastOfGroup = new Uint8Array(n);
  for (let k = 0; k < n; k++) lastOfGroup[k] = k === n - 1 || score[order[k + 1]!] !== score[order[k]!] ? 1 : 0;
  return (weights, positives) => {
    let negativesBelow = 0;
    let pairs = 0;
    let groupPositives = 0;
    let groupNegatives = 0;
    for (let k = 0; k < n; k++) {
      const w = weights[order[k]!]!;
      if (positive[k]) groupPositives += w;
      else groupNegatives += w;
      if (lastOfGroup[k]) {
        pairs += groupPositives * (negativesBelow + groupNegatives / 2);
        negativesBelow += groupNegatives;
        groupPositives = 0;
        groupNegatives = 0;
      }
    }
    return positives === 0 || negativesBelow === 0 ? NaN : pairs / (positives * negativesBelow);
  };
}

/** Accuracy and F1 (0 when undefined, as scikit-learn) of one model from its confusion counts. */
function accuracyF1(tp: number, fp: number, fn: number, tn: number): { accuracy: number; f1: number } {
  const total = tp + fp + fn + tn;
  return { accuracy: total === 0 ? 0 : (tp + tn) / total, f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn) };
}

/**
 * Each metric's values over the bootstrap rounds, for both models (NaN where undefined). A round
 * counts its rows into the 8 cells (y_true, A's y_pred, B's y_pred), which give both models'
 * confusion counts, and weighs each row by its draws for the two AUC passes.
 */
export function bootstrapMetricValues(yTrue: ArrayLike<number>, a: ScoredRows, b: ScoredRows, rounds: number, seed: number, onRound?: (done: number) => void): Record<AbMetric, { a: Float64Array; b: Float64Array }> {
  const n = yTrue.length;
  const out = {} as Record<AbMetric, { a: Float64Array; b: Float64Array }>;
  for (const metric of AB_METRICS) out[metric] = { a: new Float64Array(rounds), b: new Float64Array(rounds) };
  const cell = new Uint8Array(n);
  for (let i = 0; i < n; i++) cell[i] = (yTrue[i] === 1 ? 4 : 0) + (a.pred[i] === 1 ? 2 : 0) + (b.pred[i] === 1 ? 1 : 0);
  const aucA = weightedAuc(yTrue, a.proba);
  const aucB = weightedAuc(yTrue, b.proba);
  const weights = new Uint32Array(n);
  const indices = new Uint32Array(n);
  const counts = new Float64Array(8);
  for (let round = 0; round < rounds; round++) {
    weights.fill(0);
    counts.fill(0);
    fillResampleIndices(indices, seed, round);
    for (let i = 0; i < n; i++) {
      const row = indices[i]!;
      weights[row]!++;
      counts[cell[row]!]!++;
    }
    // cells: 4 y_true + 2 pred_a + pred_b
    const c = (k: number) => counts[k]!;
    const positives = c(4) + c(5) + c(6) + c(7);
    const forA = accuracyF1(c(6) + c(7), c(2) + c(3), c(4) + c(5), c(0) + c(1));
    const forB = accuracyF1(c(5) + c(7), c(1) + c(3), c(4) + c(6), c(0) + c(2));
    out.accuracy.a[round] = forA.accuracy;
    out.accuracy.b[round] = forB.accuracy;
    out.f1.a[round] = forA.f1;
    out.f1.b[round] = forB.f1;
    out.auc.a[round] = aucA(weights, positives);
    out.auc.b[round] = aucB(weights, positives);
    onRound?.(round + 1);
  }
  return out;
}

function intervalOf(values: number[], confidence: number): Interval {
  const sorted = Float64Array.from(values).sort();
  return { low: percentileSorted(sorted, (100 * (1 - confidence)) / 2), high: percentileSorted(sorted, (100 * (1 + confidence)) / 2) };
}

/** The percentile intervals and the bootstrap p-value of one metric from its rounds. */
export function summarizeBootstrap(valuesA: Float64Array, valuesB: Float64Array, confidence: number): Omit<MetricComparison, 'a' | 'b' | 'difference'> {
  const a: number[] = [];
  const b: number[] = [];
  const d: number[] = [];
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let r = 0; r < valuesA.length; r++) {
    if (!Number.isFinite(valuesA[r]!) || !Number.isFinite(valuesB[r]!)) continue;
    a.push(valuesA[r]!);
    b.push(valuesB[r]!);
    const difference = valuesB[r]! - valuesA[r]!;
    d.push(difference);
    if (difference <= 0) atMostZero++;
    if (difference >= 0) atLeastZero++;
  }
  const valid = d.length;
  return {
    ci_a: intervalOf(a, confidence),
    ci_b: intervalOf(b, confidence),
    ci_difference: intervalOf(d, confidence),
    bootstrap_p_value: valid === 0 ? NaN : Math.min(1, (2 * (Math.min(atMostZero, atLeastZero) + 1)) / (valid + 1)),
    valid_rounds: valid,
  };
}

// ---------------------------------------------------------------------------------------------
// The whole comparison

/** A metric on every row once: engine/model's metrics (equal to scikit-learn's). */
export function metricOf(metric: AbMetric, yTrue: ArrayLike<number>, model: ScoredRows): number {
  if (metric === 'accuracy') return accuracy(yTrue, model.pred);
  if (metric === 'f1') return f1Score(yTrue, model.pred);
  return rocAuc(yTrue, model.proba);
}

/** Every statistic of two models scored on the same labelled rows. */
export function compareScored(yTrue: ArrayLike<number>, a: ScoredRows, b: ScoredRows, options: { bootstrap: number; seed: number; confidence: number; onRound?: (done: number) => void }): AbStatistics {
  checkLengths(yTrue, a.pred, b.pred, a.proba, b.proba);
  const n = yTrue.length;
  const rounds = bootstrapMetricValues(yTrue, a, b, options.bootstrap, options.seed, options.onRound);
  const metrics = {} as Record<AbMetric, MetricComparison>;
  for (const metric of AB_METRICS) {
    const valueA = metricOf(metric, yTrue, a);
    const valueB = metricOf(metric, yTrue, b);
    metrics[metric] = { a: valueA, b: valueB, difference: valueB - valueA, ...summarizeBootstrap(rounds[metric].a, rounds[metric].b, options.confidence) };
  }
  let positives = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === 1) positives++;
  return {
    rows: n,
    positives,
    confidence: options.confidence,
    bootstrap: { rounds: options.bootstrap, seed: options.seed },
    metrics,
    mcnemar: mcnemarTest(yTrue, a.pred, b.pred),
    delong: delongTest(yTrue, a.proba, b.proba),
  };
}

/** The winner on `metric` and whether its test finds the difference significant at `alpha`. */
export function decide(stats: AbStatistics, metric: AbMetric, alpha: number): AbDecision {
  const m = stats.metrics[metric];
  const test = AB_DECIDING_TEST[metric];
  const p = test === 'mcnemar_exact' ? stats.mcnemar.p_value : test === 'delong' ? (stats.delong?.p_value ?? NaN) : m.bootstrap_p_value;
  const improvement = m.difference;
  const winner = !Number.isFinite(improvement) || improvement === 0 ? 'tie' : improvement > 0 ? 'b' : 'a';
  return { metric, test, p_value: p, alpha, improvement, relative_improvement: m.a === 0 ? NaN : improvement / m.a, winner, significant: p < alpha };
}

function checkLengths(...arrays: ArrayLike<unknown>[]): void {
  const n = arrays[0]!.length;
  for (const array of arrays) if (array.length !== n) throw new RangeError(`inputs have different lengths: ${n} and ${array.length}`);
}
