/**
 * The A/B test statistics' own behaviour (the values are checked against statsmodels, scipy and
 * scikit-learn in test/reference/abtest.test.ts): textbook cases, identical models, the
 * bootstrap's determinism and its weighted metrics against the metrics of the materialized
 * resample, and the options' validation.
 */
import { describe, expect, it } from 'vitest';
import { accuracy, f1Score, rocAuc } from '../../../engine/model/index.js';
import { bootstrapMetricValues, compareScored, decide, delongTest, mcnemarExact, mcnemarTest, percentileSorted, resampleIndices, resolveAbTestOptions } from '../../../engine/monitor/index.js';
import { rng } from '../../helpers.js';

function labelledScores(n: number, seed: number, skill: number) {
  const random = rng(seed);
  const y = new Uint8Array(n);
  const proba = new Float64Array(n);
  const pred = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = random() < 0.4 ? 1 : 0;
    // rounded to 2 decimals: many ties, as a forest's votes have
    proba[i] = Math.round(Math.min(1, Math.max(0, (y[i] ? skill : 1 - skill) + (random() - 0.5))) * 100) / 100;
    pred[i] = proba[i]! >= 0.5 ? 1 : 0;
  }
  return { y, proba, pred };
}

describe("McNemar's exact test", () => {
  it('textbook values: 0 vs 5 discordant pairs gives p = 2 / 2^5; no discordant pair gives 1', () => {
    expect(mcnemarExact(0, 5).p_value).toBeCloseTo(0.0625, 15);
    expect(mcnemarExact(5, 0).p_value).toBeCloseTo(0.0625, 15);
    expect(mcnemarExact(0, 0).p_value).toBe(1);
    expect(mcnemarExact(3, 3).p_value).toBe(1);
    expect(mcnemarExact(2, 9).statistic).toBe(2);
  });

  it('counts the rows only one model got right', () => {
    const y = [1, 1, 0, 0, 1];
    expect(mcnemarTest(y, [1, 0, 0, 1, 1], [1, 1, 1, 1, 0])).toMatchObject({ a_only_correct: 2, b_only_correct: 1 });
  });
});

describe('identical models', () => {
  const { y, proba, pred } = labelledScores(500, 1, 0.7);
  const stats = compareScored(y, { pred, proba }, { pred, proba }, { bootstrap: 100, seed: 1, confidence: 0.95 });

  it('no difference anywhere: intervals of the difference are [0, 0], every p-value is 1, a tie that is not significant', () => {
    for (const m of Object.values(stats.metrics)) {
      expect(m.difference).toBe(0);
      expect(m.ci_difference).toEqual({ low: 0, high: 0 });
      expect(m.bootstrap_p_value).toBe(1);
    }
    expect(stats.mcnemar.p_value).toBe(1);
    expect(stats.delong).toMatchObject({ difference: 0, variance: 0, p_value: 1 });
    for (const metric of ['f1', 'accuracy', 'auc'] as const) expect(decide(stats, metric, 0.05)).toMatchObject({ winner: 'tie', significant: false, improvement: 0 });
  });
});

describe('DeLong', () => {
  it('is undefined with one class, and finds a much better score significant', () => {
    expect(delongTest([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1])).toBeNull();
    const weak = labelledScores(800, 5, 0.52);
    const strong = labelledScores(800, 5, 0.9);
    const result = delongTest(weak.y, weak.proba, strong.proba)!;
    expect(result.auc_b).toBeGreaterThan(result.auc_a);
    expect(result.p_value).toBeLessThan(1e-6);
  });
});

