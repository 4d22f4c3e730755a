import { chiSquareSf } from '../distributions.js';
import type { DriftMethod } from './types.js';

/**
 * Pearson's chi-squared test of the current counts against the baseline's shares on the bins the
 * method is given (the default semantics: the decile bins and the missing bin), as
 * scipy.stats.chisquare(f_obs = current counts, f_exp = current total x baseline shares): bins
 * empty on both sides are left out, a bin the baseline never saw gets the share epsilon (so that
 * a value where training had none counts as drift instead of dividing by zero), the shares are
 * renormalised (one bin used: p = 1); p-value from the chi-squared distribution with k - 1 degrees of freedom, the
 * score (drifted below 0.05). The statistic (`statistic`) is X^2.
 */
export const chisquare: DriftMethod = {
  id: 'chisquare',
  title: 'Pearson chi-squared test',
  scoreKind: 'p_value',
  defaultThreshold: 0.05,
  compute({ reference, current, epsilon }) {
    const used: number[] = [];
    for (let i = 0; i < reference.length; i++) if (reference[i]! > 0 || current[i]! > 0) used.push(i);
    let refTotal = 0;
    let observedTotal = 0;
    for (const i of used) {
      refTotal += reference[i]!;
      observedTotal += current[i]!;
    }
    if (refTotal === 0 || observedTotal === 0) return { score: NaN };
    // every value in one bin on both sides: nothing differs
    if (used.length < 2) return { score: 1, statistic: 0, statistic_bounds: [0, 0] };
    const shares = used.map((i) => (reference[i]! > 0 ? reference[i]! / refTotal : epsilon));
    const shareTotal = shares.reduce((a, b) => a + b, 0);
    let x2 = 0;
    used.forEach((i, k) => {
      const expected = (observedTotal * shares[k]!) / shareTotal;
      x2 += (current[i]! - expected) ** 2 / expected;
    });
    return { score: chiSquareSf(x2, used.length - 1), statistic: x2, statistic_bounds: [x2, x2] };
  },
};
