/**
 * numpy's default (`linear`) quantiles, to the last bit, on adversarial columns: on the default
 * grid q = i / bins (psi_reference.py) and on the original tool's np.linspace(0, 1, bins + 1)
 * (driftcatcher_original.py).
 */
import { describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { quantileEdges, quantileGrid, quantileSorted } from '../../../engine/profile/quantile.js';
import { ROOT, reference, tempDir, rng } from '../../helpers.js';

const dir = tempDir('dc-quantile-');

function numpyEdges(values: number[], bins: number): number[] {
  const file = join(dir, `col-${bins}-${values.length}-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, 'x\n' + values.map((v) => String(v)).join('\n') + '\n');
  return reference(inject('pythonPath'), ['quantile', file, 'x', '--bins', String(bins)]).edges;
}

/** np.quantile(values, q=np.linspace(0, 1, bins + 1)) of each item, in one Python process. */
function numpyLinspaceEdges(items: Array<{ values: number[]; bins: number }>): number[][] {
  const spec = { quantiles: items.map((item, i) => ({ id: String(i), ...item })) };
  const result = spawnSync(inject('pythonPath'), [join(ROOT, 'test', 'reference', 'driftcatcher_original.py')], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`driftcatcher_original.py failed: ${result.stderr}`);
  return (JSON.parse(result.stdout).quantiles as Array<{ edges: number[] }>).map((q) => q.edges);
}

const random = rng(11);
const COLUMNS: number[][] = [
  [5],
  [1, 2],
  [0, 0, 0, 0, 0, 0, 0, 1e6],
  [-3.5, -1e-300, 0, 2.2250738585072014e-308, 7, 7, 7, 1.7976931348623157e308 / 4],
  Array.from({ length: 1001 }, () => Math.round(random() * 20) - 10),
  Array.from({ length: 777 }, () => Math.exp(random() * 40 - 20)),
  Array.from({ length: 999 }, () => (random() - 0.5) * 1e-5 + 0.1),
  Array.from({ length: 11 }, (_, i) => i * 36.55), // 10 q lands next to a whole index
];

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
    for (const values of COLUMNS) {
      for (const bins of [10, 4, 7, 255]) {
        const ours = Array.from(quantileEdges(Float64Array.from(values).sort(), bins));
        expect(ours, `${values.length} values, ${bins} bins`).toEqual(numpyEdges(values, bins));
      }
    }
  });

  it("the linspace grid is np.linspace's: i * (1 / bins), exactly 1 at the end", () => {
    expect(Array.from(quantileGrid(10, 'linspace'))).toEqual([0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1]);
    expect(Array.from(quantileGrid(10, 'i/bins'))).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(Array.from(quantileGrid(1, 'linspace'))).toEqual([0, 1]);
  });

  it('on the linspace grid, equal np.quantile(values, q=np.linspace(0, 1, bins + 1)) bit for bit', () => {
    const items = COLUMNS.flatMap((values) => [10, 4, 7, 255, 3, 20, 1000].map((bins) => ({ values, bins })));
    const numpy = numpyLinspaceEdges(items);
    items.forEach(({ values, bins }, i) => {
      const ours = Array.from(quantileEdges(Float64Array.from(values).sort(), bins, 'linspace'));
      expect(ours, `${values.length} values, ${bins} bins`).toEqual(numpy[i]);
    });
    // where the grids part: 10 q = 3.0000000000000004 for the third decile of 0, 36.55, ...
    const spaced = Float64Array.from(COLUMNS[7]!);
    expect(quantileEdges(spaced, 10, 'linspace')[3]).not.toBe(quantileEdges(spaced, 10, 'i/bins')[3]);
  });
});
