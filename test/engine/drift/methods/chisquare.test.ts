import { describe, expect, it } from 'vitest';
import { driftMethod } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const chisquare = driftMethod('chisquare');

describe('chisquare', () => {
  it("Pearson's X^2 of the current counts against the baseline's shares, k - 1 degrees of freedom", () => {
    // shares 0.5, 0.5; current 30, 10: expected 20, 20, X^2 = 100/20 + 100/20 = 10; P(chi2_1 >= 10) = erfc(sqrt(5))
    const r = chisquare.compute(input([50, 50], [30, 10]));
    expect(r.statistic).toBeCloseTo(10, 12);
    expect(r.score).toBeCloseTo(0.001565402258002549, 12);
  });

  it('bins empty on both sides are left out; a bin the baseline never saw gets the share epsilon; one bin: p = 1', () => {
    const withEmpty = chisquare.compute(input([50, 0, 50, 0], [30, 0, 10, 0]));
    expect(withEmpty.statistic).toBeCloseTo(10, 12);
    const unseen = chisquare.compute(input([50, 50, 0], [20, 20, 1]));
    // expected 41 x 1e-4 / 1.0001 there, observed 1: (1 - e)^2 / e
    const e = (41 * 1e-4) / 1.0001;
    expect(unseen.statistic).toBeCloseTo((1 - e) ** 2 / e + 2 * ((20 - 41 * 0.5 / 1.0001) ** 2 / (41 * 0.5 / 1.0001)), 9);
    expect(chisquare.compute(input([0, 7], [0, 3]))).toMatchObject({ score: 1, statistic: 0 });
    expect(chisquare.compute(input([5, 7], [0, 0])).score).toBeNaN();
  });
});
