/**
 * A trained random forest's (and an mlp's, gradient-boosted trees', a single tree's) MLflow model directory, loaded as an MLflow user would: with
 * `mlflow.pyfunc.load_model(<folder>)` on a pandas DataFrame of real CICIDS rows (NaN and
 * Infinity cells included), and its model.onnx with onnxruntime (Python), both against our own
 * `predictFile` on the same CSV: probabilities within 1e-6, labels equal
 * (test/reference/onnx_predict.py; the server side, models:/ URIs, is
 * test/cli/train-tracking.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { predictFile, trainModel, type TrainResult } from '../../engine/model/index.js';
import { relabelledHead, tempDir } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'onnx_predict.py');
const dir = tempDir('dc-onnx-ref-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Predictions {
  label: number[];
  probability: number[];
}
interface PythonOutput {
  features: string[];
  pyfunc: Predictions;
  onnx: (Predictions & { inputs: Array<{ name: string; type: string; shape: Array<number | string> }>; outputs: Array<{ name: string; type: string; shape: Array<number | string> }>; opsets: Record<string, number> }) | null;
}

let data: string;
let trained: TrainResult;
let ours: { pred: number[]; proba: number[] };
let theirs: PythonOutput;
beforeAll(async () => {
  data = relabelledHead(join(dir, 'labelled.csv'));
  trained = await trainModel({ data, workers: 0, nEstimators: 25, registry: join(dir, 'models'), seed: 5 });
  const out = join(dir, 'predictions.csv');
  await predictFile({ model: trained.modelDir, data, out });
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  ours = { pred: lines.map((l) => Number(l.split(',')[0])), proba: lines.map((l) => Number(l.split(',')[1])) };
  theirs = python(trained.modelDir, data);
});

function python(...args: string[]): PythonOutput {
  return JSON.parse(execFileSync(inject('pythonPath'), [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as PythonOutput;
}

function expectOurs(theirs: Predictions): void {
  expect(theirs.label.length).toBe(ours.pred.length);
  const worst = theirs.probability.reduce((max, p, r) => Math.max(max, Math.abs(p - ours.proba[r]!)), 0);
  expect(worst).toBeLessThanOrEqual(1e-6);
  expect(theirs.label.filter((label, r) => label !== ours.pred[r]).length).toBe(0);
}

describe('the MLflow model directory of a random forest (Python: MLflow pyfunc, onnxruntime)', () => {
  it('mlflow.pyfunc.load_model(folder).predict(DataFrame) gives our predictions on every row, non-finite cells included', () => {
    expect(new Set(ours.pred).size).toBe(2);
    // CICIDS' own Infinity and NaN cells are in these rows: the graph fills them as predict does
    expect(readFileSync(data, 'latin1')).toMatch(/,Infinity,/);
    const out = theirs;
    expect(out.features).toEqual(trained.model.features);
    expectOurs(out.pyfunc);
    expectOurs(out.onnx!);
  });

  it('model.onnx passes the ONNX checker and reads double [N, n_features], gives label int64 [N] and probability float32 [N]', () => {
    const out = theirs.onnx!;
    expect(out.inputs).toEqual([{ name: 'input', type: 'tensor(double)', shape: ['N', trained.model.features.length] }]);
    expect(out.outputs).toEqual([
      { name: 'label', type: 'tensor(int64)', shape: ['N'] },
      { name: 'probability', type: 'tensor(float)', shape: ['N'] },
    ]);
    expect(out.opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
  });
});

describe('the MLflow model directory of an mlp (Python: MLflow pyfunc)', () => {
  it('mlflow.pyfunc.load_model(folder) predicts as predictFile does', async () => {
    const mlp = await trainModel({ data, model: 'mlp', epochs: 2, workers: 0, registry: join(dir, 'models-mlp'), seed: 5 });
    const out = join(dir, 'predictions-mlp.csv');
    await predictFile({ model: mlp.modelDir, data, out });
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const mine = { pred: lines.map((l) => Number(l.split(',')[0])), proba: lines.map((l) => Number(l.split(',')[1])) };
    expect(new Set(mine.pred).size).toBe(2);
    const result = python(mlp.modelDir, data);
    for (const theirs of [result.pyfunc, result.onnx!]) {
      expect(theirs.probability.reduce((max, p, r) => Math.max(max, Math.abs(p - mine.proba[r]!)), 0)).toBeLessThanOrEqual(1e-6);
      expect(theirs.label.filter((label, r) => label !== mine.pred[r]).length).toBe(0);
    }
  });
});


describe('the MLflow model directories of gradient-boosted trees and a single tree (Python: MLflow pyfunc, onnxruntime)', () => {
  for (const [kind, options] of [
    ['gbt', { gbt: { maxIter: 40 } }],
    ['tree', { maxDepth: 8 }],
  ] as const) {
    it(`${kind}: mlflow.pyfunc.load_model(folder) and onnxruntime predict as predictFile does, non-finite cells included`, async () => {
      const result = await trainModel({ data, model: kind, ...options, workers: 0, registry: join(dir, `models-${kind}`), seed: 5 });
      const out = join(dir, `predictions-${kind}.csv`);
      await predictFile({ model: result.modelDir, data, out });
      const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
      const mine = { pred: lines.map((l) => Number(l.split(',')[0])), proba: lines.map((l) => Number(l.split(',')[1])) };
      expect(new Set(mine.pred).size).toBe(2);
      const python_ = python(result.modelDir, data);
      for (const theirs of [python_.pyfunc, python_.onnx!]) {
        expect(theirs.label.length).toBe(mine.pred.length);
        expect(theirs.probability.reduce((max, p, r) => Math.max(max, Math.abs(p - mine.proba[r]!)), 0)).toBeLessThanOrEqual(1e-6);
        expect(theirs.label.filter((label, r) => label !== mine.pred[r]).length).toBe(0);
      }
    });
  }
});
