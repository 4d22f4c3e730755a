/**
 * The small-sample rule of drift reports (engine/drift/sample-size.ts) against an independent numpy
 * Monte Carlo (test/reference/sample_size_reference.py): the PSI (and the Hellinger and
 * Jensen-Shannon distances) of batches without drift, averaged over fresh references and batches.
 * The rule's expected score matches it where the chi-square approximation holds, errs low (quiet)
 * for tiny PSI batches, and the smallest batch it accepts has a real noise floor at about half the
 * threshold, for each method with its own threshold.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBaseline } from '../../../engine/profile/index.js';
import { checkDrift } from '../../../engine/drift/index.js';
import type { Profile } from '../../../engine/profile/types.js';
import { ROOT, tempDir } from '../../helpers.js';

const SCRIPT = join(ROOT, 'test', 'reference', 'sample_size_reference.py');
const N_REF = 2000;
const dir = tempDir('dc-sample-size-');
const python = () => inject('pythonPath');
let profile: Profile;

function reference(args: string[]): any {
  return JSON.parse(execFileSync(python(), [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }) || 'null');
}

beforeAll(async () => {
  reference(['data', dir, String(N_REF), '5', '10', '30', '200', '1000']);
  profile = await createBaseline(join(dir, 'reference.csv'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (file: string) => checkDrift(profile, file, { workers: 0 });

describe('small_sample of drift reports', () => {
  it('matches a numpy Monte Carlo of PSI under no drift, and its smallest accepted batch sits at half the threshold', async () => {
    const tiny = await check(join(dir, 'batch_10.csv'));
    expect(tiny.small_sample).not.toBeNull();
    const minRows = tiny.small_sample!.min_rows!;
    expect(tiny.small_sample).toMatchObject({ rows: 10, bins: 10, limit: 0.1 });
    expect(tiny.small_sample!.message).toMatch(/^sample too small for the verdict to mean anything: 10 rows over 10 bins/);
    expect(tiny.small_sample!.message).toContain(`at least ${minRows} rows`);

    reference(['data', dir, String(N_REF), '6', String(minRows - 1), String(minRows)]);
    const mc = reference(['mc', String(N_REF), '7', '400', '10', '1e-4', '10', '30', String(minRows), '200', '1000']);
    // where the approximation holds (n >= 200) the rule's expected PSI is the Monte Carlo's within 5%
    for (const n of [200, 1000]) {
      const report = await check(join(dir, `batch_${n}.csv`));
      expect(report.small_sample, `${n} rows`).toBeNull();
      const approx = 9 / n + 9 / N_REF;
      expect(Math.abs(approx - mc[String(n)]) / mc[String(n)], `${n} rows`).toBeLessThan(0.05);
    }
    // tiny batches: real noise is larger still (empty bins -> epsilon), so the warning is never too eager
    for (const n of [10, 30]) {
      const report = await check(join(dir, `batch_${n}.csv`));
      expect(report.small_sample!.expected_psi).toBeLessThan(mc[String(n)]);
      expect(report.small_sample!.expected_score).toBe(report.small_sample!.expected_psi);
      expect(mc[String(n)]).toBeGreaterThan(0.1);
      // and sampling noise alone makes these batches look drifted
      expect(report.overall_psi).toBeGreaterThan(0.1);
    }
    // the smallest batch the rule accepts: its real mean PSI under no drift is about half the threshold
    expect(mc[String(minRows)]).toBeGreaterThan(0.1 * 0.85);
    expect(mc[String(minRows)]).toBeLessThan(0.1 * 1.15);
    // one row fewer warns, that many does not
    expect((await check(join(dir, `batch_${minRows - 1}.csv`))).small_sample).not.toBeNull();
    expect((await check(join(dir, `batch_${minRows}.csv`))).small_sample).toBeNull();
  });

  it('follows the threshold: a stricter PSI threshold needs more rows', async () => {
    const strict = await checkDrift(profile, join(dir, 'batch_200.csv'), { workers: 0, threshold: 0.05 });
    expect(strict.small_sample).toMatchObject({ rows: 200, limit: 0.025 });
    expect(strict.small_sample!.min_rows).toBeGreaterThan(200);
  });

  for (const method of ['hellinger', 'jensenshannon']) {
    it(`${method}: its own noise floor, sqrt(S / 8), against its Monte Carlo, and its own threshold`, async () => {
      const tiny = await checkDrift(profile, join(dir, 'batch_10.csv'), { workers: 0, method });
      expect(tiny.small_sample).toMatchObject({ rows: 10, bins: 10, limit: 0.05 });
      expect(tiny.small_sample).not.toHaveProperty('expected_psi');
      expect(tiny.small_sample!.message).toContain(`expected ${method} of`);
      const minRows = tiny.small_sample!.min_rows!;
      // 8 * 0.05^2 = 0.02 in S: 9 / (0.02 - 9 / 2000) = 580.6
      expect(minRows).toBe(581);
      reference(['data', dir, String(N_REF), '8', String(minRows - 1), String(minRows), '3000']);
      const mc = reference(['mc-method', method, String(N_REF), '9', '300', '10', '1e-4', String(minRows), '1000', '3000']);
      // where the approximation holds the rule's expected score is the Monte Carlo's within 5% (it
      // is an upper bound of the mean: Jensen's inequality, 3% at 10 bins)
      for (const n of [1000, 3000]) {
        const approx = Math.sqrt((9 / n + 9 / N_REF) / 8);
        expect(approx, `${n} rows`).toBeGreaterThan(mc[String(n)]);
        expect((approx - mc[String(n)]) / mc[String(n)], `${n} rows`).toBeLessThan(0.05);
        expect((await checkDrift(profile, join(dir, `batch_${n}.csv`), { workers: 0, method })).small_sample, `${n} rows`).toBeNull();
      }
      // the smallest batch the rule accepts: its real mean score under no drift is about half the threshold
      expect(mc[String(minRows)]).toBeGreaterThan(0.05 * 0.85);
      expect(mc[String(minRows)]).toBeLessThan(0.05 * 1.15);
      expect((await checkDrift(profile, join(dir, `batch_${minRows - 1}.csv`), { workers: 0, method })).small_sample).not.toBeNull();
      expect((await checkDrift(profile, join(dir, `batch_${minRows}.csv`), { workers: 0, method })).small_sample).toBeNull();
    });
  }
});
