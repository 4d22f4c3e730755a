/**
 * The histogram random forest against scikit-learn's RandomForestClassifier (same n_estimators,
 * max_features='sqrt', trained on the same split), on a synthetic CICIDS-shaped task and on a
 * harder task with overlapping classes; predictions identical for any worker count and kernel;
 * saved models reload and predict identically.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';
import {
  classificationMetrics,
  dropNonFinite,
  FOREST_DEFAULTS,
  forestMemoryBytes,
  forestPredict,
  loadModelFile,
  readLabelledData,
  saveModel,
  stratifiedSplit,
  takeRows,
  trainForest,
  TrainPool,
  type Dataset,
  type ForestParams,
  type Model,
} from '../../../engine/model/index.js';
import type { KernelName } from '../../../engine/kernels/index.js';
import { ROOT, tempDir, rng } from '../../helpers.js';

const TREES = 50;
const dir = tempDir('dc-forest-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Overlapping classes: 6 informative features (class means 0.6 sd apart, one pair interacting),
 * 6 pure-noise features, 2 integer-valued ones; about 80% is the best accuracy there is.
 */
function overlappingTask(rows: number, seed: number): Dataset {
  const random = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(random() + 1e-300)) * Math.cos(2 * Math.PI * random());
  const nFeatures = 14;
  const columns = Array.from({ length: nFeatures }, () => new Float64Array(rows));
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const y = random() < 0.45 ? 1 : 0;
    labels[r] = y;
    for (let f = 0; f < 6; f++) columns[f]![r] = normal() + (y ? 0.6 : 0) * (f % 2 ? 1 : -1);
    for (let f = 6; f < 12; f++) columns[f]![r] = normal();
    columns[12]![r] = Math.floor(random() * 5) + (y && random() < 0.3 ? 1 : 0);
    columns[13]![r] = (columns[0]! [r]! * columns[1]![r]! > 0 ? 1 : 0) + Math.floor(random() * 3);
  }
  return { featureNames: columns.map((_, f) => `x${f}`), columns, labels, rows };
}

interface Split {
  train: Dataset;
  test: Dataset;
}

function splitOf(data: Dataset, seed: number): Split {
  const { train, test } = stratifiedSplit(data.labels, 0.25, seed);
  return { train: takeRows(data, train), test: takeRows(data, test) };
}

async function fit(train: Dataset, workers: number, params: Partial<ForestParams> = {}, kernel?: KernelName) {
  const full = { ...FOREST_DEFAULTS, nEstimators: TREES, ...params };
  const pool = new TrainPool({ workers, kernel }, forestMemoryBytes(train.rows, train.columns.length, full, Math.max(1, workers)));
  try {
    return await trainForest(pool, train, full);
  } finally {
    await pool.close();
  }
}

function sklearnForest(name: string, split: Split): { accuracy: number; roc_auc: number } {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  const write = (part: string, data: Dataset) => {
    const x = new Float64Array(data.rows * data.columns.length);
    data.columns.forEach((column, f) => x.set(column, f * data.rows));
    writeFileSync(join(out, `X_${part}.f64`), x);
    writeFileSync(join(out, `y_${part}.u8`), data.labels);
  };
  write('train', split.train);
  write('test', split.test);
  writeFileSync(join(out, 'meta.json'), JSON.stringify({ train_rows: split.train.rows, test_rows: split.test.rows, features: split.train.columns.length }));
  return JSON.parse(execFileSync(inject('pythonPath'), [join(ROOT, 'test', 'reference', 'sklearn_reference.py'), 'forest', out, String(TREES), '0'], { encoding: 'utf8' }));
}

describe('random forest vs scikit-learn', () => {
  it('CICIDS-shaped synthetic data: accuracy and ROC AUC within 1 point', async () => {
    const file = join(dir, 'cicids.csv');
    await synthesize({ rows: 8000, seed: 11, out: file });
    const { dataset } = dropNonFinite(await readLabelledData([file]));
    const split = splitOf(dataset, 42);
    const trained = await fit(split.train, 2);
    const { proba, pred } = forestPredict(trained.forest, split.test.columns, split.test.rows);
    const ours = classificationMetrics(split.test.labels, pred, proba);
    const theirs = sklearnForest('cicids', split);
    console.info(`CICIDS-shaped: ours accuracy ${ours.accuracy}, roc_auc ${ours.roc_auc}; sklearn accuracy ${theirs.accuracy}, roc_auc ${theirs.roc_auc}`);
    expect(Math.abs(ours.accuracy - theirs.accuracy), `accuracy ours ${ours.accuracy}, sklearn ${theirs.accuracy}`).toBeLessThanOrEqual(0.01);
    expect(Math.abs(ours.roc_auc - theirs.roc_auc), `roc_auc ours ${ours.roc_auc}, sklearn ${theirs.roc_auc}`).toBeLessThanOrEqual(0.01);
    expect(ours.accuracy).toBeGreaterThan(0.98);
  });

  it('overlapping classes: accuracy and ROC AUC within 1 point', async () => {
    const split = splitOf(overlappingTask(12_000, 5), 7);
    const trained = await fit(split.train, 2);
    const { proba, pred } = forestPredict(trained.forest, split.test.columns, split.test.rows);
    const ours = classificationMetrics(split.test.labels, pred, proba);
    const theirs = sklearnForest('overlap', split);
    console.info(`overlapping: ours accuracy ${ours.accuracy}, roc_auc ${ours.roc_auc}; sklearn accuracy ${theirs.accuracy}, roc_auc ${theirs.roc_auc}`);
    expect(Math.abs(ours.accuracy - theirs.accuracy), `accuracy ours ${ours.accuracy}, sklearn ${theirs.accuracy}`).toBeLessThanOrEqual(0.01);
    expect(Math.abs(ours.roc_auc - theirs.roc_auc), `roc_auc ours ${ours.roc_auc}, sklearn ${theirs.roc_auc}`).toBeLessThanOrEqual(0.01);
    expect(ours.accuracy).toBeGreaterThan(0.7);
    expect(ours.accuracy).toBeLessThan(0.9);
  });
});

