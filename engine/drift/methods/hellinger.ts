import type { DriftMethod } from './types.js';

/** Hellinger distance between the two binned distributions (renormalised), in [0, 1]. */
export const hellinger: DriftMethod = {
  id: 'hellinger',
  title: 'Hellinger distance',
  scoreKind: 'distance',
  defaultThreshold: 0.1,
  compute(expected, actual) {
    let totalE = 0;
    let totalA = 0;
    for (let i = 0; i < expected.length; i++) {
      totalE += expected[i]!;
      totalA += actual[i]!;
    }
    let sum = 0;
    for (let i = 0; i < expected.length; i++) sum += (Math.sqrt(expected[i]! / totalE) - Math.sqrt(actual[i]! / totalA)) ** 2;
    return Math.sqrt(sum / 2);
  },
};
