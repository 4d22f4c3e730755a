/** numpy's default (`linear`) quantiles, to the last bit, on adversarial columns. */
import { describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { quantileEdges, quantileSorted } from '../../../engine/profile/quantile.js';
import { reference, tempDir, rng } from '../../helpers.js';

const dir = tempDir('dc-quantile-');

function numpyEdges(values: number[], bins: number): number[] {
  const file = join(dir, `col-${bins}-${values.length}-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, 'x\n' + values.map((v) => String(v)).join('\n') + '\n');
  return reference(inject('pythonPath'), ['quantile', file, 'x', '--bins', String(bins)]).edges;
}

describe('quantiles', () => {
  it('hand-computed: virtual index (n - 1) q, interpolated', () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    expect(quantileSorted(sorted, 0)).toBe(1);
    expect(quantileSorted(sorted, 1)).toBe(4);
    expect(quantileSorted(sorted, 0.5)).toBe(2.5);
    expect(quantileSorted(sorted, 0.1)).toBeCloseTo(1.3, 15);
    expect(quantileEdges(new Float64Array(0), 10)).toHaveLength(0);
  });

  it('equal numpy bit for bit on ties, negatives, tiny and huge values, odd sizes and bin counts', () => {
    const random = rng(11);
    const columns: number[][] = [
      [5],
      [1, 2],
      [0, 0, 0, 0, 0, 0, 0, 1e6],
      [-3.5, -1e-300, 0, 2.2250738585072014e-308, 7, 7, 7, 1.7976931348623157e308 / 4],
      Array.from({ length: 1001 }, () => Math.round(random() * 20) - 10),
      Array.from({ length: 777 }, () => Math.exp(random() * 40 - 20)),
      Array.from({ length: 999 }, () => (random() - 0.5) * 1e-5 + 0.1),
    ];
    for (const values of columns) {
      for (const bins of [10, 4, 7, 255]) {
        const ours = Array.from(quantileEdges(Float64Array.from(values).sort(), bins));
        expect(ours, `${values.length} values, ${bins} bins`).toEqual(numpyEdges(values, bins));
      }
    }
  });
});
