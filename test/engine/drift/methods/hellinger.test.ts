/** The Hellinger distance from counts, sqrt(sum((sqrt p - sqrt q)^2) / 2), worked by hand. */
import { describe, expect, it } from 'vitest';
import { driftMethod } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const hellinger = driftMethod('hellinger');

describe('hellinger', () => {
  it('declares a distance', () => {
    expect(hellinger).toMatchObject({ id: 'hellinger', scoreKind: 'distance', defaultThreshold: 0.1 });
  });

  it('p = (1/4, 3/4), q = (3/4, 1/4) give (sqrt 3 - 1) / 2', () => {
    // (1/2 - sqrt3/2)^2 twice, halved, square root
    expect(hellinger.compute(input([1, 3], [3, 1])).score).toBeCloseTo((Math.sqrt(3) - 1) / 2, 15);
  });

  it('p = (1/2, 1/2), q = (1, 0) with a tiny epsilon: sqrt(((sqrt(1/2) - 1)^2 + 1/2) / 2)', () => {
    const want = Math.sqrt(((Math.sqrt(0.5) - 1) ** 2 + 0.5) / 2);
    expect(hellinger.compute(input([1, 1], [2, 0], { epsilon: 1e-14 })).score).toBeCloseTo(want, 6);
  });

  it('0 for the same shares, whatever the sizes; at most 1', () => {
    expect(hellinger.compute(input([3, 6], [1, 2])).score).toBe(0);
    expect(hellinger.compute(input([1, 1], [1, 1], { currentSize: 10 })).score).toBe(0);
    expect(hellinger.compute(input([1, 0], [0, 1], { epsilon: 1e-12 })).score).toBeLessThanOrEqual(1);
  });

  it('its noise floor is sqrt(S / 8), and back', () => {
    expect(hellinger.noise!.fromChiSquare(0.02)).toBeCloseTo(0.05, 15);
    expect(hellinger.noise!.toChiSquare(0.05)).toBeCloseTo(0.02, 15);
  });
});
