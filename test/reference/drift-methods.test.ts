/**
 * Each drift method (engine/drift/methods/) against its numpy/scipy definition
 * (test/reference/drift_methods_reference.py: numpy for PSI, scipy.spatial.distance's
 * jensenshannon and euclidean for the distances), on 300 random cases: 2 to 25 bins, empty bins,
 * an empty side, sizes above the counts' sum (the original tool's out-of-range values), epsilon
 * from 1e-8 to 1e-2. One Python process computes every case.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { DRIFT_METHODS, type DriftInput } from '../../engine/drift/index.js';
import { rng } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'drift_methods_reference.py');

function cases(n: number, seed: number): DriftInput[] {
  const random = rng(seed);
  const int = (below: number) => Math.floor(random() * below);
  const counts = (bins: number, scale: number, zeros: number) => Array.from({ length: bins }, () => (random() < zeros ? 0 : int(scale) + 1));
  const out: DriftInput[] = [];
  for (let i = 0; i < n; i++) {
    const bins = 2 + int(24);
    const reference = counts(bins, 1 + int(5000), i % 5 === 0 ? 0.3 : 0.05);
    const current = i % 37 === 0 ? new Array<number>(bins).fill(0) : counts(bins, 1 + int(i % 3 === 0 ? 20 : 3000), i % 4 === 0 ? 0.4 : 0.05);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    out.push({
      reference: Float64Array.from(reference),
      current: Float64Array.from(current),
      referenceSize: sum(reference),
      // some current values outside every bin: counted in the size only
      currentSize: sum(current) + (i % 3 === 1 ? int(50) : 0),
      edges: Array.from({ length: bins - 1 }, (_, j) => j),
      bins: 'open',
      epsilon: 10 ** -(2 + int(7)),
    });
  }
  return out;
}

describe('drift methods = their numpy/scipy definitions', () => {
  it('psi, jensenshannon, hellinger, chisquare to 1e-12 on 300 random cases', () => {
    const inputs = cases(300, 42);
    const spec = { cases: inputs.map((c) => ({ reference: Array.from(c.reference), current: Array.from(c.current), reference_size: c.referenceSize, current_size: c.currentSize, epsilon: c.epsilon })) };
    const run = spawnSync(inject('pythonPath'), [SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout).results as Array<Record<string, number>>;
    expect(results).toHaveLength(inputs.length);
    // the methods on the bins (those on the fine summaries, ks and wasserstein: test/reference/stats.test.ts)
    const binMethods = DRIFT_METHODS.filter((m) => m.needs !== 'fine');
    expect(binMethods.map((m) => m.id).sort()).toEqual(Object.keys(results[0]!).sort());
    for (const method of binMethods) {
      inputs.forEach((input, i) => {
        const ours = method.compute(input).score;
        const theirs = results[i]![method.id] ?? NaN;
        if (Number.isNaN(theirs)) return expect(ours, `${method.id}, case ${i}`).toBeNaN();
        expect(Math.abs(ours - theirs), `${method.id}, case ${i}: ${ours} vs ${theirs}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(theirs)));
      });
    }
  });
});
