/**
 * What the human output says, where a new user tripped: the verdict column has a header, a scan on
 * the main thread says so, an `alert`/`retrain` verdict says what to do next, `predict` and
 * `monitor` name labelled and predicted positives apart, `monitor` shows the training error rates,
 * and `check --baseline` takes training data as `scan --baseline` does.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { HEAD_9998, cli, editColumns, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-output-');
const profile = join(dir, 'profile.json');
let drifted: string;

beforeAll(() => {
  expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);
  const csv = readCsvText(HEAD_9998);
  drifted = writeCsvText(join(dir, 'drifted.csv'), editColumns(csv, Object.fromEntries(['Flow Duration', 'Total Fwd Packets', 'Fwd IAT Total', 'Packet Length Mean', 'Average Packet Size', 'Flow IAT Max'].map((n) => [n, (c: string) => String(Number(c) * 4 + 9)]))));
});

describe('human output', () => {
  it('check: the feature table has a verdict column header; a retrain verdict says what to do next, a wait verdict does not', () => {
    const retrain = cli(['check', '--baseline', profile, drifted, '--no-record']);
    expect(retrain.code, retrain.stderr).toBe(0);
    const [header, rule, first] = retrain.stdout.split('\n');
    expect(header!.trim().split(/\s+/)).toEqual(['#', 'feature', 'psi', 'verdict']);
    expect(rule).toMatch(/^-+(\s+-+){3}$/);
    expect(first).toMatch(/drifted$/);
    expect(retrain.stdout).toMatch(/verdict: retrain/);
    expect(retrain.stdout).toMatch(/^next: .*retrain/m);
    const wait = cli(['check', '--baseline', profile, HEAD_9998, '--no-record']);
    expect(wait.stdout).toMatch(/verdict: wait/);
    expect(wait.stdout).toMatch(/\bstable$/m);
    expect(wait.stdout).not.toMatch(/^next:/m);
  });

  it('scan says "on the main thread" for --workers 0 and counts the worker threads it started otherwise', () => {
    const inline = cli(['scan', '--baseline', profile, HEAD_9998, '--workers', '0', '--no-record']);
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.stdout).toMatch(/ s on the main thread, kernel /);
    expect(inline.stdout).not.toMatch(/0 worker/);
    const two = cli(['scan', '--baseline', profile, HEAD_9998, drifted, '--workers', '2', '--no-record']);
    // threads start as tasks come: two 3 MB files need one or two of the two allowed
    expect(two.stdout).toMatch(/ s on (1 worker thread|2 worker threads), kernel /);
    expect(two.stdout).toMatch(/^next: /m);
  });

  it('check --baseline takes training data (built into a baseline) like scan, and gives the same report as its profile', () => {
    const fromProfile = JSON.parse(cli(['check', '--baseline', profile, drifted, '--json', '--no-record']).stdout);
    const fromData = cli(['check', '--baseline', HEAD_9998, drifted, '--json', '--no-record']);
    expect(fromData.code, fromData.stderr).toBe(0);
    const report = JSON.parse(fromData.stdout);
    expect(report.features).toEqual(fromProfile.features);
    expect(report.baseline.id).toBe(fromProfile.baseline.id);
    // a profile under another name is still read as a profile
    const renamed = join(dir, 'profile-copy');
    copyFileSync(profile, renamed);
    const copy = cli(['check', '--baseline', renamed, drifted, '--json', '--no-record']);
    expect(copy.code, copy.stderr).toBe(0);
    expect(JSON.parse(copy.stdout).features).toEqual(fromProfile.features);
  });

  it('predict and monitor name labelled and predicted positives apart; monitor shows the training error rates', async () => {
    const train = join(dir, 'train.csv');
    const batch = join(dir, 'batch.csv');
    await synthesize({ rows: 3000, seed: 5, out: train });
    await synthesize({ rows: 1500, seed: 6, drift: 'mild', out: batch });
    const registry = join(dir, 'models');
    expect(cli(['train', train, '--registry', registry, '--n-estimators', '10', '--no-record']).code).toBe(0);
    expect(cli(['models', 'promote', '1', '--registry', registry]).code).toBe(0);
    const predictions = join(dir, 'predictions.csv');
    const predicted = cli(['predict', '--model', registry, batch, '-o', predictions]);
    expect(predicted.code, predicted.stderr).toBe(0);
    const predictedPositive = Number(/(\d+) predicted positive \(y_pred = 1/.exec(predicted.stdout)?.[1]);
    const monitored = cli(['monitor', predictions, '--registry', registry, '--no-record']);
    expect(monitored.code, monitored.stderr).toBe(0);
    const counts = /(\d+) labelled positive \(y_true = 1\), (\d+) predicted positive \(y_pred = 1\)/.exec(monitored.stdout);
    expect(counts, monitored.stdout).not.toBeNull();
    expect(Number(counts![2])).toBe(predictedPositive);
    // the labelled positives are the batch's non-BENIGN rows
    const labels = readCsvText(batch).rows.map((line) => line.slice(line.lastIndexOf(',') + 1));
    expect(Number(counts![1])).toBe(labels.filter((l) => l !== 'BENIGN').length);
    const json = JSON.parse(cli(['monitor', predictions, '--registry', registry, '--no-record', '--json']).stdout);
    const t = json.champion.training;
    expect(t.false_positive_rate).toBeCloseTo(t.false_positives / (t.false_positives + t.true_negatives), 15);
    expect(t.false_negative_rate).toBeCloseTo(t.false_negatives / (t.false_negatives + t.true_positives), 15);
    const fprLine = monitored.stdout.split('\n').find((l) => l.startsWith('false_positive_rate'))!;
    expect(fprLine.trim().split(/\s+/)).toEqual(['false_positive_rate', json.metrics.false_positive_rate.toFixed(4), t.false_positive_rate.toFixed(4)]);
  });
});
