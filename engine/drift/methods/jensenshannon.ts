import { normalised, smoothedShares, type DriftMethod } from './types.js';

/**
 * Jensen-Shannon distance (natural log, the square root of the divergence), as
 * scipy.spatial.distance.jensenshannon computes it on the shares (renormalised, as scipy does).
 * The shares are smoothed as PSI's are (zeros -> epsilon), so that the report's expected/actual
 * proportions are the ones it compared. To second order the divergence is S / 8.
 */
export const jensenshannon: DriftMethod = {
  id: 'jensenshannon',
  title: 'Jensen-Shannon distance',
  scoreKind: 'distance',
  defaultThreshold: 0.1,
  noise: { formula: 'sqrt(S / 8)', fromChiSquare: (s) => Math.sqrt(s / 8), toChiSquare: (score) => 8 * score * score },
  compute({ reference, current, referenceSize, currentSize, epsilon }) {
    const p = normalised(smoothedShares(reference, referenceSize, epsilon));
    const q = normalised(smoothedShares(current, currentSize, epsilon));
    let divergence = 0;
    for (let i = 0; i < p.length; i++) {
      const m = (p[i]! + q[i]!) / 2;
      if (p[i]! > 0) divergence += p[i]! * Math.log(p[i]! / m);
      if (q[i]! > 0) divergence += q[i]! * Math.log(q[i]! / m);
    }
    return { score: Math.sqrt(Math.max(0, divergence / 2)) };
  },
};
