/**
 * `train`, `predict` and `models` end to end through the built CLI: the files a version holds,
 * the registry and its aliases, predictions files, retraining on old + new data, the networks
 * and `--model auto`, and the one-line errors.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { validateProfile } from '../../engine/profile/index.js';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-train-cli-');
const registry = join(dir, 'models');
const train = join(dir, 'train.csv');
const fresh = join(dir, 'fresh.csv');
const unlabelled = join(dir, 'unlabelled.csv');

beforeAll(async () => {
  await synthesize({ rows: 3000, seed: 21, out: train });
  await synthesize({ rows: 1500, seed: 22, drift: 'mild', out: fresh });
  // the same rows without the label column
  const lines = readFileSync(fresh, 'utf8').trimEnd().split('\n');
  writeFileSync(unlabelled, lines.map((line) => line.slice(0, line.lastIndexOf(','))).join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function json(args: string[]): any {
  const result = cli(args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('driftcatcher train / predict / models', () => {
  it('train writes model, baseline profile and metrics into a new version registered as challenger', () => {
    const result = json(['train', train, '--registry', registry, '--n-estimators', '20', '--workers', '2', '--json']);
    expect(result.version).toBe(1);
    expect(result.model_type).toBe('random_forest');
    expect(result.aliases).toEqual(['challenger']);
    expect(Object.keys(result.metrics).sort()).toEqual(['accuracy', 'f1_score', 'false_negatives', 'false_positives', 'precision', 'recall', 'roc_auc', 'true_negatives', 'true_positives']);
    expect(result.metrics.accuracy).toBeGreaterThan(0.97);
    expect(result.params).toMatchObject({ model_type: 'random_forest', n_estimators: 20, test_size: 0.2, seed: 42, non_finite: 'drop', max_features: 'sqrt' });
    expect(result.data.train_rows + result.data.test_rows + result.data.rows_dropped_non_finite).toBe(3000);
    for (const file of Object.values(result.artifacts) as string[]) expect(existsSync(file), file).toBe(true);
    const profile = validateProfile(JSON.parse(readFileSync(result.artifacts.profile, 'utf8')), result.artifacts.profile);
    expect(profile.rows).toBe(result.data.train_rows);
    const metrics = JSON.parse(readFileSync(result.artifacts.metrics, 'utf8'));
    expect(metrics.metrics).toEqual(result.metrics);
    const state = JSON.parse(readFileSync(join(registry, 'registry.json'), 'utf8'));
    expect(state).toMatchObject({ format: 'driftcatcher-registry', name: 'ddos_random_forest', aliases: { challenger: 1 } });
  });

  it('the same seed gives the same model whatever the worker count', () => {
    const other = join(dir, 'models-1-worker');
    const one = json(['train', train, '--registry', other, '--n-estimators', '20', '--workers', '1', '--json']);
    const first = JSON.parse(readFileSync(join(registry, 'v1', 'model.json'), 'utf8'));
    const second = JSON.parse(readFileSync(one.artifacts.model, 'utf8'));
    expect(second.forest).toEqual(first.forest);
  });

  it('predict writes y_pred, y_prob, y_true for labelled data and y_pred, y_prob without labels', () => {
    const out = join(dir, 'predictions.csv');
    const result = json(['predict', '--model', registry, fresh, '-o', out, '--json']);
    expect(result).toMatchObject({ rows: 1500, labelled: true, model: { model_type: 'random_forest', version: 1 } });
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('y_pred,y_prob,y_true');
    expect(lines.length).toBe(1501);
    for (const line of lines.slice(1)) {
      const [pred, prob, truth] = line.split(',').map(Number);
      expect([0, 1]).toContain(pred);
      expect([0, 1]).toContain(truth);
      expect(prob! >= 0 && prob! <= 1).toBe(true);
      expect(pred).toBe(prob! > 0.5 ? 1 : 0);
    }
    const bare = join(dir, 'bare.csv');
    json(['predict', '--model', join(registry, 'v1'), unlabelled, '-o', bare, '--json']);
    const bareLines = readFileSync(bare, 'utf8').trimEnd().split('\n');
    expect(bareLines[0]).toBe('y_pred,y_prob');
    expect(bareLines.slice(1)).toEqual(lines.slice(1).map((line) => line.slice(0, line.lastIndexOf(','))));
  });

  it('--new-data retrains on old + new rows as the next version; promote moves champion; rollback', () => {
    const result = json(['train', train, '--new-data', fresh, '--registry', registry, '--n-estimators', '10', '--workers', '2', '--json']);
    expect(result.version).toBe(2);
    expect(result.data.files.map((f: { rows: number }) => f.rows)).toEqual([3000, 1500]);
    expect(result.data.rows_read).toBe(4500);
    expect(result.params.new_data).toBe('fresh.csv');

    expect(json(['models', 'promote', '2', '--registry', registry, '--json'])).toMatchObject({ champion: 2, previous: null });
    const out = join(dir, 'p-champion.csv');
    expect(json(['predict', '--model', registry, fresh, '-o', out, '--json']).model.version).toBe(2);
    expect(json(['models', 'promote', '1', '--registry', registry, '--json'])).toMatchObject({ champion: 1, previous: 2 });
    expect(json(['predict', '--model', `${registry}@challenger`, fresh, '-o', out, '--json']).model.version).toBe(2);
    const list = json(['models', 'list', '--registry', registry, '--json']);
    expect(list.local.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const aliases = Object.fromEntries(list.local.flatMap((v: { version: number; aliases: string[] }) => v.aliases.map((a) => [a, v.version])));
    expect(aliases).toEqual({ challenger: 2, champion: 1 });
  });

  it('--baseline-from new profiles only the new data (the baseline future checks compare with)', () => {
    const all = json(['train', train, '--new-data', fresh, '--registry', join(dir, 'bl-all'), '--n-estimators', '5', '--workers', '0', '--json']);
    const recent = json(['train', train, '--new-data', fresh, '--baseline-from', 'new', '--registry', join(dir, 'bl-new'), '--n-estimators', '5', '--workers', '0', '--json']);
    const profileAll = JSON.parse(readFileSync(all.artifacts.profile, 'utf8'));
    const profileNew = JSON.parse(readFileSync(recent.artifacts.profile, 'utf8'));
    expect(profileAll.rows).toBe(all.data.train_rows);
    expect(profileNew.source.file).toBe('fresh.csv');
    expect(profileNew.rows).toBeLessThanOrEqual(1500);
    expect(profileNew.rows).toBeGreaterThan(1400); // 1,500 rows less those with a non-finite feature
    // a batch like the new data is quieter against the new baseline
    const quietNew = json(['check', '--baseline', recent.artifacts.profile, fresh, '--json', '--no-record']);
    const quietAll = json(['check', '--baseline', all.artifacts.profile, fresh, '--json', '--no-record']);
    expect(quietNew.overall_psi).toBeLessThan(quietAll.overall_psi);
  });

  it('logreg and mlp (TensorFlow.js) train, save and predict the same after reloading', () => {
    const nets = join(dir, 'nets');
    for (const kind of ['logreg', 'mlp']) {
      const result = json(['train', train, '--model', kind, '--epochs', '2', '--registry', nets, '--workers', '1', '--json']);
      expect(result.model_type).toBe(kind);
      expect(result.metrics.roc_auc).toBeGreaterThan(0.9);
      const a = join(dir, `${kind}-a.csv`);
      const b = join(dir, `${kind}-b.csv`);
      expect(cli(['predict', '--model', result.model_dir, fresh, '-o', a]).code).toBe(0);
      expect(cli(['predict', '--model', result.artifacts.model, fresh, '-o', b]).code).toBe(0);
      expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    }
  });

  it('gbt (with --param) and tree train, record their params, and predict the same after reloading', () => {
    const trees = join(dir, 'trees');
    const gbt = json(['train', train, '--model', 'gbt', '--param', 'max_iter=25', '--param', 'learning_rate=0.2', '--param', 'max_leaf_nodes=15', '--registry', trees, '--workers', '1', '--json']);
    expect(gbt.model_type).toBe('gradient_boosting');
    expect(gbt.params).toMatchObject({ model_type: 'gradient_boosting', max_iter: 25, learning_rate: 0.2, max_leaves: 15, min_samples_leaf: 20, l2: 0, n_iter: 25, loss: 'log_loss', early_stopping: 'auto', early_stopping_used: false });
    expect(gbt.metrics.roc_auc).toBeGreaterThan(0.95);
    const tree = json(['train', train, '--model', 'tree', '--max-depth', '6', '--registry', trees, '--workers', '1', '--json']);
    expect(tree.model_type).toBe('decision_tree');
    expect(tree.params).toMatchObject({ max_depth: 6, criterion: 'gini' });
    expect(tree.params.tree_depth_reached).toBeLessThanOrEqual(6);
    expect(JSON.parse(readFileSync(tree.artifacts.model, 'utf8')).forest.trees).toHaveLength(1);
    for (const result of [gbt, tree]) {
      expect(existsSync(join(result.model_dir, 'model.onnx'))).toBe(true);
      const a = join(dir, `${result.model_type}-a.csv`);
      const b = join(dir, `${result.model_type}-b.csv`);
      expect(cli(['predict', '--model', result.model_dir, fresh, '-o', a]).code).toBe(0);
      expect(cli(['predict', '--model', result.artifacts.model, fresh, '-o', b]).code).toBe(0);
      expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    }
    const bad = cli(['train', train, '--model', 'gbt', '--param', 'subsample=0', '--registry', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('driftcatcher: --param: subsample must be a number in (0, 1], got 0');
    expect(cli(['train', train, '--model', 'gbt', '--param', 'max_iter', '--registry', join(dir, 'bad')]).stderr).toMatch(/--param takes name=value/);
    // without --search, --param is gbt's; with another family it is refused rather than ignored
    const rf = cli(['train', train, '--model', 'rf', '--param', 'max_iter=5', '--registry', join(dir, 'bad')]);
    expect(rf.code).toBe(2);
    expect(rf.stderr.trim()).toBe("driftcatcher: --param: without --search, --param sets gradient-boosted trees' parameters: use it with --model gbt (or auto), not rf");
    // with --search, --param is gbt's search space: a bad value is one line naming the spec
    expect(cli(['train', train, '--model', 'gbt', '--search', 'grid', '--param', 'learning_rate=2', '--registry', join(dir, 'bad')]).stderr.trim()).toBe('driftcatcher: --param: "learning_rate=2": learning_rate takes numbers above 0 up to 1, got "2"');
  });

  it('--model auto compares rf, logreg, mlp, gbt and tree by validation ROC AUC and keeps the best', () => {
    const result = json(['train', train, '--model', 'auto', '--epochs', '2', '--n-estimators', '10', '--param', 'max_iter=20', '--registry', join(dir, 'auto'), '--workers', '2', '--json']);
    expect(result.selection_metric).toBe('validation_roc_auc');
    expect(result.candidates.map((c: { model_type: string }) => c.model_type)).toEqual(['random_forest', 'logreg', 'mlp', 'gradient_boosting', 'decision_tree']);
    const best = Math.max(...result.candidates.map((c: { validation_roc_auc: number }) => c.validation_roc_auc));
    expect(result.candidates.find((c: { model_type: string }) => c.model_type === result.model_type).validation_roc_auc).toBe(best);
  });

  it('errors are one line with exit 2', () => {
    const noLabel = cli(['train', unlabelled, '--registry', join(dir, 'x')]);
    expect(noLabel.code).toBe(2);
    expect(noLabel.stderr.trim().split('\n')).toHaveLength(1);
    expect(noLabel.stderr).toMatch(/label column not found/);
    const noVersion = cli(['models', 'promote', '9', '--registry', registry]);
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toMatch(/no version 9/);
    const noModel = cli(['predict', '--model', join(dir, 'nowhere'), fresh, '-o', join(dir, 'p.csv')]);
    expect(noModel.code).toBe(2);
    const missingFeature = join(dir, 'missing.csv');
    writeFileSync(missingFeature, 'a,Label\n1,BENIGN\n');
    const schema = cli(['predict', '--model', registry, missingFeature, '-o', join(dir, 'p.csv')]);
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/missing from this file/);
    expect(cli(['train', train, '--model', 'svm']).code).toBe(2);
  });
});
