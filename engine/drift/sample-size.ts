/**
 * When a batch is too small for a drift verdict to mean anything.
 *
 * Under no drift, a feature's shares over k bins (with a baseline count > 0) in a batch of n
 * values and a baseline of n_ref rows are independent multinomial shares with variances
 * p(1 - p)/n and p(1 - p)/n_ref, so the chi-square-like sum S = sum((a - e)^2 / p) has
 *
 *   E[S | no drift] ~ (k - 1) / n + (k - 1) / n_ref
 *
 * Each method says how its score follows S to second order (DriftMethod.noise): PSI ~ S, so its
 * noise floor is S itself (for 10 deciles and a large baseline: 9 / n, 0.09 at 100 rows, 0.9 at
 * 10); the Jensen-Shannon and Hellinger distances ~ sqrt(S / 8) (an upper bound of their mean, by
 * Jensen's inequality: 3% at 10 bins, so they warn that much early). When the floor is above half
 * the method's threshold, sampling noise alone pushes features towards "drifted": the report then
 * carries `small_sample` (the CLI warns on stderr). The smallest batch that passes is
 * n >= (k - 1) / (L - (k - 1) / n_ref), with L the S at which the score is half the threshold.
 * A method without `noise` (a p-value, which already accounts for the sample size) gets no
 * warning. Checked against numpy Monte Carlos in test/engine/drift/sample-size.test.ts. For tiny
 * batches (empty bins replaced by epsilon) the true noise is larger still than the approximation:
 * there the warning errs on the quiet side.
 */
import { driftMethod, type DriftMethod, type NoiseLink } from './methods/index.js';

/** The rule a report's small_sample states, in the terms of its method. */
export function smallSampleRule(method: Pick<DriftMethod, 'id'> & { noise: Pick<NoiseLink, 'formula'> }): string {
  return `E[${method.id} | no drift] ~ ${method.noise.formula}, S = (k-1)/n + (k-1)/n_ref (chi-square approximation; k = bins with a baseline count > 0, n = batch values, n_ref = baseline rows); warn when it is above half the threshold`;
}

export interface SmallSample {
  /** one line for people */
  message: string;
  /** batch values of the feature with the highest noise floor */
  rows: number;
  /** rows a batch needs for that feature to pass; null when even the baseline is too small */
  min_rows: number | null;
  /** the method's expected score under no drift for that feature */
  expected_score: number;
  /** the same, under its old name: only when the method is PSI */
  expected_psi?: number;
  /** half the threshold */
  limit: number;
  /** bins (with a baseline count > 0) of that feature */
  bins: number;
  rule: string;
}

export interface FeatureSample {
  /** baseline counts per bin (zero = a bin the baseline never saw) */
  reference: ArrayLike<number>;
  /** batch values counted for the feature */
  count: number;
}

/** `small_sample` of a drift report: null when the batch is large enough for every feature (or the method has no noise floor). */
export function smallSample(features: readonly FeatureSample[], referenceRows: number, settings: { method: string; threshold: number }): SmallSample | null {
  // auto mixes methods, none of which has a noise floor on the bins (p-values, Wasserstein)
  if (settings.method === 'auto') return null;
  const method = driftMethod(settings.method);
  const noise = method.noise;
  if (!noise) return null;
  const limit = settings.threshold / 2;
  const limitS = noise.toChiSquare(limit);
  let worst: { s: number; k: number; n: number } | null = null;
  for (const feature of features) {
    let k = 0;
    for (let i = 0; i < feature.reference.length; i++) if (feature.reference[i]! > 0) k++;
    if (k < 2 || feature.count <= 0) continue; // one bin, or nothing counted: no score to be noisy
    const s = (k - 1) / feature.count + (referenceRows > 0 ? (k - 1) / referenceRows : Infinity);
    if (!worst || s > worst.s) worst = { s, k, n: feature.count };
  }
  if (!worst || !(worst.s > limitS)) return null;
  const floor = (worst.k - 1) / referenceRows;
  const minRows = limitS > floor ? Math.ceil((worst.k - 1) / (limitS - floor)) : null;
  const needed = minRows === null ? `the baseline's ${referenceRows} rows are too few themselves` : `a batch needs at least ${minRows} rows`;
  const expected = noise.fromChiSquare(worst.s);
  return {
    message: `sample too small for the verdict to mean anything: ${worst.n} rows over ${worst.k} bins give an expected ${method.id} of ${expected.toFixed(3)} under no drift, above half the threshold (${limit}); ${needed}`,
    rows: worst.n,
    min_rows: minRows,
    expected_score: expected,
    ...(method.id === 'psi' ? { expected_psi: expected } : {}),
    limit,
    bins: worst.k,
    rule: smallSampleRule({ id: method.id, noise }),
  };
}
