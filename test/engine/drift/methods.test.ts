import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { DRIFT_METHODS, driftMethod, isDrifted } from '../../../engine/drift/methods/index.js';
import { decide, aggregate } from '../../../engine/drift/decide.js';

const f = (...v: number[]) => Float64Array.from(v);

describe('drift methods', () => {
  it('every method file is registered, with a unique id', () => {
    const files = readdirSync(new URL('../../../engine/drift/methods/', import.meta.url))
      .filter((name) => name.endsWith('.ts') && name !== 'index.ts' && name !== 'types.ts')
      .map((name) => name.replace(/\.ts$/, ''));
    expect(DRIFT_METHODS.map((m) => m.id).sort()).toEqual(files.sort());
  });

  it('psi matches a hand computation', () => {
    // (0.5-0.25)ln(0.5/0.25) + (0.25-0.25)ln(1) + (0.25-0.5)ln(0.25/0.5) = 0.5 ln 2
    expect(driftMethod('psi').compute(f(0.25, 0.25, 0.5), f(0.5, 0.25, 0.25))).toBeCloseTo(0.5 * Math.LN2, 15);
    expect(driftMethod('psi').compute(f(0.1, 0.9), f(0.1, 0.9))).toBe(0);
  });

  it('jensen-shannon distance matches a hand computation (scipy definition, natural log)', () => {
    // p = (1, 0), q = (0, 1): m = (0.5, 0.5), JSD = ln 2, distance = sqrt(ln 2)
    expect(driftMethod('jensenshannon').compute(f(1, 0), f(0, 1))).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    // unnormalised inputs are renormalised: (2, 2) vs (1, 1) is no drift
    expect(driftMethod('jensenshannon').compute(f(2, 2), f(1, 1))).toBe(0);
  });

  it('hellinger distance matches a hand computation', () => {
    // sqrt(((sqrt(.5)-1)^2 + (sqrt(.5)-0)^2) / 2)
    const want = Math.sqrt(((Math.sqrt(0.5) - 1) ** 2 + 0.5) / 2);
    expect(driftMethod('hellinger').compute(f(0.5, 0.5), f(1, 0))).toBeCloseTo(want, 15);
  });

  it('threshold direction follows the score kind', () => {
    expect(isDrifted(driftMethod('psi'), 0.25, 0.2)).toBe(true);
    expect(isDrifted(driftMethod('psi'), 0.2, 0.2)).toBe(false);
    expect(isDrifted({ ...driftMethod('psi'), scoreKind: 'p_value' }, 0.01, 0.05)).toBe(true);
  });

  it('unknown method ids are a usage error naming the choices', () => {
    expect(() => driftMethod('ks')).toThrow(/unknown drift method "ks": expected one of psi, jensenshannon, hellinger/);
  });
});

describe('decision policy (the original tool\'s rules)', () => {
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
  it('aggregations', () => {
    expect(aggregate([1, 2, 6], 'mean')).toBe(3);
    expect(aggregate([1, 2, 6, 7], 'median')).toBe(4);
    expect(aggregate([1, 2, 6], 'max')).toBe(6);
  });
});
