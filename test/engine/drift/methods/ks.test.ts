import { describe, expect, it } from 'vitest';
import { driftMethod, type FineCounts } from '../../../../engine/drift/index.js';
import { input } from './input.js';

const ks = driftMethod('ks');
const fine = (reference: number[], current: number[], edges: number[]): FineCounts => ({ edges, reference: Float64Array.from(reference), current: Float64Array.from(current), currentTails: { below: 0, above: 0 } });

describe('ks', () => {
  it('D is the largest gap of the shares below each fine edge; the bounds take the worst placement inside a bin', () => {
    // edges 0, 1, 2: reference [0, 5, 5, 0] (half in [0,1), half in [1,2)), current [0, 2, 8, 0]
    const r = ks.compute({ ...input([1], [1]), fine: fine([0, 5, 5, 0], [0, 2, 8, 0], [0, 1, 2]) });
    // below edge 1: 0.5 vs 0.2
    expect(r.statistic).toBeCloseTo(0.3, 15);
    // inside [1, 2): F_ref may reach 1 while F_cur is still 0.2
    expect(r.statistic_bounds![0]).toBe(r.statistic);
    expect(r.statistic_bounds![1]).toBeCloseTo(0.8, 15);
    expect(r.score).toBeGreaterThan(0);
    expect(r.score).toBeLessThan(1);
    expect(ks.scoreKind).toBe('p_value');
    expect(ks.needs).toBe('fine');
  });

  it('the same distribution: D = 0, p = 1; no fine counts or an empty side: NaN', () => {
    expect(ks.compute({ ...input([1], [1]), fine: fine([0, 3, 3, 1], [0, 30, 30, 10], [0, 1, 2]) })).toMatchObject({ statistic: 0, score: 1 });
    expect(ks.compute(input([1], [1])).score).toBeNaN();
    expect(ks.compute({ ...input([1], [1]), fine: fine([0, 3, 3, 1], [0, 0, 0, 0], [0, 1, 2]) }).score).toBeNaN();
  });
});
