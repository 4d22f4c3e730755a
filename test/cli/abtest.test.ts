/**
 * `driftcatcher abtest` with no tracking server: champion vs challenger of a registry trained by
 * `driftcatcher train` on the real CICIDS rows (HEAD_9998 relabelled), the text and JSON
 * reports, the run in the ledger's `ab_testing` experiment, and bad input as one line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_9998, cli, readCsvText, splitRelabelledHead, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-abtest-');
const registry = join(dir, 'models');
const ledger = join(dir, 'ledger');
const train = join(dir, 'train.csv');
const held = join(dir, 'held.csv');

function ok(args: string[]) {
  const result = cli([...args, '--ledger-dir', ledger]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

function fails(args: string[]) {
  const result = cli([...args, '--ledger-dir', ledger]);
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result.stderr;
}

beforeAll(() => {
  splitRelabelledHead(dir, 5);
  ok(['train', train, '--registry', registry, '--n-estimators', '3', '--max-depth', '2', '--workers', '0', '--seed', '1', '--no-record']);
  ok(['models', 'promote', '1', '--registry', registry]);
  ok(['train', train, '--registry', registry, '--n-estimators', '20', '--workers', '0', '--seed', '2', '--no-record']);
}, 300_000);

describe('driftcatcher abtest', () => {
  it('champion vs challenger by default: the table, the tests and the decision; the run goes to the ab_testing experiment', () => {
    const result = ok(['abtest', held, '--registry', registry, '--bootstrap', '100', '--seed', '1']);
    expect(result.stdout).toMatch(/^\S*held\.csv: \d+ labelled rows \(\d+ positive\); A = champion \(v1, random_forest\), B = challenger \(v2, random_forest\)\n/);
    expect(result.stdout).toMatch(/^f1\*\s+\d\.\d{4}\s+\[\d\.\d{4}, \d\.\d{4}\]/m);
    expect(result.stdout).toMatch(/^accuracy\s/m);
    expect(result.stdout).toMatch(/^auc\s/m);
    expect(result.stdout).toMatch(/McNemar exact \(accuracy\): A only right \d+, B only right \d+, p = /);
    expect(result.stdout).toMatch(/DeLong \(auc\): z = -?\d/);
    expect(result.stdout).toMatch(/winner on f1: (champion \(model A\)|challenger \(model B\)|tie \(no difference\)); improvement -?\d\.\d{4} .*paired_bootstrap p = .*: (significant|not significant) at alpha 0\.05\n$/);
    expect(result.stderr).toMatch(/^driftcatcher: run ab_test_\d{8}_\d{6} recorded in .*; no tracking server set/);

    const runs = readdirSync(join(ledger, 'runs'));
    expect(runs).toHaveLength(1);
    const run = JSON.parse(readFileSync(join(ledger, 'runs', runs[0]!, 'run.json'), 'utf8'));
    expect(run.experiment).toBe('ab_testing');
    expect(run.params).toMatchObject({ model_a: 'champion', model_b: 'challenger', model_a_version: '1', model_b_version: '2', metric: 'f1', bootstrap: '100', seed: '1', alpha: '0.05', data: 'held.csv' });
    const keys = run.metrics.map((m: { key: string }) => m.key);
    for (const key of ['model_a_f1', 'model_b_f1', 'model_a_accuracy', 'model_b_auc', 'difference_auc_ci_low', 'improvement', 'p_value', 'mcnemar_p_value', 'delong_p_value']) expect(keys).toContain(key);
    const report = JSON.parse(readFileSync(join(ledger, 'runs', runs[0]!, 'artifacts', 'abtest_report.json'), 'utf8'));
    const metric = (key: string) => run.metrics.find((m: { key: string }) => m.key === key).value;
    expect(metric('improvement')).toBe(report.metrics.f1.b - report.metrics.f1.a);
    expect(Number(run.params.rows)).toBe(report.rows);
    expect(run.tags).toMatchObject({ winner: report.decision.winner === 'tie' ? 'tie' : report.decision.winner === 'a' ? 'champion' : 'challenger', significant: String(report.decision.significant), decision_test: 'paired_bootstrap', 'driftcatcher.command': 'abtest' });
  });

  it('--json: one object; the same seed gives the same intervals, --metric auc decides with DeLong', () => {
    const args = ['abtest', held, '--registry', registry, '--model-a', 'v1', '--model-b', '2', '--bootstrap', '50', '--seed', '7', '--metric', 'auc', '--alpha', '0.01', '--json', '--no-record'];
    const one = JSON.parse(ok(args).stdout);
    const two = JSON.parse(ok(args).stdout);
    expect(two.metrics).toEqual(one.metrics);
    expect(one.options).toEqual({ metric: 'auc', alpha: 0.01, bootstrap: 50, seed: 7 });
    expect(one.confidence).toBeCloseTo(0.99, 12);
    expect(one.decision).toMatchObject({ metric: 'auc', test: 'delong', p_value: one.delong.p_value, alpha: 0.01, significant: one.delong.p_value < 0.01 });
    expect(one.models.a).toMatchObject({ ref: 'v1', version: 1 });
    // a model folder works as a reference too
    const byFolder = JSON.parse(ok(['abtest', held, '--model-a', join(registry, 'v1'), '--model-b', `${registry}@challenger`, '--bootstrap', '50', '--seed', '7', '--json', '--no-record']).stdout);
    expect(byFolder.metrics.auc.a).toBe(one.metrics.auc.a);
    expect(byFolder.models.a.version).toBeNull();
  });

  it('bad input: one line naming what is wrong, exit 2', () => {
    expect(fails(['abtest', held, '--registry', registry, '--model-b', 'staging', '--no-record'])).toMatch(/has no alias "staging"/);
    expect(fails(['abtest', held, '--registry', join(dir, 'nowhere'), '--no-record'])).toMatch(/no model registry here/);
    expect(fails(['abtest', held, '--registry', registry, '--alpha', '1.5', '--no-record'])).toMatch(/--alpha must be between 0 and 1/);
    expect(fails(['abtest', held, '--registry', registry, '--metric', 'precision', '--no-record'])).toMatch(/--metric/);
    // rows without the label column: nothing to test against
    const unlabelled = join(dir, 'unlabelled.csv');
    const csv = readCsvText(HEAD_9998);
    const names = csv.header.split(',');
    const label = names.findIndex((n) => n.trim() === 'Label');
    const drop = (line: string) => line.split(',').filter((_, i) => i !== label).join(',');
    writeCsvText(unlabelled, { ...csv, header: drop(csv.header), rows: csv.rows.slice(0, 50).map(drop) });
    expect(fails(['abtest', unlabelled, '--registry', registry, '--no-record'])).toMatch(/unlabelled\.csv.*no label column "Label": an A\/B test needs labelled rows/);
  });
});
