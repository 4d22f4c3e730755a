/**
 * Gradient-boosted trees (engine/model/gbt.ts, gbt-boost.ts): the parameters and their schema,
 * scikit-learn's early-stopping rule, the tree constraints, the same model for any worker count
 * and kernel, the loss going down, and a saved model that reloads bit for bit. Accuracy against
 * scikit-learn and LightGBM is test/reference/gbt.test.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GBT_DEFAULTS, GBT_PARAM_SCHEMA, gbtPredict, gbtRawScores, loadModelFile, parseGbtParam, resolveGbtParams, saveModel, trainGbt, TrainPool, type Booster, type Dataset, type GbtParams, type Model } from '../../../engine/model/index.js';
import { shouldStop } from '../../../engine/model/gbt-boost.js';
import type { KernelName } from '../../../engine/kernels/index.js';
import { UsageError } from '../../../engine/util/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-gbt-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** y depends on x0 + x1 > 0 with 10% label noise; x2 is an integer feature, x3 noise, x4 constant. */
function task(rows: number, seed: number): Dataset {
  const random = rng(seed);
  const columns = Array.from({ length: 5 }, () => new Float64Array(rows));
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < 2; f++) columns[f]![r] = random() * 2 - 1;
    columns[2]![r] = Math.floor(random() * 6);
    columns[3]![r] = random();
    columns[4]![r] = 3;
    const y = columns[0]![r]! + columns[1]![r]! + (columns[2]![r]! - 2.5) / 10 > 0 ? 1 : 0;
    labels[r] = random() < 0.1 ? 1 - y : y;
  }
  return { featureNames: columns.map((_, f) => `x${f}`), columns, labels, rows };
}

async function fit(data: Dataset, params: Partial<GbtParams>, workers = 0, kernel?: KernelName) {
  const pool = new TrainPool({ workers, kernel }, 0);
  try {
    return await trainGbt(pool, data, { ...GBT_DEFAULTS, ...params });
  } finally {
    await pool.close();
  }
}

/** Leaves of a tree and the depth of its deepest leaf. */
function shape(tree: Booster['trees'][number]): { leaves: number; depth: number } {
  let leaves = 0;
  let depth = 0;
  const walk = (node: number, d: number) => {
    if (tree.feature[node]! < 0) {
      leaves++;
      depth = Math.max(depth, d);
      return;
    }
    walk(tree.left[node]!, d + 1);
    walk(tree.right[node]!, d + 1);
  };
  walk(0, 0);
  return { leaves, depth };
}

describe('gbt parameters', () => {
  it('defaults are scikit-learn HistGradientBoostingClassifier\'s', () => {
    expect(GBT_DEFAULTS).toMatchObject({ learningRate: 0.1, maxIter: 100, maxLeaves: 31, maxDepth: null, minSamplesLeaf: 20, l2: 0, earlyStopping: 'auto', validationFraction: 0.1, nIterNoChange: 10, tol: 1e-7, maxBins: 255 });
    // every parameter but the seed has a schema entry, with a snake_case name
    expect(GBT_PARAM_SCHEMA.map((s) => s.key).sort()).toEqual(Object.keys(GBT_DEFAULTS).filter((k) => k !== 'seed').sort());
    for (const spec of GBT_PARAM_SCHEMA) expect(spec.name).toMatch(/^[a-z0-9_]+$/);
  });

  it('parses --param texts by name or scikit-learn alias, and refuses what does not fit', () => {
    expect(parseGbtParam('learning_rate', '0.05')).toEqual({ key: 'learningRate', value: 0.05 });
    expect(parseGbtParam('max_leaf_nodes', '15')).toEqual({ key: 'maxLeaves', value: 15 });
    expect(parseGbtParam('max_depth', 'none')).toEqual({ key: 'maxDepth', value: null });
    expect(parseGbtParam('early_stopping', 'false')).toEqual({ key: 'earlyStopping', value: false });
    expect(parseGbtParam('l2_regularization', '1.5')).toEqual({ key: 'l2', value: 1.5 });
    expect(() => parseGbtParam('learning_rate', '0')).toThrow(/learning_rate must be a number in \(0, 1\]/);
    expect(() => parseGbtParam('max_iter', '2.5')).toThrow(/max_iter must be an integer/);
    expect(() => parseGbtParam('max_iter', '')).toThrow(UsageError);
    expect(() => parseGbtParam('subsample', '1.2')).toThrow(UsageError);
    expect(() => parseGbtParam('n_trees', '3')).toThrow(/unknown gbt parameter "n_trees"; known: learning_rate/);
    expect(() => resolveGbtParams({ maxLeaves: null, maxDepth: null })).toThrow(/cannot both be none/);
  });
});

