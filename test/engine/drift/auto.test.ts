/**
 * The statistics options, pure logic on small files (no Python): the `auto` rule per feature, the
 * dataset verdict by drifted share, the multiple-testing corrections, and the fine methods'
 * refusal of version 1 profiles.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, createBaseline, resolveDriftOptions, type Profile } from '../../../engine/index.js';
import { adjustPValues, autoMethod } from '../../../engine/drift/index.js';
import { alertContent, overallText } from '../../../engine/agent/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-auto-');
let big: Profile;
let small: Profile;

/** x uniform (shifted by `shift`), y uniform, flag in {0, 1}. */
function write(file: string, rows: number, seed: number, shift = 0): string {
  const random = rng(seed);
  const lines = ['x,y,flag,Label'];
  for (let i = 0; i < rows; i++) lines.push(`${random() + shift},${random()},${random() < 0.3 ? 1 : 0},BENIGN`);
  writeFileSync(join(dir, file), lines.join('\n') + '\n');
  return join(dir, file);
}

beforeAll(async () => {
  big = await createBaseline(write('big.csv', 3000, 1));
  small = await createBaseline(write('small.csv', 800, 2));
  write('shifted.csv', 2000, 3, 0.3);
});

describe('method auto', () => {
  it('few distinct values: chisquare; up to 1000 training values: ks; more: wasserstein', () => {
    expect(big.features.map((f) => autoMethod(f))).toEqual(['wasserstein', 'wasserstein', 'chisquare']);
    expect(small.features.map((f) => autoMethod(f))).toEqual(['ks', 'ks', 'chisquare']);
    expect(autoMethod({ count: 5000 })).toBe('wasserstein'); // a version 1 feature: no distinct count
  });

  it('each feature states its method and the threshold it was judged on; the overall score is the drifted share', async () => {
    const report = await checkDrift(big, join(dir, 'shifted.csv'), { method: 'auto', workers: 0 });
    expect(report.method).toBe('auto');
    expect(report.settings).toMatchObject({ method: 'auto', score_kind: 'distance', fine: true, thresholds: { wasserstein: 0.1, chisquare: 0.05 } });
    const byName = Object.fromEntries(report.features.map((f) => [f.name, f]));
    expect(byName['x']).toMatchObject({ method: 'wasserstein', drifted: true });
    expect(byName['x']!.statistic).toBeCloseTo(0.3, 1);
    expect(byName['y']).toMatchObject({ method: 'wasserstein', drifted: false });
    expect(byName['flag']).toMatchObject({ method: 'chisquare', drifted: false });
    expect(report.features[0]!.name).toBe('x');
    expect(report.overall_score).toBeCloseTo(1 / 3, 15);
    expect(report.drifted_share).toBeCloseTo(1 / 3, 15);
    expect(report.overall_psi).toBeUndefined();
    // the agent's alerts read the report's method and overall score: auto, the drifted share
    const alert = alertContent(report, { name: 'm', version: 1 });
    expect(alert).toMatchObject({ method: 'auto', score_kind: 'distance', overall_score: report.overall_score, top_drifted_features: [{ name: 'x', score: byName['x']!.score }] });
    expect(overallText(alert)).toContain('auto');
  });
});

describe('the fine scan', () => {
  it('the decile counts summed from the fine bins are the PSI scan\'s, bit for bit (so expected/actual are the same)', async () => {
    const file = join(dir, 'shifted.csv');
    const psi = await checkDrift(big, file, { method: 'psi', workers: 0 });
    for (const method of ['ks', 'wasserstein', 'auto']) {
      const fine = await checkDrift(big, file, { method, workers: 0 });
      expect(fine.settings.fine).toBe(true);
      for (const f of psi.features) {
        const g = fine.features.find((x) => x.name === f.name)!;
        // auto's chisquare counts a categorical feature (flag) on its categories, not on fine bins
        if (method === 'auto' && f.name === 'flag') {
          expect(g.categories, 'flag is counted on its categories').toBeDefined();
          continue;
        }
        expect(g.actual, `${method} ${f.name}`).toEqual(f.actual);
        expect(g.expected, `${method} ${f.name}`).toEqual(f.expected);
      }
    }
    expect(psi.settings.fine).toBe(false);
  });

  it('the current tails (values beyond the training range) add up across byte ranges and workers', async () => {
    const file = join(dir, 'shifted.csv');
    const inline = await checkDrift(big, file, { method: 'wasserstein', workers: 0 });
    const split = await checkDrift(big, file, { method: 'wasserstein', workers: 2, rangeBytes: 4096 });
    for (const f of inline.features) {
      const g = split.features.find((x) => x.name === f.name)!;
      expect(g.actual).toEqual(f.actual);
      // float sums in another order: equal to rounding
      expect(g.statistic!).toBeCloseTo(f.statistic!, 12);
    }
    // x shifted by 0.3 beyond a training maximum near 1: about 30% of the values, 0.15 on average beyond it
    expect(inline.features.find((f) => f.name === 'x')!.statistic).toBeCloseTo(0.3, 1);
  });
});

