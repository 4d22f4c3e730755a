import { cumulativeShares, type DriftMethod } from './types.js';

/** Evidently's floor on the reference standard deviation that normalises the distance. */
const MIN_STD = 0.001;

/**
 * Wasserstein-1 distance between the finite values' distributions, the integral of |F_ref - F_cur|
 * (scipy.stats.wasserstein_distance on raw values), from the fine summaries, normed as Evidently
 * does: divided by max(reference std, 0.001) (the score; drifted above 0.1). Values tied at a
 * fine edge have a bin of their own (fineScanEdges), so they are placed exactly; the values
 * strictly between two edges are placed at the bin's midpoint (the integral over a bin is then
 * width x the mean of |F_ref - F_cur| at its two ends); below the training minimum and above the
 * maximum the integral is exact (the scan sums the current tails). The raw-data distance lies in
 * `statistic_bounds`: per bin, the width times the least and the most |F_ref - F_cur| can be given
 * the bin's counts, so |estimate - raw| <= sum over bins of width x (p + q), p and q the shares
 * strictly inside the bin.
 */
export const wasserstein: DriftMethod = {
  id: 'wasserstein',
  title: 'Wasserstein distance (normed by the reference std)',
  scoreKind: 'distance',
  defaultThreshold: 0.1,
  needs: 'fine',
  compute({ fine, summary }) {
    if (!fine) return { score: NaN };
    const p = cumulativeShares(fine.reference);
    const q = cumulativeShares(fine.current);
    if (!p || !q) return { score: NaN };
    const e = fine.edges;
    const m = fine.current.reduce((a, b) => a + b, 0);
    const tails = (fine.currentTails.below + fine.currentTails.above) / m;
    let estimate = tails;
    let lo = tails;
    let hi = tails;
    for (let t = 1; t < e.length; t++) {
      const width = e[t]! - e[t - 1]!;
      // on [e[t-1], e[t]): F_ref within [p[t-1], p[t]], F_cur within [q[t-1], q[t]]
      estimate += (width * (Math.abs(p[t - 1]! - q[t - 1]!) + Math.abs(p[t]! - q[t]!))) / 2;
      lo += width * Math.max(0, p[t - 1]! - q[t]!, q[t - 1]! - p[t]!);
      hi += width * Math.max(p[t]! - q[t - 1]!, q[t]! - p[t - 1]!);
    }
    const std = summary?.reference.std ?? NaN;
    return { score: estimate / Math.max(std, MIN_STD), statistic: estimate, statistic_bounds: [lo, hi] };
  },
};
