/**
 * Prediction drift end to end through the built CLI, on the real CICIDS extract: `train` writes
 * the prediction profile, `check --predictions` scores a batch with the model and compares, and
 * `--prediction-column` compares a column that already holds y_prob. The real rows of
 * HEAD_9998, relabelled (helpers.relabelledHead: DDoS for most port-80 flows), are split at
 * random into a training file and a held-out file: the held-out rows are what the model sees in
 * production when nothing changed; the held-out port-80 flows alone are a shift of the predicted
 * positive rate. A model trained before prediction profiles existed gives one line, and
 * `models profile` writes the profile `train` would have written.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, readCsvText, relabelledHead, rng, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-prediction-drift-cli-');
const registry = join(dir, 'models');
const train = join(dir, 'train.csv');
const held = join(dir, 'held.csv');
const port80 = join(dir, 'port80.csv');

function json(args: string[]): any {
  const result = cli(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(() => {
  const csv = readCsvText(relabelledHead(join(dir, 'labelled.csv')));
  const port = csv.header.split(',').map((n) => n.trim()).indexOf('Destination Port');
  const random = rng(5);
  const trainRows: string[] = [];
  const heldRows: string[] = [];
  for (const row of csv.rows) (random() < 0.7 ? trainRows : heldRows).push(row);
  writeCsvText(train, { ...csv, rows: trainRows });
  writeCsvText(held, { ...csv, rows: heldRows });
  writeCsvText(port80, { ...csv, rows: heldRows.filter((row) => row.split(',')[port] === '80') });
  const trained = json(['train', train, '--registry', registry, '--n-estimators', '10', '--workers', '2', '--no-record', '--json']);
  expect(trained.version).toBe(1);
});

/** check --predictions --html: the HTML report has the prediction drift section and its plot. */
const checkHtml = (batch: string, file: string) => {
  const result = cli(['check', batch, '--baseline', join(registry, 'v1', 'profile.json'), '--predictions', '--model', registry, '--no-record', '--html', file]);
  expect(result.code, result.stderr).toBe(0);
  return readFileSync(file, 'utf8');
};

const check = (batch: string, ...more: string[]) => json(['check', batch, '--baseline', join(registry, 'v1', 'profile.json'), '--predictions', '--model', registry, '--no-record', '--json', ...more]);

