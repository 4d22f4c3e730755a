import { normalised, smoothedShares, type DriftMethod } from './types.js';

/**
 * Hellinger distance between the two binned distributions, sqrt(sum((sqrt(p) - sqrt(q))^2) / 2),
 * in [0, 1]. The shares are smoothed as PSI's are (zeros -> epsilon) and renormalised, so that the
 * report's expected/actual proportions are the ones it compared. To second order H^2 is S / 8.
 */
export const hellinger: DriftMethod = {
  id: 'hellinger',
  title: 'Hellinger distance',
  scoreKind: 'distance',
  defaultThreshold: 0.1,
  noise: { formula: 'sqrt(S / 8)', fromChiSquare: (s) => Math.sqrt(s / 8), toChiSquare: (score) => 8 * score * score },
  compute({ reference, current, referenceSize, currentSize, epsilon }) {
    const p = normalised(smoothedShares(reference, referenceSize, epsilon));
    const q = normalised(smoothedShares(current, currentSize, epsilon));
    let sum = 0;
    for (let i = 0; i < p.length; i++) sum += (Math.sqrt(p[i]!) - Math.sqrt(q[i]!)) ** 2;
    return { score: Math.sqrt(sum / 2) };
  },
};
