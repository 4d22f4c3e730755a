/**
 * The data-quality signals from the command line, on the real CICIDS extract with problems put
 * into a copy of it: a column all empty (NaN) in the batch, values beyond the training maximum, a
 * column stuck at its training minimum, a column the baseline lacks and one the batch lacks. Text
 * and JSON, the verdict's floor and the flags that move it, bad flag values (exit 2).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_9998, cli, editColumns, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-quality-');
const profile = join(dir, 'profile.json');
const head = readCsvText(HEAD_9998);
const names = head.header.split(',').map((n) => n.trim());
const column = (name: string) => head.rows.map((line) => Number(line.split(',')[names.indexOf(name)]));

const EMPTY = 'Flow IAT Min';
const BEYOND = 'Fwd Packet Length Max';
const STUCK = 'Flow Duration';
const beyondMax = Math.max(...column(BEYOND));
const stuckMin = Math.min(...column(STUCK));
let broken: string;
let missing: string;
let clean: string;

beforeAll(() => {
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
  clean = writeCsvText(join(dir, 'clean.csv'), head);
  const edited = editColumns(head, {
    [EMPTY]: () => '',
    // every 10th row twice the training maximum
    [BEYOND]: (cell, row) => (row % 10 === 0 ? String(2 * beyondMax) : cell),
    [STUCK]: () => String(stuckMin),
  });
  broken = writeCsvText(join(dir, 'broken.csv'), { ...edited, header: `${edited.header},Extra Col`, rows: edited.rows.map((r) => `${r},1`) });
  // the batch without the column ` Flow IAT Max`
  const drop = names.indexOf('Flow IAT Max');
  const without = (line: string) => line.split(',').filter((_, i) => i !== drop).join(',');
  missing = writeCsvText(join(dir, 'missing.csv'), { ...head, header: without(head.header), rows: head.rows.map(without) });
});

const check = (data: string, ...flags: string[]) => cli(['check', '--baseline', profile, data, '--no-record', '--workers', '0', ...flags]);

describe('check: data quality on the real extract', () => {
  it('the training data itself: no breach, and the text says so', () => {
    const run = check(clean, '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.quality).toMatchObject({ n_breaches: 0, breaches: [], action: null, columns: { only_in_baseline: [], only_in_batch: [] }, out_of_range: { count: 0, share: 0 } });
    expect(report.quality.missing_rate.change).toBe(0);
    // the flag columns constant in training are named, not breaches
    expect(report.quality.constant_in_baseline).toContain('Bwd PSH Flags');
    expect(report.action).toBe('wait');
    expect(check(clean).stdout).toMatch(/^data quality: no breach \(missing rate change > 0\.05, out of range > 0\.05, one value >= 0\.95\)/m);
  });

  it('JSON: each injected problem is a breach of its feature, the extra column is named, the verdict at least alert', () => {
    const run = check(broken, '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const feature = (name: string) => report.features.find((f: { name: string }) => f.name === name);
    const rows = head.rows.length;

    expect(feature(EMPTY).quality.missing_rate).toMatchObject({ current_rate: 1, breach: true });
    expect(feature(EMPTY).quality.breaches).toContain('missing_rate');

    const above = Math.ceil(rows / 10);
    expect(feature(BEYOND).quality.out_of_range).toEqual({ below: 0, above, count: above, share: above / rows, breach: true });

    const stuck = feature(STUCK).quality.constant;
    expect(stuck).toMatchObject({ current_top_share: 1, current_top_value: stuckMin, breach: true });
    const share = column(STUCK).filter((v) => v === stuckMin).length / rows;
    expect(stuck.reference_share_in_bin).toBeCloseTo(share, 12);

    expect(report.quality.breaches).toEqual(
      expect.arrayContaining([
        { feature: EMPTY, signal: 'missing_rate' },
        { feature: BEYOND, signal: 'out_of_range' },
        { feature: STUCK, signal: 'constant' },
      ]),
    );
    expect(report.quality.columns).toEqual({ only_in_baseline: [], only_in_batch: ['Extra Col'] });
    expect(report.quality.action).toBe('alert');
    expect(['alert', 'retrain']).toContain(report.action);
    expect(report.settings.quality).toEqual({ missing_threshold: 0.05, out_of_range_threshold: 0.05, constant_threshold: 0.95, new_category_threshold: 0.05, constant_min_values: 30, action: 'alert' });
  });

  it('text: a data-quality section, one line per breach, and the extra column', () => {
    const run = check(broken, '--top', '3');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^data quality: \d+ breach(es)?, verdict at least alert/m);
    expect(run.stdout).toMatch(new RegExp(`missing rate\\s+"${EMPTY}"\\s+0\\.0% of rows in the baseline -> 100\\.0% in the batch`));
    expect(run.stdout).toMatch(new RegExp(`out of range\\s+"${BEYOND}"\\s+${Math.ceil(head.rows.length / 10)} values \\(10\\.0% of the finite ones\\): 0 below the training minimum, ${Math.ceil(head.rows.length / 10)} above its maximum`));
    expect(run.stdout).toMatch(new RegExp(`constant\\s+"${STUCK}"\\s+100\\.0% of the batch's finite values equal to ${stuckMin}`));
    expect(run.stdout).toContain('columns in the batch that the baseline lacks (not checked): "Extra Col"');
  });

  it('--quality-action none reports the breaches without moving the verdict; the thresholds move them', () => {
    // only the injected missing rate: nothing else drifted in the batch
    const empty = writeCsvText(join(dir, 'empty-only.csv'), editColumns(head, { [EMPTY]: (cell, row) => (row % 50 === 0 ? '' : cell) }));
    const quiet = JSON.parse(check(empty, '--json', '--quality-action', 'none').stdout);
    expect(quiet.quality).toMatchObject({ n_breaches: 0 });
    const low = JSON.parse(check(empty, '--json', '--missing-threshold', '0.01').stdout);
    expect(low.quality.breaches).toEqual([{ feature: EMPTY, signal: 'missing_rate' }]);
    expect(low.quality.action).toBe('alert');
    const none = JSON.parse(check(empty, '--json', '--missing-threshold', '0.01', '--quality-action', 'none').stdout);
    expect(none.quality).toMatchObject({ n_breaches: 1, action: null });
    expect(none.action).toBe(quiet.action);
    const retrain = check(empty, '--missing-threshold', '0.01', '--quality-action', 'retrain', '--fail-on', 'retrain');
    expect(retrain.code).toBe(1);
  });

  it('a baseline feature the batch lacks: refused in one line by default; compat skips it and reports it, keeping its verdict', () => {
    const refused = check(missing);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringContaining('feature "Flow IAT Max" of the baseline is missing from this file')]);
    const compat = JSON.parse(check(missing, '--json', '--compat', 'driftcatcher').stdout);
    expect(compat.quality.columns.only_in_baseline).toEqual(['Flow IAT Max']);
    expect(compat.quality.breaches).toContainEqual({ feature: 'Flow IAT Max', signal: 'missing_column' });
    expect(compat.settings.quality.action).toBe('none');
    expect(compat.action).toBe('wait');
  });

  it('bad values of the flags: exit 2 naming the flag', () => {
    const bad = check(clean, '--missing-threshold', '2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--missing-threshold: must be a share from 0 to 1, got 2/);
    const constant = check(clean, '--constant-threshold', '0.3');
    expect(constant.code).toBe(2);
    expect(constant.stderr).toMatch(/--constant-threshold/);
    expect(check(clean, '--quality-action', 'panic').code).toBe(2);
  });
});

describe('scan: the combined data quality', () => {
  it('per file in JSON, combined in the text', () => {
    const run = cli(['scan', '--baseline', profile, clean, broken, '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    const scan = JSON.parse(run.stdout);
    expect(scan.files[0].quality.n_breaches).toBe(0);
    expect(scan.files[1].quality.breaches).toContainEqual({ feature: EMPTY, signal: 'missing_rate' });
    // combined: half the rows without the column's values
    const combined = scan.combined.features.find((f: { name: string }) => f.name === EMPTY).quality.missing_rate;
    expect(combined.current_rate).toBeCloseTo(0.5, 12);
    expect(scan.combined.quality.columns.only_in_batch).toEqual(['Extra Col']);
    const text = cli(['scan', '--baseline', profile, clean, broken, '--no-record', '--workers', '0']);
    expect(text.stdout).toMatch(/^data quality: \d+ breaches, verdict at least alert/m);
  });
});
