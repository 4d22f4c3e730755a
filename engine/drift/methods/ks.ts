import { ksTwoSamplePValue } from '../distributions.js';
import { cumulativeShares, type DriftMethod } from './types.js';

/**
 * Two-sample Kolmogorov-Smirnov test on the fine summaries (finite values). The statistic is
 * D = max |F_ref - F_cur| over the fine edges, where F is the share of values below the edge;
 * the raw-data D (scipy.stats.ks_2samp) lies in [D, D_hi], D_hi taking the worst placement of
 * the values inside each fine bin (`statistic_bounds`). The p-value, the score, is chosen as
 * scipy's ks_2samp(method='auto') chooses it: the exact null distribution of D when neither side
 * has more than 10,000 finite values (ksTwoSampleExactP), else the asymptotic Kolmogorov
 * distribution (ksTwoSampleP); distributions.ts. Drifted below 0.05.
 */
export const ks: DriftMethod = {
  id: 'ks',
  title: 'Kolmogorov-Smirnov test',
  scoreKind: 'p_value',
  defaultThreshold: 0.05,
  needs: 'fine',
  compute({ fine }) {
    if (!fine) return { score: NaN };
    const p = cumulativeShares(fine.reference);
    const q = cumulativeShares(fine.current);
    if (!p || !q) return { score: NaN };
    let d = 0;
    let hi = 0;
    // p[t] = share below edge t (t = 0..m-1), p[m] = 1; on bin t (between edges t-1 and t) F_ref is within [p[t-1], p[t]]
    for (let t = 0; t < p.length; t++) {
      if (t < p.length - 1) d = Math.max(d, Math.abs(p[t]! - q[t]!));
      const p0 = t === 0 ? 0 : p[t - 1]!;
      const q0 = t === 0 ? 0 : q[t - 1]!;
      hi = Math.max(hi, p[t]! - q0, q[t]! - p0);
    }
    const n = fine.reference.reduce((a, b) => a + b, 0);
    const m = fine.current.reduce((a, b) => a + b, 0);
    return { score: ksTwoSamplePValue(d, n, m).p, statistic: d, statistic_bounds: [d, Math.max(d, hi)] };
  },
};
