/**
 * The ONNX export of a random forest (and of the gradient-boosted trees, the single tree and the logreg/mlp networks), run by onnxruntime-node (a real ONNX runtime, not our
 * code) on real CICIDS rows, against our own predict: probabilities within 1e-6, labels equal,
 * non-finite values filled as predict fills them. The Python side (onnxruntime, MLflow pyfunc)
 * is test/reference/onnx.test.ts.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { applyFill, forestPredict, gbtPredict, predictDataset, readLabelledData, trainModel, type Model, type TrainResult } from '../../../engine/model/index.js';
import { forestToOnnx, MLFLOW_MODEL_FILES, modelToOnnx } from '../../../engine/model/index.js';
import { ModelError } from '../../../engine/util/index.js';
import { relabelledHead, tempDir } from '../../helpers.js';

const dir = tempDir('dc-onnx-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let trained: TrainResult;
let data: string;
beforeAll(async () => {
  data = relabelledHead(join(dir, 'labelled.csv'));
  // --non-finite impute: the fill values come from real data (CICIDS has NaN and Infinity in Flow Bytes/s)
  trained = await trainModel({ data, nonFinite: 'impute', workers: 0, nEstimators: 15, registry: join(dir, 'models'), seed: 7 });
});

/** Row-major float64 rows of `columns` (the model's feature order). */
function rowMajor(columns: readonly Float64Array[], rows: number): Float64Array {
  const out = new Float64Array(rows * columns.length);
  for (let r = 0; r < rows; r++) for (let f = 0; f < columns.length; f++) out[r * columns.length + f] = columns[f]![r]!;
  return out;
}

async function runOnnx(bytes: Uint8Array, columns: readonly Float64Array[], rows: number): Promise<{ probability: Float32Array; label: BigInt64Array }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['label', 'probability']);
    const out = await session.run({ input: new ort.Tensor('float64', rowMajor(columns, rows), [rows, columns.length]) });
    expect(out['probability']!.dims).toEqual([rows]);
    expect(out['label']!.dims).toEqual([rows]);
    return { probability: out['probability']!.data as Float32Array, label: out['label']!.data as BigInt64Array };
  } finally {
    await session.release();
  }
}

function expectSamePredictions(onnx: { probability: Float32Array; label: BigInt64Array }, ours: { proba: Float64Array; pred: Uint8Array }): void {
  let worst = 0;
  let labelsDiffer = 0;
  for (let r = 0; r < ours.proba.length; r++) {
    worst = Math.max(worst, Math.abs(onnx.probability[r]! - ours.proba[r]!));
    if (Number(onnx.label[r]!) !== ours.pred[r]!) labelsDiffer++;
  }
  expect(worst).toBeLessThanOrEqual(1e-6);
  expect(labelsDiffer).toBe(0);
}