describe('prediction drift (check --predictions)', () => {
  it('train writes prediction_profile.json beside the model: y_prob of the test split as a one-feature profile, and the positive rate', () => {
    const file = join(registry, 'v1', 'prediction_profile.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const metrics = JSON.parse(readFileSync(join(registry, 'v1', 'metrics.json'), 'utf8'));
    expect(stored).toMatchObject({ format: 'driftcatcher-prediction-profile', version: 1, split: 'test', column: 'y_prob', threshold: 0.5, rows: metrics.data.test_rows });
    const m = metrics.metrics;
    // the test split's predicted positives are its true and false positives
    expect(stored.predicted_positives).toBe(m.true_positives + m.false_positives);
    expect(stored.profile).toMatchObject({ format: 'driftcatcher-profile', version: 2, rows: metrics.data.test_rows, features: [{ name: 'y_prob' }] });
    // the MLflow model directory is unchanged beside it
    for (const name of ['MLmodel', 'model.onnx', 'model.json', 'profile.json']) expect(existsSync(join(registry, 'v1', name)), name).toBe(true);
  });

  it('held-out rows of the same data are not flagged; the port-80 flows shift the predicted positive rate and are', () => {
    const calm = check(held);
    expect(calm.prediction_drift).toMatchObject({ column: 'y_prob', method: 'psi', threshold: 0.2, drifted: false, source: 'model', model: { version: 1 } });
    expect(Math.abs(calm.prediction_drift.positive_rate_change)).toBeLessThan(0.03);
    expect(calm.action).toBe('wait');
    const shifted = check(port80);
    expect(shifted.prediction_drift.drifted).toBe(true);
    expect(shifted.prediction_drift.score).toBeGreaterThan(1);
    expect(shifted.prediction_drift.current.positive_rate).toBeGreaterThan(0.6);
    expect(shifted.prediction_drift.reference.positive_rate).toBeLessThan(0.2);
    expect(shifted.prediction_drift.positive_rate_change).toBeCloseTo(shifted.prediction_drift.current.positive_rate - shifted.prediction_drift.reference.positive_rate, 12);
    expect(['alert', 'retrain']).toContain(shifted.action);
    // --html: the prediction drift section, its text and its y_prob plot, after the features' plots
    const html = checkHtml(port80, join(dir, 'port80-check.html'));
    expect(html).toContain('<h2 id="prediction-drift">Prediction drift</h2>');
    expect(html).toContain(`y_prob psi ${shifted.prediction_drift.score.toFixed(4)}`);
    expect((html.slice(html.indexOf('id="prediction-plot"')).match(/<svg/g) ?? []).length).toBe(2);
    expect(checkHtml(held, join(dir, 'held-check.html'))).toContain('<section class="feature" id="prediction-plot">');
  });

  it('--method applies: ks on the fine summary flags the shift and not the held-out rows', () => {
    expect(check(held, '--method', 'ks').prediction_drift).toMatchObject({ method: 'ks', score_kind: 'p_value', drifted: false });
    const shifted = check(port80, '--method', 'ks').prediction_drift;
    expect(shifted).toMatchObject({ method: 'ks', drifted: true });
    expect(shifted.statistic).toBeGreaterThan(0.5);
  });

  it('the text names the score, both positive rates and the change', () => {
    const result = cli(['check', port80, '--baseline', join(registry, 'v1', 'profile.json'), '--predictions', '--model', registry, '--no-record']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/prediction drift: drifted {3}y_prob psi \d+\.\d+ \(> 0\.2 drifts\)/);
    expect(result.stdout).toMatch(/predicted positive rate \d+\.\d+% \(\d+ rows\) vs \d+\.\d+% on the test split \(\d+ rows\): \+\d+\.\d+ points at y_prob > 0\.5/);
  });

  it('--prediction-column compares the batch\'s own y_prob column, the same numbers as scoring it', () => {
    const predictions = join(dir, 'port80-predictions.csv');
    json(['predict', '--model', registry, port80, '-o', predictions, '--json']);
    const yProb = readFileSync(predictions, 'utf8').trimEnd().split('\n').slice(1).map((line) => line.split(',')[1]!);
    const csv = readCsvText(port80);
    const withColumn = writeCsvText(join(dir, 'port80-with-y_prob.csv'), { ...csv, header: `${csv.header},y_prob`, rows: csv.rows.map((row, r) => `${row},${yProb[r]}`) });
    const scored = check(port80).prediction_drift;
    const fromColumn = json(['check', withColumn, '--baseline', join(registry, 'v1', 'profile.json'), '--prediction-column', 'y_prob', '--model', registry, '--no-record', '--json']).prediction_drift;
    expect(fromColumn.source).toBe('column');
    expect(fromColumn.score).toBe(scored.score);
    expect(fromColumn.current.positive_rate).toBe(scored.current.positive_rate);
    const missing = cli(['check', port80, '--baseline', join(registry, 'v1', 'profile.json'), '--prediction-column', 'score', '--model', registry, '--no-record']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no numeric column "score" \(the prediction column\)/);
  });

  it('the run records prediction_drift/* metrics', () => {
    const ledger = join(dir, 'ledger');
    const result = cli(['check', port80, '--baseline', join(registry, 'v1', 'profile.json'), '--predictions', '--model', registry, '--ledger-dir', ledger, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const runs = readdirSync(join(ledger, 'runs'));
    expect(runs).toHaveLength(1);
    const run = JSON.parse(readFileSync(join(ledger, 'runs', runs[0]!, 'run.json'), 'utf8'));
    const keys = (run.metrics as Array<{ key: string; value: number }>).map((m) => m.key);
    for (const key of ['prediction_drift/score', 'prediction_drift/drifted', 'prediction_drift/positive_rate', 'prediction_drift/reference_positive_rate', 'prediction_drift/positive_rate_change']) expect(keys, key).toContain(key);
    const value = (key: string) => run.metrics.find((m: { key: string }) => m.key === key).value;
    const report = JSON.parse(result.stdout);
    expect(value('prediction_drift/score')).toBe(report.prediction_drift.score);
    expect(value('prediction_drift/positive_rate')).toBe(report.prediction_drift.current.positive_rate);
    expect(value('prediction_drift/drifted')).toBe(1);
  });

  it('monitor on predictions without labels shows their prediction drift against the champion\'s profile', () => {
    for (const [name, batch, drifted] of [['held', held, false], ['port80', port80, true]] as const) {
      const labelled = join(dir, `${name}-labelled-predictions.csv`);
      json(['predict', '--model', registry, batch, '-o', labelled, '--json']);
      const unlabelled = join(dir, `${name}-predictions.csv`);
      writeFileSync(unlabelled, readFileSync(labelled, 'utf8').trimEnd().split('\n').map((line) => line.split(',').slice(0, 2).join(',')).join('\n') + '\n');
      const report = json(['monitor', unlabelled, '--registry', registry, '--no-record', '--json']);
      expect(report).toMatchObject({ labelled: false, status: drifted ? 'drifted' : 'stable', action: drifted ? 'alert' : 'wait', prediction_drift: { column: 'y_prob', drifted, source: 'column', model: { version: 1 } } });
      // the same numbers as check --predictions on the batch the predictions are of
      expect(report.prediction_drift.score).toBe(check(batch).prediction_drift.score);
      const failOn = cli(['monitor', unlabelled, '--registry', registry, '--no-record', '--fail-on', 'drifted']);
      expect(failOn.code, failOn.stderr).toBe(drifted ? 1 : 0);
      expect(failOn.stdout).toMatch(/predictions without labels \(no y_true: no metrics yet\)/);
      expect(failOn.stdout).toMatch(/prediction drift: (drifted|stable)/);
      // --html: the page with the status and the y_prob plot (shares and counts)
      const page = join(dir, `${name}-monitor.html`);
      const withHtml = cli(['monitor', unlabelled, '--registry', registry, '--no-record', '--html', page]);
      expect(withHtml.code, withHtml.stderr).toBe(0);
      const html = readFileSync(page, 'utf8');
      expect(html).toContain(`<span class="badge ${drifted ? 'bad' : 'ok'}">${drifted ? 'drifted' : 'stable'}</span>`);
      const plot = html.slice(html.indexOf('id="prediction-plot"'));
      expect((plot.match(/<svg/g) ?? []).length).toBe(2);
    }
    const bare = join(dir, 'y_pred-only.csv');
    writeFileSync(bare, 'y_pred\n1\n0\n');
    const refused = cli(['monitor', bare, '--registry', registry, '--no-record']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no y_true and no y_prob/);
  });

  it('a model without a prediction profile gives one line; models profile writes the one train wrote', () => {
    const file = join(registry, 'v1', 'prediction_profile.json');
    const original = JSON.parse(readFileSync(file, 'utf8'));
    renameSync(file, join(dir, 'saved.json'));
    const old = cli(['check', held, '--baseline', join(registry, 'v1', 'profile.json'), '--predictions', '--model', registry, '--no-record']);
    expect(old.code).toBe(2);
    expect(old.stdout).toBe('');
    expect(old.stderr.trim().split('\n')).toHaveLength(1);
    expect(old.stderr).toMatch(/has no prediction_profile\.json \(trained before prediction drift existed\): run `driftcatcher models profile --model .* --data <its training data>`, or retrain it/);
    const wrong = cli(['models', 'profile', '--model', registry, '--data', held]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/not the data it was trained on/);
    expect(existsSync(file)).toBe(false);
    const made = json(['models', 'profile', '--model', registry, '--data', train, '--json']);
    expect(made).toMatchObject({ file, rows: original.rows, predicted_positives: original.predicted_positives, profile_id: original.profile.id });
    expect(JSON.parse(readFileSync(file, 'utf8')).profile.features).toEqual(original.profile.features);
    writeFileSync(file, JSON.stringify(original));
  });
});
