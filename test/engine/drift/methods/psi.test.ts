/** PSI from counts: the shares, epsilon for a zero share, sizes that are not the counts' sum (compat). Worked by hand. */
import { describe, expect, it } from 'vitest';
import { driftMethod } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const psi = driftMethod('psi');
const term = (a: number, e: number) => (a - e) * Math.log(a / e);

describe('psi', () => {
  it('declares a distance with the original threshold', () => {
    expect(psi).toMatchObject({ id: 'psi', scoreKind: 'distance', defaultThreshold: 0.2 });
  });

  it('shares from counts: e = (1/4, 1/4, 1/2), a = (1/2, 1/4, 1/4) give 0.5 ln 2', () => {
    // (0.5-0.25)ln(0.5/0.25) + 0 + (0.25-0.5)ln(0.25/0.5) = 0.5 ln 2
    expect(psi.compute(input([1, 1, 2], [2, 1, 1])).score).toBeCloseTo(0.5 * Math.LN2, 15);
  });

  it('the same shares from different sizes score 0', () => {
    expect(psi.compute(input([10, 30, 60], [1, 3, 6])).score).toBe(0);
  });

  it('a zero share on either side becomes epsilon', () => {
    const score = psi.compute(input([0, 2], [1, 1], { epsilon: 1e-3 })).score;
    expect(score).toBeCloseTo(term(0.5, 1e-3) + term(0.5, 1), 14);
    // the other epsilon gives another score: it is the one used
    expect(psi.compute(input([0, 2], [1, 1], { epsilon: 1e-4 })).score).toBeCloseTo(term(0.5, 1e-4) + term(0.5, 1), 14);
  });

  it('divides by the sizes given, not by the sums (the original tool: actual = counts / finite values)', () => {
    // two of the four current values fell outside the edges: a = (1/4, 1/4), not (1/2, 1/2)
    const score = psi.compute(input([1, 1], [1, 1], { currentSize: 4 })).score;
    expect(score).toBeCloseTo(2 * term(0.25, 0.5), 15);
  });

  it('an empty side is all epsilon', () => {
    expect(psi.compute(input([1, 3], [0, 0])).score).toBeCloseTo(term(1e-4, 0.25) + term(1e-4, 0.75), 14);
  });

  it('gives no p-value; its noise floor is S itself', () => {
    expect(psi.compute(input([1, 2], [2, 1])).p_value).toBeUndefined();
    expect(psi.noise!.fromChiSquare(0.09)).toBe(0.09);
    expect(psi.noise!.toChiSquare(0.1)).toBe(0.1);
  });
});
