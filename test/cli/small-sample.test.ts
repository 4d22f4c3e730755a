/**
 * Verdicts on samples too small to mean anything carry a warning: one line on stderr and a
 * `small_sample` field in the JSON, for `check`, `scan` (per file and combined) and `monitor`
 * (`agent check`: test/cli/agent.test.ts). The real CICIDS extracts: a 10-row sample against the
 * 9998-row baseline is "retrain" on sampling noise alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_9998, SAMPLE_10, cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-small-');
let profile: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
});

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('driftcatcher: warning: '));

describe('small-sample warnings', () => {
  it('check: a 10-row batch warns (stderr and small_sample), the 9998-row one does not', () => {
    const small = cli(['check', '--baseline', profile, SAMPLE_10, '--json', '--no-record', '--workers', '0']);
    expect(small.code, small.stderr).toBe(0);
    const report = JSON.parse(small.stdout);
    expect(report.current.rows).toBe(10);
    expect(report.small_sample).toMatchObject({ rows: 10, limit: 0.1 });
    expect(report.small_sample.min_rows).toBeGreaterThan(10);
    expect(report.small_sample.rule).toMatch(/\(k-1\)\/n \+ \(k-1\)\/n_ref/);
    expect(warnings(small.stderr)).toEqual([`driftcatcher: warning: ${report.small_sample.message}`]);
    // the human output warns too
    const text = cli(['check', '--baseline', profile, SAMPLE_10, '--no-record', '--workers', '0']);
    expect(warnings(text.stderr)).toHaveLength(1);

    const large = cli(['check', '--baseline', profile, HEAD_9998, '--json', '--no-record', '--workers', '0']);
    expect(large.code, large.stderr).toBe(0);
    expect(JSON.parse(large.stdout).small_sample).toBeNull();
    expect(warnings(large.stderr)).toEqual([]);
  });

  it('scan: the small file warns by name, the large file and the combined batch do not', () => {
    const scan = cli(['scan', '--baseline', profile, SAMPLE_10, HEAD_9998, '--json', '--no-record', '--workers', '0']);
    expect(scan.code, scan.stderr).toBe(0);
    const result = JSON.parse(scan.stdout);
    expect(result.files[0].small_sample).toMatchObject({ rows: 10 });
    expect(result.files[1].small_sample).toBeNull();
    expect(result.combined.small_sample).toBeNull();
    expect(warnings(scan.stderr)).toEqual([`driftcatcher: warning: ${SAMPLE_10}: ${result.files[0].small_sample.message}`]);
  });

  it('monitor: 3 predictions, or too few of a class, warn; 40 balanced rows do not', () => {
    const three = join(dir, 'three.csv');
    writeFileSync(three, 'y_true,y_pred\n1,0\n0,1\n1,0\n');
    const tiny = cli(['monitor', three, '--json', '--no-record']);
    expect(tiny.code, tiny.stderr).toBe(0);
    const report = JSON.parse(tiny.stdout);
    expect(report.status).toBe('degraded');
    expect(report.small_sample).toMatchObject({ rows: 3, positives: 2, negatives: 1, min_rows: 30, min_per_class: 10 });
    expect(report.small_sample.message).toMatch(/3 labelled row\(s\), fewer than 30; 2 positive\(s\), fewer than 10; 1 negative\(s\), fewer than 10/);
    expect(warnings(tiny.stderr)).toEqual([`driftcatcher: warning: ${report.small_sample.message}`]);

    const balanced = join(dir, 'balanced.csv');
    writeFileSync(balanced, 'y_true,y_pred\n' + Array.from({ length: 40 }, (_, i) => `${i % 2},${i % 2}`).join('\n') + '\n');
    const ok = cli(['monitor', balanced, '--json', '--no-record']);
    expect(JSON.parse(ok.stdout).small_sample).toBeNull();
    expect(warnings(ok.stderr)).toEqual([]);

    const fewPositives = join(dir, 'few-positives.csv');
    writeFileSync(fewPositives, 'y_true,y_pred\n' + Array.from({ length: 40 }, (_, i) => (i < 9 ? '1,1' : '0,0')).join('\n') + '\n');
    const few = cli(['monitor', fewPositives, '--no-record']);
    expect(few.code, few.stderr).toBe(0);
    expect(warnings(few.stderr)).toEqual(['driftcatcher: warning: sample too small for the verdict to mean anything: 9 positive(s), fewer than 10']);
  });
});
