/**
 * The small-sample rule of drift reports (engine/drift/sample-size.ts) against an independent numpy
 * Monte Carlo (test/reference/sample_size_reference.py): the PSI of batches without drift, averaged
 * over fresh references and batches. The rule's expected PSI matches it where the chi-square
 * approximation holds, errs low (quiet) for tiny batches, and the smallest batch it accepts has a
 * real noise floor at about half the threshold.
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

  it('follows the threshold: a stricter PSI threshold needs more rows; other methods are held to PSI\'s default', async () => {
    const strict = await checkDrift(profile, join(dir, 'batch_200.csv'), { workers: 0, threshold: 0.05 });
    expect(strict.small_sample).toMatchObject({ rows: 200, limit: 0.025 });
    expect(strict.small_sample!.min_rows).toBeGreaterThan(200);
    const js = await checkDrift(profile, join(dir, 'batch_10.csv'), { workers: 0, method: 'jensenshannon' });
    expect(js.small_sample).toMatchObject({ rows: 10, limit: 0.1 });
  });
});
