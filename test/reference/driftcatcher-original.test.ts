/**
 * Verifies the restated original tool (test/reference/driftcatcher_original.py) against numbers
 * worked out by hand on a tiny CSV, so that it can be trusted as the oracle of
 * `--compat driftcatcher`: the deciles on np.linspace's grid (q = 0.30000000000000004, ...),
 * np.histogram on them, the 0.0001 replacement, the mean, and the features it skips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, 'driftcatcher_original.py');

interface Drift {
  overall_psi: number | string;
  feature_psi: Record<string, number>;
  drifted_features: Array<[string, number]>;
  action: string;
  n_drifted_features: number;
  total_features: number;
  skipped_features: Array<{ name: string; reason: string }>;
}
interface Case {
  id: string;
  training_rows: number;
  feature_cols: string[];
  training_stats: Record<string, { quantiles: number[]; expected_dist: number[] }>;
  drift: Drift | null;
}

function runOriginal(spec: unknown): { cases: Case[]; quantiles: Array<{ id: string; edges: number[] }> } {
  const result = spawnSync(inject('pythonPath'), [SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`driftcatcher_original.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** One PSI term, zeros already replaced by 0.0001. */
const term = (actual: number, expected: number): number => (actual - expected) * Math.log(actual / expected);
const E = 1e-4;

let dir: string;
let train: string;
let batch: string;
let empty: string;

/**
 * Training (12 rows): x = 0,0,0,0,1,2,3,4,5,6,7 and a 12th row whose y is Infinity (dropped, so
 * its x = 100 is not in the baseline); y and z = 1..11. ` x ` and friends have spaces to strip.
 * Batch (6 rows): x = 0, 0.5, 3, 4, 7, 9; y all NaN or Infinity; no z column.
 */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-original-ref-'));
  const xs = ['0', '0', '0', '0', '1', '2', '3', '4', '5', '6', '7'];
  const rows = xs.map((x, i) => `${x},${i + 1},${i + 1},BENIGN`);
  rows.push('100,Infinity,12,DDoS');
  train = join(dir, 'train.csv');
  writeFileSync(train, ` x ,y, z, Label\r\n${rows.join('\r\n')}\r\n`);
  batch = join(dir, 'batch.csv');
  writeFileSync(batch, ' x,y,Label\n0,NaN,BENIGN\n0.5,Infinity,BENIGN\n3,-Infinity,BENIGN\n4,,BENIGN\n7,NaN,BENIGN\n9,NaN,BENIGN\n');
  empty = join(dir, 'empty.csv');
  writeFileSync(empty, 'a,Label\n1,BENIGN\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('driftcatcher_original.py', () => {
  it('takes the deciles at np.linspace(0, 1, 11) and bins the training rows with np.histogram', () => {
    const [result] = runOriginal({ cases: [{ id: 'tiny', train, batch: null }] }).cases;
    expect(result!.feature_cols).toEqual(['x', 'y', 'z']);
    expect(result!.training_rows).toBe(11); // the row with y = Infinity is dropped
    // positions 10 q: q = 0.30000000000000004 gives 3.0000000000000004, so 0 + (1 - 0) * 4.44e-16;
    // 0.6000000000000001 -> 6.000000000000001: 3 + (4 - 3) * 8.9e-16; 0.7000000000000001 -> 4 + 8.9e-16
    const x = result!.training_stats['x']!;
    expect(x.quantiles).toEqual([0, 0, 0, 2 ** -51, 1, 2, 3 + 2 ** -50, 4 + 2 ** -50, 5, 6, 7]);
    // [0,0) [0,0) [0,4e-16): the four 0s  [4e-16,1)  [1,2): 1  [2,3+): 2 and 3  [3+,4+): 4  [4+,5)  [5,6): 5  [6,7]: 6, 7
    expect(x.expected_dist).toEqual([0, 0, 4, 0, 1, 2, 1, 0, 1, 2].map((c) => c / 11));
  });

  it('scores the finite batch values on those edges and skips features without data', () => {
    const [result] = runOriginal({ cases: [{ id: 'tiny', train, batch }] }).cases;
    const drift = result!.drift!;
    // batch x = 0, 0.5, 3, 4, 7 in bins 2, 3, 5, 6, 9; 9 is above the last edge and dropped
    const expected = [0, 0, 4, 0, 1, 2, 1, 0, 1, 2].map((c) => (c === 0 ? E : c / 11));
    const actual = [0, 0, 1, 1, 0, 1, 1, 0, 0, 1].map((c) => (c === 0 ? E : c / 6));
    const psiX = expected.reduce((sum, e, i) => sum + term(actual[i]!, e), 0);
    expect(drift.feature_psi['x']).toBeCloseTo(psiX, 12);
    expect(Object.keys(drift.feature_psi)).toEqual(['x']);
    expect(drift.skipped_features).toEqual([
      { name: 'y', reason: 'no_finite_values' },
      { name: 'z', reason: 'not_in_batch' },
    ]);
    expect(drift.total_features).toBe(1);
    expect(drift.overall_psi).toBeCloseTo(psiX, 12);
    expect(psiX).toBeGreaterThan(0.2);
    expect(drift.n_drifted_features).toBe(1);
    expect(drift.drifted_features).toEqual([['x', drift.feature_psi['x']]]);
    expect(drift.action).toBe('retrain');
  });

  it('honours the bin count, and NaN (no feature scored) comes out as a string', () => {
    const { cases, quantiles } = runOriginal({
      cases: [
        { id: 'four', train, batch, bins: 4 },
        { id: 'none', train, batch: empty },
      ],
      quantiles: [{ id: 'q', values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], bins: 10 }],
    });
    // quartiles at 10 q = 0, 2.5, 5, 7.5, 10 of x = 0,0,0,0,1,2,3,4,5,6,7
    expect(cases[0]!.training_stats['x']!.quantiles).toEqual([0, 0, 2, 4.5, 7]);
    expect(cases[1]!.drift).toMatchObject({ overall_psi: 'NaN', total_features: 0, action: 'wait' });
    // values 0..10: the edges are 10 q, that is 3.0000000000000004, 6.000000000000001, 7.000000000000001
    expect(quantiles[0]!.edges).toEqual([0, 1, 2, 3 + 2 ** -51, 4, 5, 6 + 2 ** -50, 7 + 2 ** -50, 8, 9, 10]);
  });
});