describe("scikit-learn's early-stopping rule", () => {
  it('stops when none of the last n scores beats the one n + 1 back by more than tol', () => {
    // losses: initial, then per iteration
    expect(shouldStop([1, 0.9, 0.8], 2, 0)).toBe(false);
    expect(shouldStop([1, 0.9, 0.9, 0.9], 2, 0)).toBe(true);
    expect(shouldStop([1, 0.9, 0.9, 0.89], 2, 0)).toBe(false);
    expect(shouldStop([1, 0.9, 0.9, 0.89], 2, 0.02)).toBe(true);
    expect(shouldStop([1, 0.9], 2, 0)).toBe(false);
  });
});

describe('gbt training', () => {
  const data = task(3000, 1);
  const test = task(2000, 2);

  it('learns the task, the training loss going down every iteration, and stops at max_iter without early stopping', async () => {
    const trained = await fit(data, { maxIter: 40, earlyStopping: false });
    expect(trained.iterations).toBe(40);
    expect(trained.validationLoss).toBeNull();
    for (let i = 1; i < trained.trainLoss.length; i++) expect(trained.trainLoss[i]!).toBeLessThan(trained.trainLoss[i - 1]!);
    const positives = data.labels.reduce((a, b) => a + b, 0) / data.rows;
    expect(trained.booster.baseScore).toBeCloseTo(Math.log(positives / (1 - positives)), 12);
    const { pred } = gbtPredict(trained.booster, test.columns, test.rows);
    const accuracy = pred.reduce((n, p, r) => n + (p === test.labels[r] ? 1 : 0), 0) / test.rows;
    expect(accuracy).toBeGreaterThan(0.85);
    // the constant feature never splits
    for (const tree of trained.booster.trees) expect(Array.from(tree.feature)).not.toContain(4);
  });

  it('early stopping holds out validation_fraction, stops on its loss and keeps the trees so far', async () => {
    const trained = await fit(data, { maxIter: 500, learningRate: 0.5, earlyStopping: true, nIterNoChange: 3 });
    expect(trained.stoppedEarly).toBe(true);
    expect(trained.iterations).toBeLessThan(500);
    expect(trained.validationRows).toBe(Math.ceil(0.1 * data.rows));
    expect(trained.fitRows + trained.validationRows).toBe(data.rows);
    expect(trained.validationLoss!.length).toBe(trained.iterations + 1);
    expect(shouldStop(trained.validationLoss!, 3, GBT_DEFAULTS.tol)).toBe(true);
    expect(shouldStop(trained.validationLoss!.slice(0, -1), 3, GBT_DEFAULTS.tol)).toBe(false);
    // auto: on above 10,000 rows only
    expect((await fit(data, { maxIter: 2 })).earlyStopping).toBe(false);
  });

  it('respects max_leaves, max_depth and min_samples_leaf', async () => {
    const leafy = await fit(data, { maxIter: 5, maxLeaves: 7, earlyStopping: false });
    for (const tree of leafy.booster.trees) expect(shape(tree).leaves).toBeLessThanOrEqual(7);
    expect(shape(leafy.booster.trees[0]!).leaves).toBe(7);
    const shallow = await fit(data, { maxIter: 5, maxLeaves: null, maxDepth: 2, earlyStopping: false });
    for (const tree of shallow.booster.trees) expect(shape(tree).depth).toBeLessThanOrEqual(2);
    expect(shape(shallow.booster.trees[0]!)).toEqual({ leaves: 4, depth: 2 });
    // min_samples_leaf: count the training rows reaching each leaf
    const big = await fit(data, { maxIter: 3, minSamplesLeaf: 400, earlyStopping: false });
    for (const tree of big.booster.trees) {
      const counts = new Map<number, number>();
      for (let r = 0; r < data.rows; r++) {
        let node = 0;
        while (tree.feature[node]! >= 0) node = data.columns[tree.feature[node]!]![r]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
        counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(400);
    }
  });

  it('a leaf value is -learning_rate G / (H + l2) of its rows (first tree: gradients at the base score)', async () => {
    const trained = await fit(data, { maxIter: 1, maxLeaves: 4, l2: 3, learningRate: 0.3, earlyStopping: false });
    const tree = trained.booster.trees[0]!;
    const p = 1 / (1 + Math.exp(-trained.booster.baseScore));
    const sums = new Map<number, { g: number; h: number }>();
    for (let r = 0; r < data.rows; r++) {
      let node = 0;
      while (tree.feature[node]! >= 0) node = data.columns[tree.feature[node]!]![r]! < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      const s = sums.get(node) ?? { g: 0, h: 0 };
      s.g += p - data.labels[r]!;
      s.h += p * (1 - p);
      sums.set(node, s);
    }
    expect(sums.size).toBe(4);
    for (const [node, { g, h }] of sums) expect(tree.value[node]!).toBeCloseTo((-0.3 * g) / (h + 3), 10);
  });

  it('the same model with 0 (inline) and 1 worker and with every kernel, subsampling included; another seed subsamples otherwise', async () => {
    const params = { maxIter: 8, subsample: 0.7, colsampleBytree: 0.75, earlyStopping: false };
    const runs = [await fit(data, params, 0), await fit(data, params, 1), await fit(data, params, 0, 'wasm'), await fit(data, params, 0, 'js')];
    expect(runs.map((r) => r.kernel)).toEqual(['wasm-simd', 'wasm-simd', 'wasm', 'js']);
    const first = Array.from(gbtRawScores(runs[0]!.booster, test.columns, test.rows));
    for (const run of runs.slice(1)) expect(Array.from(gbtRawScores(run.booster, test.columns, test.rows))).toEqual(first);
    const other = await fit(data, { ...params, seed: 9 });
    expect(Array.from(gbtRawScores(other.booster, test.columns, test.rows))).not.toEqual(first);
  });

  it('a saved model reloads bit for bit and predicts identically', async () => {
    const trained = await fit(data, { maxIter: 6, earlyStopping: false });
    const model: Model = {
      modelType: 'gradient_boosting',
      created: new Date().toISOString(),
      features: data.featureNames,
      label: 'Label',
      negative: 'BENIGN',
      nonFinite: 'drop',
      fill: { nan: data.featureNames.map(() => 0), posInf: data.featureNames.map(() => 1), negInf: data.featureNames.map(() => -1) },
      params: { max_iter: 6 },
      boosting: trained.booster,
    };
    const file = join(dir, 'model.json');
    await saveModel(model, file);
    const loaded = await loadModelFile(file);
    expect(loaded.boosting!.baseScore).toBe(trained.booster.baseScore);
    expect(loaded.boosting!.trees.map((t) => Array.from(t.value))).toEqual(trained.booster.trees.map((t) => Array.from(t.value)));
    expect(Array.from(gbtPredict(loaded.boosting!, test.columns, test.rows).proba)).toEqual(Array.from(gbtPredict(trained.booster, test.columns, test.rows).proba));
  });
});