describe('the paired bootstrap', () => {
  const a = labelledScores(300, 2, 0.6);
  const b = labelledScores(300, 2, 0.75);

  it('round r draws the same rows for the same seed, other rows for another round or seed, all in range', () => {
    const first = resampleIndices(300, 7, 3);
    expect(resampleIndices(300, 7, 3)).toEqual(first);
    expect(resampleIndices(300, 7, 4)).not.toEqual(first);
    expect(resampleIndices(300, 8, 3)).not.toEqual(first);
    expect(Math.max(...first)).toBeLessThan(300);
  });

  it("each round's weighted metrics equal the metrics of the rows it drew", () => {
    const values = bootstrapMetricValues(a.y, a, b, 5, 11);
    for (let round = 0; round < 5; round++) {
      const rows = resampleIndices(300, 11, round);
      const take = <T extends Uint8Array | Float64Array>(x: T) => Array.from(rows, (i) => x[i]!);
      const y = take(a.y);
      expect(values.accuracy.a[round]).toBeCloseTo(accuracy(y, take(a.pred)), 14);
      expect(values.f1.b[round]).toBeCloseTo(f1Score(y, take(b.pred)), 14);
      expect(values.auc.a[round]).toBeCloseTo(rocAuc(y, take(a.proba)), 14);
      expect(values.auc.b[round]).toBeCloseTo(rocAuc(y, take(b.proba)), 14);
    }
  });

  it('the same seed gives the same report; the intervals widen with the confidence', () => {
    const one = compareScored(a.y, a, b, { bootstrap: 200, seed: 4, confidence: 0.9 });
    expect(compareScored(a.y, a, b, { bootstrap: 200, seed: 4, confidence: 0.9 })).toEqual(one);
    const wider = compareScored(a.y, a, b, { bootstrap: 200, seed: 4, confidence: 0.99 });
    expect(wider.metrics.auc.ci_difference.low).toBeLessThanOrEqual(one.metrics.auc.ci_difference.low);
    expect(wider.metrics.auc.ci_difference.high).toBeGreaterThanOrEqual(one.metrics.auc.ci_difference.high);
  });

  it("percentiles are numpy's linear ones", () => {
    // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 100]) = [1, 1.75, 2.5, 4]
    expect([0, 25, 50, 100].map((q) => percentileSorted([1, 2, 3, 4], q))).toEqual([1, 1.75, 2.5, 4]);
    expect(percentileSorted([], 50)).toBeNaN();
  });
});

describe('options', () => {
  it('fills the defaults and names a bad option', () => {
    expect(resolveAbTestOptions()).toEqual({ metric: 'f1', alpha: 0.05, bootstrap: 1000, seed: 0 });
    expect(() => resolveAbTestOptions({ alpha: 1 })).toThrow(/alpha must be between 0 and 1/);
    expect(() => resolveAbTestOptions({ bootstrap: 0 })).toThrow(/bootstrap must be a positive integer/);
    expect(() => resolveAbTestOptions({ metric: 'precision' as never })).toThrow(/metric must be one of f1, accuracy, auc/);
  });
});

describe('calibration under a known truth (simulated, seeded)', () => {
  /** Two models, each row right with probability rightA (rightB), independently; y_prob on the side of y_pred. */
  function simulatedModels(n: number, random: () => number, rightA: number, rightB: number) {
    const y = new Uint8Array(n);
    const predA = new Uint8Array(n);
    const predB = new Uint8Array(n);
    const probaA = new Float64Array(n);
    const probaB = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = random() < 0.5 ? 1 : 0;
      predA[i] = random() < rightA ? y[i]! : 1 - y[i]!;
      predB[i] = random() < rightB ? y[i]! : 1 - y[i]!;
      probaA[i] = predA[i]! ? 0.5 + random() / 2 : random() / 2;
      probaB[i] = predB[i]! ? 0.5 + random() / 2 : random() / 2;
    }
    return { y, a: { pred: predA, proba: probaA }, b: { pred: predB, proba: probaB } };
  }

  it('no true difference: the 95% intervals of B - A hold 0 about 95% of the time, each test rejects at 0.05 rarely', () => {
    const random = rng(2024);
    const trials = 120;
    let covered = 0;
    const rejected = { mcnemar: 0, delong: 0, bootstrap: 0 };
    for (let t = 0; t < trials; t++) {
      const { y, a, b } = simulatedModels(400, random, 0.8, 0.8);
      const stats = compareScored(y, a, b, { bootstrap: 200, seed: t, confidence: 0.95 });
      const ci = stats.metrics.accuracy.ci_difference;
      if (ci.low <= 0 && 0 <= ci.high) covered++;
      if (stats.mcnemar.p_value < 0.05) rejected.mcnemar++;
      if (stats.delong!.p_value < 0.05) rejected.delong++;
      if (stats.metrics.f1.bootstrap_p_value < 0.05) rejected.bootstrap++;
    }
    // binomial(120, 0.95): 95% of runs fall within about 109..118
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.995);
    for (const [test, count] of Object.entries(rejected)) expect(count / trials, test).toBeLessThan(0.12);
  });

  it('a real difference (0.8 vs 0.9 right) is found by McNemar and DeLong, and the interval lies above 0', () => {
    const { y, a, b } = simulatedModels(1000, rng(7), 0.8, 0.9);
    const stats = compareScored(y, a, b, { bootstrap: 300, seed: 1, confidence: 0.95 });
    expect(stats.mcnemar.p_value).toBeLessThan(1e-6);
    expect(stats.delong!.p_value).toBeLessThan(1e-3);
    expect(stats.metrics.accuracy.ci_difference.low).toBeGreaterThan(0);
    expect(decide(stats, 'accuracy', 0.05)).toMatchObject({ winner: 'b', significant: true, test: 'mcnemar_exact' });
  });
});
