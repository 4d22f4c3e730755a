import { describe, expect, it } from 'vitest';
import { driftMethod, type FeatureSummary, type FineCounts } from '../../../../engine/drift/index.js';
import { nextUp } from '../../../../engine/profile/index.js';
import { input } from './input.js';

const wasserstein = driftMethod('wasserstein');
const summary = (std: number) => ({ reference: { std } }) as unknown as FeatureSummary;

describe('wasserstein', () => {
  it('values tied at an edge (their own bin): exact; tails beyond the training range exact; normed by the reference std', () => {
    // reference: 5 values at 0, 5 at 1; the scan's edges 0, 0+, 1, 1+ (fineScanEdges); current: 10 values at 1, one more at 3 (a tail of 3 - 1+)
    const fine: FineCounts = { edges: [0, nextUp(0), 1, nextUp(1)], reference: Float64Array.from([0, 5, 0, 5, 0]), current: Float64Array.from([0, 0, 0, 10, 1]), currentTails: { below: 0, above: 3 - nextUp(1) } };
    const r = wasserstein.compute({ ...input([1], [1]), fine, summary: summary(0.5) });
    // scipy.stats.wasserstein_distance([0]*5 + [1]*5, [1]*10 + [3]) = 0.5 * 1 (on [0, 1)) + 2/11 (beyond 1) ... the current has 11 values
    const expected = (5 / 10) * 1 + 2 / 11;
    expect(r.statistic).toBeCloseTo(expected, 14);
    expect(r.score).toBeCloseTo(expected / 0.5, 14);
    expect(r.statistic_bounds![0]).toBeLessThanOrEqual(expected);
    expect(r.statistic_bounds![1]).toBeGreaterThanOrEqual(expected);
  });

  it('values strictly inside a bin: placed at its midpoint, within the bounds', () => {
    // reference 10 values in (0, 1), current 10 values in (0, 1): identical counts give 0 whatever the placement could be
    const fine: FineCounts = { edges: [0, nextUp(0), 1, nextUp(1)], reference: Float64Array.from([0, 1, 8, 1, 0]), current: Float64Array.from([0, 1, 8, 1, 0]), currentTails: { below: 0, above: 0 } };
    const same = wasserstein.compute({ ...input([1], [1]), fine, summary: summary(0.3) });
    expect(same.statistic).toBeCloseTo(0, 12);
    expect(same.statistic_bounds![1]).toBeCloseTo(0.8, 12);
    // current: all 10 at 0: the interior reference mass (0.8) sits between 0+ and 1: midpoint placement gives 0.8 x 1 / 2 + 0.1 x 0 ... = 0.5
    const shifted: FineCounts = { ...fine, current: Float64Array.from([0, 10, 0, 0, 0]) };
    const r = wasserstein.compute({ ...input([1], [1]), fine: shifted, summary: summary(0.3) });
    // F_ref - F_cur on (0+, 1): from 0.1 - 1 to 0.9 - 1 -> |.| from 0.9 to 0.1, mean 0.5; on [1, 1+): ~0 width
    expect(r.statistic).toBeCloseTo(0.5, 12);
    expect(r.statistic_bounds![0]).toBeCloseTo(0.1, 12);
    expect(r.statistic_bounds![1]).toBeCloseTo(0.9, 12);
  });

  it('a constant reference: the std floor 0.001 (as Evidently)', () => {
    const fine: FineCounts = { edges: [2, nextUp(2)], reference: Float64Array.from([0, 4, 0]), current: Float64Array.from([0, 3, 1]), currentTails: { below: 0, above: 0.004 } };
    const r = wasserstein.compute({ ...input([1], [1]), fine, summary: summary(0) });
    expect(r.statistic).toBeCloseTo(0.001, 12);
    expect(r.score).toBeCloseTo(1, 12);
  });
});
