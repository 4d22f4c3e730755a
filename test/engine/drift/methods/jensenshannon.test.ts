/** The Jensen-Shannon distance from counts (natural log, scipy's definition), worked by hand. */
import { describe, expect, it } from 'vitest';
import { driftMethod } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const js = driftMethod('jensenshannon');

describe('jensenshannon', () => {
  it('declares a distance', () => {
    expect(js).toMatchObject({ id: 'jensenshannon', scoreKind: 'distance', defaultThreshold: 0.1 });
  });

  it('p = (1/4, 3/4), q = (3/4, 1/4): m = (1/2, 1/2), JSD = 1/4 ln(1/2) + 3/4 ln(3/2)', () => {
    const divergence = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
    expect(js.compute(input([1, 3], [3, 1])).score).toBeCloseTo(Math.sqrt(divergence), 15);
  });

  it('is symmetric and 0 for the same shares', () => {
    const a = js.compute(input([5, 1, 4], [1, 7, 2])).score;
    const b = js.compute(input([1, 7, 2], [5, 1, 4])).score;
    expect(a).toBeCloseTo(b, 15);
    expect(js.compute(input([2, 2], [1, 1])).score).toBe(0);
  });

  it('renormalises the shares, as scipy does: counts / size that do not add up to 1 score as their proportions', () => {
    expect(js.compute(input([1, 1], [1, 1], { currentSize: 4 })).score).toBe(0);
  });

  it('disjoint distributions approach sqrt(ln 2), the bound, as epsilon shrinks', () => {
    const score = js.compute(input([1, 0], [0, 1], { epsilon: 1e-12 })).score;
    expect(score).toBeLessThanOrEqual(Math.sqrt(Math.LN2));
    expect(score).toBeCloseTo(Math.sqrt(Math.LN2), 8);
  });

  it('its noise floor is sqrt(S / 8), and back', () => {
    expect(js.noise!.fromChiSquare(0.08)).toBeCloseTo(0.1, 15);
    expect(js.noise!.toChiSquare(0.1)).toBeCloseTo(0.08, 15);
  });
});
