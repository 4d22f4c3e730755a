/**
 * The CSV fuzz harness in CI: a fixed seed and a fixed number of inputs (about 20 s on two busy
 * cores), so a run is reproducible; any finding fails the test and is printed with the
 * mutations that made its input. Longer runs: `npm run fuzz -- --seconds 1800 [--seed S]`.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './harness.js';

describe('CSV fuzz harness', () => {
  it('finds nothing on 300 mutated CICIDS2017 inputs (seed 20251)', async () => {
    const summary = await runFuzz({ seed: 20251, iterations: 300 });
    expect(summary.inputs).toBe(300);
    // the inputs reach every outcome: values compared, and each kind of error
    for (const kind of ['ok', 'line-limit', 'not-a-number', 'ragged', 'no-data']) expect(summary.outcomes[kind] ?? 0, kind).toBeGreaterThan(0);
    expect(summary.findings.map((f) => `input ${f.iteration} ${f.path}: ${f.problem} [${f.mutations.join('; ')}]`)).toEqual([]);
  }, 300_000);
});