describe('random forest determinism', () => {
  let split: Split;
  beforeAll(() => {
    split = splitOf(overlappingTask(3000, 9), 3);
  });

  it('the same trees and predictions with 0 (inline), 1 and 2 workers, and with every kernel', async () => {
    const runs = [
      await fit(split.train, 0, { nEstimators: 12 }),
      await fit(split.train, 1, { nEstimators: 12 }),
      await fit(split.train, 2, { nEstimators: 12 }),
      await fit(split.train, 2, { nEstimators: 12 }, 'js'),
      await fit(split.train, 0, { nEstimators: 12 }, 'wasm'),
    ];
    const first = forestPredict(runs[0]!.forest, split.test.columns, split.test.rows);
    for (const run of runs.slice(1)) {
      expect(run.forest.trees.map((t) => Array.from(t.feature))).toEqual(runs[0]!.forest.trees.map((t) => Array.from(t.feature)));
      const again = forestPredict(run.forest, split.test.columns, split.test.rows);
      expect(Array.from(again.proba)).toEqual(Array.from(first.proba));
      expect(Array.from(again.pred)).toEqual(Array.from(first.pred));
    }
    expect(runs.map((r) => r.kernel)).toEqual(['wasm-simd', 'wasm-simd', 'wasm-simd', 'js', 'wasm']);
  });

  it('another seed grows other trees', async () => {
    const a = await fit(split.train, 0, { nEstimators: 3, seed: 1 });
    const b = await fit(split.train, 0, { nEstimators: 3, seed: 2 });
    expect(Array.from(a.forest.trees[0]!.threshold)).not.toEqual(Array.from(b.forest.trees[0]!.threshold));
  });

  it('respects max_depth and min_samples_leaf', async () => {
    const shallow = await fit(split.train, 0, { nEstimators: 4, maxDepth: 3 });
    expect(shallow.maxDepthReached).toBeLessThanOrEqual(3);
    const leafy = await fit(split.train, 0, { nEstimators: 4, minSamplesLeaf: 40, bootstrap: false });
    // without bootstrap every row weighs 1, so a leaf's weight is its row count
    for (const tree of leafy.forest.trees) {
      for (let node = 0; node < tree.feature.length; node++) {
        if (tree.feature[node]! < 0) expect(tree.value[2 * node]! + tree.value[2 * node + 1]!).toBeGreaterThanOrEqual(40);
      }
    }
  });

  it('a saved model reloads bit for bit and predicts identically', async () => {
    const trained = await fit(split.train, 2, { nEstimators: 8 });
    const model: Model = {
      modelType: 'random_forest',
      created: new Date().toISOString(),
      features: split.train.featureNames,
      label: 'Label',
      negative: 'BENIGN',
      nonFinite: 'drop',
      fill: { nan: split.train.featureNames.map(() => 0), posInf: split.train.featureNames.map(() => 1), negInf: split.train.featureNames.map(() => -1) },
      params: { n_estimators: 8 },
      forest: trained.forest,
    };
    const file = join(dir, 'model.json');
    await saveModel(model, file);
    const loaded = await loadModelFile(file);
    expect(loaded.forest!.trees.length).toBe(8);
    loaded.forest!.trees.forEach((tree, i) => {
      expect(Array.from(tree.threshold)).toEqual(Array.from(trained.forest.trees[i]!.threshold));
      expect(Array.from(tree.value)).toEqual(Array.from(trained.forest.trees[i]!.value));
    });
    const before = forestPredict(trained.forest, split.test.columns, split.test.rows);
    const after = forestPredict(loaded.forest!, split.test.columns, split.test.rows);
    expect(Array.from(after.proba)).toEqual(Array.from(before.proba));
  });
});
