/**
 * The drift method registry and the parts of the interface every method shares: the list is
 * complete, the threshold's direction follows the score kind (a distance drifts above it, a
 * p-value below), and so do the ranking and the verdict. Each method has its own file in
 * methods/ (psi.test.ts, ...); their numbers against scipy/numpy: test/reference/drift-methods.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { DRIFT_METHODS, driftMethod, isDrifted, moreDrifted, decide, aggregate, smoothedShares } from '../../../engine/drift/index.js';

describe('drift methods', () => {
  it('every method file is registered, with a unique id, and declares what the interface asks', () => {
    const files = readdirSync(new URL('../../../engine/drift/methods/', import.meta.url))
      .filter((name) => name.endsWith('.ts') && name !== 'index.ts' && name !== 'types.ts')
      .map((name) => name.replace(/\.ts$/, ''));
    expect(DRIFT_METHODS.map((m) => m.id).sort()).toEqual(files.sort());
    expect(new Set(DRIFT_METHODS.map((m) => m.id)).size).toBe(DRIFT_METHODS.length);
    for (const m of DRIFT_METHODS) {
      expect(m.title.length, m.id).toBeGreaterThan(0);
      expect(['distance', 'p_value'], m.id).toContain(m.scoreKind);
      expect(Number.isFinite(m.defaultThreshold), m.id).toBe(true);
      expect(typeof m.compute, m.id).toBe('function');
    }
  });

  it('threshold direction follows the score kind', () => {
    expect(isDrifted(driftMethod('psi'), 0.25, 0.2)).toBe(true);
    expect(isDrifted(driftMethod('psi'), 0.2, 0.2)).toBe(false);
    expect(isDrifted({ scoreKind: 'p_value' }, 0.01, 0.05)).toBe(true);
    expect(isDrifted({ scoreKind: 'p_value' }, 0.05, 0.05)).toBe(false);
  });

  it('ranks most drifted first: the highest distance, the lowest p-value', () => {
    expect([0.1, 0.5, 0.3].sort(moreDrifted('distance'))).toEqual([0.5, 0.3, 0.1]);
    expect([0.1, 0.5, 0.3].sort(moreDrifted('p_value'))).toEqual([0.1, 0.3, 0.5]);
  });

  it('shares: count / size, zeros (and an empty side) -> epsilon', () => {
    expect(Array.from(smoothedShares(Float64Array.from([0, 1, 3]), 4, 1e-4))).toEqual([1e-4, 0.25, 0.75]);
    expect(Array.from(smoothedShares(Float64Array.from([0, 0]), 0, 1e-3))).toEqual([1e-3, 1e-3]);
  });

  it('unknown method ids are a usage error on the method option naming the choices', () => {
    expect(() => driftMethod('kl')).toThrow('method: unknown drift method "kl": expected one of psi, jensenshannon, hellinger, ks, wasserstein, chisquare');
    expect(() => driftMethod('kl')).toThrow(expect.objectContaining({ code: 'DC_ERR_USAGE', option: 'method' }));
  });
});

describe("decision policy (the original tool's rules)", () => {
  it('retrain above 0.2 overall or more than 5 drifted features', () => {
    expect(decide(0.21, 0)).toBe('retrain');
    expect(decide(0.01, 6)).toBe('retrain');
  });
  it('alert above 0.1 overall or any drifted feature', () => {
    expect(decide(0.2, 5)).toBe('alert');
    expect(decide(0.11, 0)).toBe('alert');
    expect(decide(0.05, 1)).toBe('alert');
  });
  it('wait otherwise', () => {
    expect(decide(0.1, 0)).toBe('wait');
  });
  it('for a p-value, "above" a limit is below it', () => {
    const policy = { retrainOverall: 0.01, retrainDriftedFeatures: 5, alertOverall: 0.05 };
    expect(decide(0.001, 0, policy, 'p_value')).toBe('retrain');
    expect(decide(0.03, 0, policy, 'p_value')).toBe('alert');
    expect(decide(0.5, 0, policy, 'p_value')).toBe('wait');
  });
  it('aggregations', () => {
    expect(aggregate([1, 2, 6], 'mean')).toBe(3);
    expect(aggregate([1, 2, 6, 7], 'median')).toBe(4);
    expect(aggregate([1, 2, 6], 'max')).toBe(6);
  });
});