describe('forestToOnnx (onnxruntime-node)', () => {
  it('predicts every real CICIDS row as forestPredict does, raw values in (NaN and Infinity filled in the graph)', async () => {
    const model = trained.model;
    const read = await readLabelledData([data]);
    const raw = model.features.map((name) => read.columns[read.featureNames.indexOf(name)]!);
    const nonFinite = raw.reduce((n, column) => n + column.filter((v) => !Number.isFinite(v)).length, 0);
    expect(nonFinite).toBeGreaterThan(0);
    const ours = forestPredict(model.forest!, applyFill(raw, model.fill), read.rows);
    // both classes are predicted, or the comparison proves little
    expect(new Set(ours.pred).size).toBe(2);
    expectSamePredictions(await runOnnx(forestToOnnx(model), raw, read.rows), ours);
  });

  it('fills NaN, +Infinity and -Infinity with the model fill, feature by feature', async () => {
    const model = trained.model;
    const f = model.features.length;
    const rows = 3 * f;
    // row 3k + j: feature k is NaN / +Inf / -Inf, the others are the training medians
    const columns = model.features.map((_, k) => {
      const column = new Float64Array(rows).fill(model.fill.nan[k]!);
      column[3 * k] = NaN;
      column[3 * k + 1] = Infinity;
      column[3 * k + 2] = -Infinity;
      return column;
    });
    const ours = forestPredict(model.forest!, applyFill(columns, model.fill), rows);
    expectSamePredictions(await runOnnx(forestToOnnx(model), columns, rows), ours);
  });

  it('splits exactly at the float64 thresholds (value < threshold goes left), which float32 could not', async () => {
    const model = trained.model;
    const tree = model.forest!.trees[0]!;
    const splits = [...tree.feature.keys()].filter((i) => tree.feature[i]! >= 0);
    const columns = model.features.map((_, k) => new Float64Array(3 * splits.length).fill(model.fill.nan[k]!));
    // at each threshold t of the first tree: t itself, the double below it and the double above
    splits.forEach((node, s) => {
      const t = tree.threshold[node]!;
      const column = columns[tree.feature[node]!]!;
      column[3 * s] = t;
      column[3 * s + 1] = nextDown(t);
      column[3 * s + 2] = nextUp(t);
    });
    const rows = 3 * splits.length;
    const one = { ...model, forest: { nFeatures: model.forest!.nFeatures, trees: [tree] } } satisfies Model;
    expectSamePredictions(await runOnnx(forestToOnnx(one), columns, rows), forestPredict(one.forest, columns, rows));
  });

  it('forestToOnnx refuses a logreg or mlp model with a model error', () => {
    const network = { ...trained.model, modelType: 'logreg', forest: undefined } as Model;
    expect(() => forestToOnnx(network)).toThrow(ModelError);
    expect(() => modelToOnnx(network)).toThrow(/no network weights/);
  });

  for (const kind of ['logreg', 'mlp'] as const) {
    it(`a ${kind} network (transform, Gemm/Relu/Sigmoid) predicts the real rows as predictDataset does`, async () => {
      const result = await trainModel({ data, model: kind, epochs: 2, nonFinite: 'impute', workers: 0, registry: join(dir, `models-${kind}`), seed: 3 });
      const model = result.model;
      const read = await readLabelledData([data]);
      const raw = model.features.map((name) => read.columns[read.featureNames.indexOf(name)]!);
      const ours = await predictDataset(model, { featureNames: model.features, columns: applyFill(raw, model.fill), labels: read.labels, rows: read.rows });
      expect(new Set(ours.pred).size).toBe(2);
      expectSamePredictions(await runOnnx(modelToOnnx(model), raw, read.rows), ours);
      expect(existsSync(join(result.modelDir, 'MLmodel'))).toBe(true);
    });
  }

  it('gradient-boosted trees (leaf log-odds, base_values, LOGISTIC) predict the real rows as gbtPredict does, raw values in', async () => {
    const result = await trainModel({ data, model: 'gbt', gbt: { maxIter: 30 }, nonFinite: 'impute', workers: 0, registry: join(dir, 'models-gbt'), seed: 5 });
    const model = result.model;
    expect(model.modelType).toBe('gradient_boosting');
    expect(model.boosting!.trees.length).toBe(30);
    const read = await readLabelledData([data]);
    const raw = model.features.map((name) => read.columns[read.featureNames.indexOf(name)]!);
    const ours = gbtPredict(model.boosting!, applyFill(raw, model.fill), read.rows);
    expect(new Set(ours.pred).size).toBe(2);
    expectSamePredictions(await runOnnx(modelToOnnx(model), raw, read.rows), ours);
    // and at the float64 thresholds of the first tree, with the other features at their medians
    const tree = model.boosting!.trees[0]!;
    const splits = [...tree.feature.keys()].filter((i) => tree.feature[i]! >= 0);
    const columns = model.features.map((_, k) => new Float64Array(3 * splits.length).fill(model.fill.nan[k]!));
    splits.forEach((node, at) => {
      const t = tree.threshold[node]!;
      const column = columns[tree.feature[node]!]!;
      column[3 * at] = t;
      column[3 * at + 1] = nextDown(t);
      column[3 * at + 2] = nextUp(t);
    });
    const one = { ...model, boosting: { ...model.boosting!, trees: [tree] } } satisfies Model;
    expectSamePredictions(await runOnnx(modelToOnnx(one), columns, 3 * splits.length), gbtPredict(one.boosting, columns, 3 * splits.length));
    expect(existsSync(join(result.modelDir, 'MLmodel'))).toBe(true);
  });

  it('a single decision tree exports as a forest of one', async () => {
    const result = await trainModel({ data, model: 'tree', maxDepth: 6, nonFinite: 'impute', workers: 0, registry: join(dir, 'models-tree'), seed: 5 });
    const model = result.model;
    expect(model.modelType).toBe('decision_tree');
    expect(model.forest!.trees.length).toBe(1);
    const read = await readLabelledData([data]);
    const raw = model.features.map((name) => read.columns[read.featureNames.indexOf(name)]!);
    const ours = forestPredict(model.forest!, applyFill(raw, model.fill), read.rows);
    expect(new Set(ours.pred).size).toBe(2);
    expectSamePredictions(await runOnnx(modelToOnnx(model), raw, read.rows), ours);
  });

  it('the registered version folder is an MLflow model directory (MLmodel last, beside model.json)', () => {
    const folder = trained.modelDir;
    expect(trained.artifacts.mlflow_model).toBe(folder);
    for (const name of ['model.json', ...MLFLOW_MODEL_FILES]) expect(existsSync(join(folder, name)), name).toBe(true);
    const mlmodel = readFileSync(join(folder, 'MLmodel'), 'utf8');
    expect(mlmodel).toContain('loader_module: mlflow.onnx');
    expect(mlmodel).toContain('data: model.onnx');
    const inputs = JSON.parse(/^ {2}inputs: '(.*)'$/m.exec(mlmodel)![1]!.replace(/''/g, "'")) as Array<{ name: string; type: string }>;
    expect(inputs.map((c) => c.name)).toEqual(trained.model.features);
    expect(new Set(inputs.map((c) => c.type))).toEqual(new Set(['double']));
  });
});

function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x >= 0 ? bits + 1n : bits - 1n);
  return x === 0 ? Number.MIN_VALUE : view.getFloat64(0);
}

function nextDown(x: number): number {
  return -nextUp(-x);
}