describe('drift share', () => {
  it('dataset drift when the drifted share reaches it: the action is retrain; without it, the policy alone', async () => {
    const file = join(dir, 'shifted.csv');
    // the overall score alone never retrains here
    const policy = { retrainOverall: 1000, alertOverall: 1000 };
    const plain = await checkDrift(big, file, { method: 'psi', workers: 0, policy });
    expect(plain.dataset_drift).toBeNull();
    expect(plain.n_drifted_features).toBe(1);
    expect(plain.action).toBe('alert');
    const third = await checkDrift(big, file, { method: 'psi', workers: 0, policy, driftShare: 1 / 3 });
    expect(third).toMatchObject({ dataset_drift: true, action: 'retrain' });
    const half = await checkDrift(big, file, { method: 'psi', workers: 0, policy, driftShare: 0.5 });
    expect(half).toMatchObject({ dataset_drift: false, action: 'alert' });
    expect(() => resolveDriftOptions(big, { driftShare: 0 })).toThrow('driftShare: must be a share above 0 and at most 1, got 0');
  });
});

describe('corrections', () => {
  it('bonferroni multiplies by the number of tests; bh is Benjamini-Hochberg (monotone, capped at 1)', () => {
    expect(adjustPValues([0.01, 0.04, 0.03, 0.2], 'bonferroni')).toEqual([0.04, 0.16, 0.12, 0.8]);
    const bh = adjustPValues([0.01, 0.04, 0.03, 0.2], 'bh');
    [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2].forEach((v, i) => expect(bh[i]).toBeCloseTo(v, 15));
    expect(adjustPValues([0.5, 0.9], 'bonferroni')).toEqual([1, 1]);
    expect(adjustPValues([0.02, NaN], 'bonferroni')).toEqual([0.02, NaN]);
  });

  it('the adjusted p-value decides drifted; the raw one stays the score', async () => {
    const file = join(dir, 'shifted.csv');
    const raw = await checkDrift(small, file, { method: 'ks', workers: 0 });
    const adjusted = await checkDrift(small, file, { method: 'ks', workers: 0, correction: 'bonferroni' });
    for (const f of adjusted.features) {
      const r = raw.features.find((g) => g.name === f.name)!;
      expect(f.score).toBe(r.score);
      expect(f.adjusted_p_value).toBeCloseTo(Math.min(1, 3 * r.score), 12);
      expect(f.drifted).toBe(f.adjusted_p_value! < 0.05);
    }
    expect(adjusted.settings.correction).toBe('bonferroni');
  });
});

describe('version 1 profiles', () => {
  it('a method on the fine summary refuses them in one line; psi still checks them', async () => {
    const v1: Profile = { ...big, version: 1, features: big.features.map(({ fine: _fine, ...f }) => f) };
    delete v1.resolution;
    expect(() => resolveDriftOptions(v1, { method: 'ks' })).toThrow(/method ks needs the fine summary of profile version 2, and this profile is version 1; rebuild it with `driftcatcher baseline`/);
    expect(() => resolveDriftOptions(v1, { method: 'auto' })).toThrow(/method auto needs the fine summary/);
    const report = await checkDrift(v1, join(dir, 'shifted.csv'), { workers: 0 });
    expect(report.method).toBe('psi');
  });
});
