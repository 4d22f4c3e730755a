import type { DriftMethod } from './types.js';

/**
 * Jensen-Shannon distance (natural log, the square root of the divergence), as
 * scipy.spatial.distance.jensenshannon; the proportions are renormalised first, as scipy does.
 */
export const jensenshannon: DriftMethod = {
  id: 'jensenshannon',
  title: 'Jensen-Shannon distance',
  scoreKind: 'distance',
  defaultThreshold: 0.1,
  compute(expected, actual) {
    const p = normalise(expected);
    const q = normalise(actual);
    let divergence = 0;
    for (let i = 0; i < p.length; i++) {
      const m = (p[i]! + q[i]!) / 2;
      if (p[i]! > 0) divergence += p[i]! * Math.log(p[i]! / m);
      if (q[i]! > 0) divergence += q[i]! * Math.log(q[i]! / m);
    }
    return Math.sqrt(Math.max(0, divergence / 2));
  },
};

function normalise(values: Float64Array): Float64Array {
  let total = 0;
  for (const v of values) total += v;
  return values.map((v) => v / total);
}
