import { smoothedShares, type DriftMethod } from './types.js';

/**
 * Population Stability Index: sum over bins of (a - e) * ln(a / e), e and a the baseline and
 * current shares with each zero share replaced by epsilon (the original tool's rule, which
 * `compat: 'driftcatcher'` keeps exactly). To second order PSI is S = sum((a - e)^2 / e).
 */
export const psi: DriftMethod = {
  id: 'psi',
  title: 'Population Stability Index',
  scoreKind: 'distance',
  defaultThreshold: 0.2,
  noise: { formula: 'S', fromChiSquare: (s) => s, toChiSquare: (score) => score },
  compute({ reference, current, referenceSize, currentSize, epsilon }) {
    const e = smoothedShares(reference, referenceSize, epsilon);
    const a = smoothedShares(current, currentSize, epsilon);
    let sum = 0;
    for (let i = 0; i < e.length; i++) sum += (a[i]! - e[i]!) * Math.log(a[i]! / e[i]!);
    return { score: sum };
  },
};
