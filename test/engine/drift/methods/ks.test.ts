import { describe, expect, it } from 'vitest';
import { driftMethod, KS_EXACT_MAX_N, ksTwoSampleExactP, ksTwoSampleP, type FineCounts } from '../../../../engine/drift/index.js';
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

  it('the p-value is exact while neither side has more than 10,000 values, asymptotic beyond (scipy\'s auto rule)', () => {
    const small = ks.compute({ ...input([1], [1]), fine: fine([0, 50, 50, 0], [0, 20, 80, 0], [0, 1, 2]) });
    expect(small.score).toBe(ksTwoSampleExactP(0.3, 100, 100));
    expect(small.score).not.toBe(ksTwoSampleP(0.3, 100, 100));
    const large = ks.compute({ ...input([1], [1]), fine: fine([0, 5000, 5001, 0], [0, 2000, 8000, 0], [0, 1, 2]) });
    expect(KS_EXACT_MAX_N).toBe(10_000);
    expect(large.score).toBe(ksTwoSampleP(large.statistic!, 10_001, 10_000));
  });
});

/** P(D >= d) by listing every arrangement of n values of one sample among n + m distinct values. */
function enumeratedTail(n: number, m: number): Map<number, number> {
  const counts = new Map<number, number>(); // h = round(D n m) -> arrangements with that D
  let total = 0;
  const walk = (i: number, j: number, gap: number) => {
    // gap = |i m - j n| at its largest so far along the path (i of the first sample, j of the second)
    if (i === n && j === m) {
      counts.set(gap, (counts.get(gap) ?? 0) + 1);
      total++;
      return;
    }
    if (i < n) walk(i + 1, j, Math.max(gap, Math.abs((i + 1) * m - j * n)));
    if (j < m) walk(i, j + 1, Math.max(gap, Math.abs(i * m - (j + 1) * n)));
  };
  walk(0, 0, 0);
  const tail = new Map<number, number>();
  const gaps = [...counts.keys()].sort((a, b) => b - a);
  let running = 0;
  for (const gap of gaps) {
    running += counts.get(gap)!;
    tail.set(gap / (n * m), running / total);
  }
  return tail;
}

describe('ksTwoSampleExactP', () => {
  it('equals P(D >= d) counted over every arrangement of the two samples, for equal and unequal sizes', () => {
    for (const [n, m] of [[1, 1], [3, 5], [4, 4], [2, 7], [5, 6], [6, 4], [7, 7], [3, 9]] as const) {
      for (const [d, p] of enumeratedTail(n, m)) {
        expect(Math.abs(ksTwoSampleExactP(d, n, m)! - p), `n ${n}, m ${m}, d ${d}: ${ksTwoSampleExactP(d, n, m)} vs ${p}`).toBeLessThanOrEqual(1e-13);
        // symmetric in the sizes
        expect(Math.abs(ksTwoSampleExactP(d, m, n)! - p)).toBeLessThanOrEqual(1e-13);
      }
    }
  });

  it('d = 0 gives 1; sizes that are not positive whole numbers give null', () => {
    expect(ksTwoSampleExactP(0, 10, 20)).toBe(1);
    expect(ksTwoSampleExactP(0.5, 0, 20)).toBeNull();
    expect(ksTwoSampleExactP(0.5, 2.5, 20)).toBeNull();
    expect(ksTwoSampleExactP(NaN, 2, 20)).toBeNull();
  });

  it('the largest exact case (10,000 against 9,999 values, D = 0.5) takes well under a few seconds and stays in [0, 1]', () => {
    const started = performance.now();
    const p = ksTwoSampleExactP(0.5, 10_000, 9_999)!;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-100);
  });
});
