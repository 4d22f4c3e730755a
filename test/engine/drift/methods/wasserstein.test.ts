import { describe, expect, it } from 'vitest';
import { driftMethod, type FeatureSummary, type FineCounts } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const wasserstein = driftMethod('wasserstein');
const summary = (std: number) => ({ reference: { std } }) as unknown as FeatureSummary;

describe('wasserstein', () => {
  it('values at the left edges of their bins: exact; tails beyond the training range exact; normed by the reference std', () => {
    // reference: 5 values at 0, 5 at 1 (edges 0, 1); current: 10 values at 1, and tails: one more at 3 (above by 2)
    const fine: FineCounts = { edges: [0, 1], reference: Float64Array.from([0, 5, 5]), current: Float64Array.from([0, 0, 11]), currentTails: { below: 0, above: 2 } };
    const r = wasserstein.compute({ ...input([1], [1]), fine, summary: summary(0.5) });
    // scipy.stats.wasserstein_distance([0]*5 + [1]*5, [1]*10 + [3]) = 0.5 * 1 (on [0, 1)) + 2/11 (beyond 1) ... the current has 11 values
    const expected = (5 / 10) * 1 + 2 / 11;
    expect(r.statistic).toBeCloseTo(expected, 14);
    expect(r.score).toBeCloseTo(expected / 0.5, 14);
    expect(r.statistic_bounds![0]).toBeLessThanOrEqual(expected);
    expect(r.statistic_bounds![1]).toBeGreaterThanOrEqual(expected);
  });

  it('a constant reference: the std floor 0.001 (as Evidently)', () => {
    const fine: FineCounts = { edges: [2], reference: Float64Array.from([0, 4]), current: Float64Array.from([0, 4]), currentTails: { below: 0, above: 0.004 } };
    const r = wasserstein.compute({ ...input([1], [1]), fine, summary: summary(0) });
    expect(r.statistic).toBeCloseTo(0.001, 15);
    expect(r.score).toBeCloseTo(1, 12);
  });
});
