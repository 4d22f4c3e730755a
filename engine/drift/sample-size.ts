/**
 * When a batch is too small for a drift verdict to mean anything.
 *
 * Under no drift, a feature's PSI over k bins (with an expected share > 0) between a batch of n
 * values and a baseline of n_ref rows is, to second order, a chi-square-like sum:
 * PSI = sum((a - e) ln(a / e)) ~ sum((a - e)^2 / p), and since a and e are independent multinomial
 * shares with variances p(1 - p)/n and p(1 - p)/n_ref,
 *
 *   E[PSI | no drift] ~ (k - 1) / n + (k - 1) / n_ref
 *
 * (for 10 deciles and a large baseline: 9 / n, so 0.09 at 100 rows and 0.9 at 10 rows). When that
 * noise floor is above half the PSI threshold, sampling noise alone pushes features towards
 * "drifted": the report then carries `small_sample` (the CLI warns on stderr). The smallest batch
 * that passes is n >= (k - 1) / (limit - (k - 1) / n_ref), limit = threshold / 2. For methods other
 * than PSI the same floor is measured against PSI's default threshold (0.2): the sample is too
 * small whatever the method. Checked against a numpy Monte Carlo in
 * test/engine/drift/sample-size.test.ts. For tiny batches (empty bins replaced by epsilon) the true
 * noise is larger still than the approximation: the warning errs on the quiet side.
 */
import { driftMethod } from './methods/index.js';

export const SMALL_SAMPLE_RULE =
  'E[PSI | no drift] ~ (k-1)/n + (k-1)/n_ref (chi-square approximation; k = bins with an expected share > 0, n = batch values, n_ref = baseline rows); warn when it is above half the PSI threshold';

export interface SmallSample {
  /** one line for people */
  message: string;
  /** batch values of the feature with the highest noise floor */
  rows: number;
  /** rows a batch needs for that feature to pass; null when even the baseline is too small */
  min_rows: number | null;
  /** E[PSI | no drift] of that feature */
  expected_psi: number;
  /** half the PSI threshold */
  limit: number;
  /** bins (with an expected share > 0) of that feature */
  bins: number;
  rule: string;
}

export interface FeatureSample {
  /** expected shares per bin before epsilon (zero = a bin the baseline never saw) */
  expected: ArrayLike<number>;
  /** batch values counted for the feature */
  count: number;
}

/** `small_sample` of a drift report: null when the batch is large enough for every feature. */
export function smallSample(features: readonly FeatureSample[], referenceRows: number, settings: { method: string; threshold: number }): SmallSample | null {
  const threshold = settings.method === 'psi' ? settings.threshold : driftMethod('psi').defaultThreshold;
  const limit = threshold / 2;
  let worst: { noise: number; k: number; n: number } | null = null;
  for (const feature of features) {
    let k = 0;
    for (let i = 0; i < feature.expected.length; i++) if (feature.expected[i]! > 0) k++;
    if (k < 2 || feature.count <= 0) continue; // one bin, or nothing counted: no PSI to be noisy
    const noise = (k - 1) / feature.count + (referenceRows > 0 ? (k - 1) / referenceRows : Infinity);
    if (!worst || noise > worst.noise) worst = { noise, k, n: feature.count };
  }
  if (!worst || !(worst.noise > limit)) return null;
  const floor = (worst.k - 1) / referenceRows;
  const minRows = limit > floor ? Math.ceil((worst.k - 1) / (limit - floor)) : null;
  const needed = minRows === null ? `the baseline's ${referenceRows} rows are too few themselves` : `a batch needs at least ${minRows} rows`;
  return {
    message: `sample too small for the verdict to mean anything: ${worst.n} rows over ${worst.k} bins give an expected PSI of ${worst.noise.toFixed(3)} under no drift, above half the threshold (${limit}); ${needed}`,
    rows: worst.n,
    min_rows: minRows,
    expected_psi: worst.noise,
    limit,
    bins: worst.k,
    rule: SMALL_SAMPLE_RULE,
  };
}
