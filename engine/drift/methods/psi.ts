import type { DriftMethod } from './types.js';

/** Population Stability Index: sum over bins of (a - e) * ln(a / e). */
export const psi: DriftMethod = {
  id: 'psi',
  title: 'Population Stability Index',
  scoreKind: 'distance',
  defaultThreshold: 0.2,
  compute(expected, actual) {
    let sum = 0;
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!;
      const a = actual[i]!;
      sum += (a - e) * Math.log(a / e);
    }
    return sum;
  },
};
