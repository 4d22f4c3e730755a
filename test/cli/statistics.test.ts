/**
 * The statistical tests from the command line, on the real CICIDS extract: `baseline
 * --resolution`, `check --method ks|wasserstein|chisquare|auto --correction --drift-share`
 * (JSON and text), a version 1 profile refused in one line (exit 2) by the methods that need
 * the fine summary, and bad values of the new flags (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLOWS_299, HEAD_9998, cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-stats-');
let profile: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile, '--resolution', '500']);
  expect(made.code, made.stderr).toBe(0);
});

describe('check with the statistical tests', () => {
  it('auto: each feature states its method; the settings its thresholds, correction and drift share', () => {
    const run = cli(['check', '--baseline', profile, HEAD_9998, '--method', 'auto', '--correction', 'bh', '--drift-share', '0.5', '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.method).toBe('auto');
    expect(report.settings).toMatchObject({ method: 'auto', fine: true, resolution: 500, correction: 'bh', drift_share: 0.5 });
    expect(new Set(report.features.map((f: { method: string }) => f.method))).toEqual(new Set(['wasserstein', 'chisquare']));
    // the baseline's own data: nothing drifts
    expect(report).toMatchObject({ n_drifted_features: 0, dataset_drift: false, action: 'wait', overall_score: 0 });
    for (const f of report.features) if (f.method === 'wasserstein') expect(f.score).toBeLessThan(1e-9);
    const text = cli(['check', '--baseline', profile, HEAD_9998, '--method', 'auto', '--no-record', '--workers', '0']);
    expect(text.stdout).toMatch(/#\s+feature\s+method\s+score\s+verdict/);
    expect(text.stdout).toContain('overall auto (drifted share)');
  });

  it('ks on a different capture (the 299 flows): p-values, statistics within their bounds, drifted below 0.05', () => {
    const run = cli(['check', '--baseline', profile, FLOWS_299, '--method', 'ks', '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.settings).toMatchObject({ method: 'ks', score_kind: 'p_value', threshold: 0.05, policy: { retrain_overall: 0, alert_overall: 0 } });
    for (const f of report.features) {
      expect(f.statistic_bounds[0]).toBe(f.statistic);
      expect(f.statistic_bounds[1]).toBeGreaterThanOrEqual(f.statistic);
      expect(f.drifted).toBe(f.score < 0.05);
    }
    expect(report.n_drifted_features).toBeGreaterThan(0);
  });

  it('a version 1 profile: ks refuses it in one line (exit 2), psi and chisquare check it', () => {
    const v1 = JSON.parse(readFileSync(profile, 'utf8'));
    v1.version = 1;
    delete v1.resolution;
    for (const f of v1.features) delete f.fine;
    const file = join(dir, 'v1.json');
    writeFileSync(file, JSON.stringify(v1));
    const ks = cli(['check', '--baseline', file, HEAD_9998, '--method', 'ks', '--no-record', '--workers', '0']);
    expect(ks.code).toBe(2);
    expect(ks.stderr.trim().split('\n')).toEqual(['driftcatcher: baseline friday-ddos-head-9998.csv: method ks needs the fine summary of profile version 2, and this profile is version 1; rebuild it with `driftcatcher baseline`']);
    for (const method of ['psi', 'chisquare']) expect(cli(['check', '--baseline', file, HEAD_9998, '--method', method, '--no-record', '--workers', '0']).code, method).toBe(0);
  });

  it('bad values: exit 2, one line naming the flag', () => {
    const share = cli(['check', '--baseline', profile, HEAD_9998, '--drift-share', '1.5', '--no-record']);
    expect(share.code).toBe(2);
    expect(share.stderr).toContain('--drift-share');
    const correction = cli(['check', '--baseline', profile, HEAD_9998, '--correction', 'holm', '--no-record']);
    expect(correction.code).toBe(2);
    const resolution = cli(['baseline', HEAD_9998, '-o', join(dir, 'x.json'), '--resolution', '105']);
    expect(resolution.code).toBe(2);
    expect(resolution.stderr.trim()).toBe('driftcatcher: --resolution: must be a whole multiple of bins (10) from 10 to 100000, got 105');
  });
});
