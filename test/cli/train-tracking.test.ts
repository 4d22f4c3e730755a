/**
 * `driftcatcher train` with MLflow configured: the run lands in the training experiment with the
 * original tool's metric names, the model file as an artifact, and the model registered as a new
 * version with the `challenger` alias; read back with MLflow's own Python client. The registered
 * version is an MLflow model: `mlflow.pyfunc.load_model("models:/<name>/1")`, and
 * `models:/<name>@champion` after `models promote`, predict real CICIDS rows as `driftcatcher
 * predict` does (test/reference/onnx_predict.py).
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { synthesize } from '../../engine/synth/index.js';
import { cli, HEAD_9998, ROOT, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { readback, unique, type Readback } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-train-mlflow-');
const experiment = unique('training_');
const modelName = unique('ddos_random_forest_');
let trained: any;
let stderr: string;
let server: Readback;

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 2000, seed: 31, out: train });
  const result = cli(
    ['train', train, '--registry', join(dir, 'models'), '--name', modelName, '--n-estimators', '10', '--workers', '0', '--experiment', experiment, '--ledger-dir', join(dir, 'ledger'), '--json'],
    { env: { MLFLOW_TRACKING_URI: uri } },
  );
  expect(result.code, result.stderr).toBe(0);
  trained = JSON.parse(result.stdout);
  stderr = result.stderr;
  server = readback(python, uri, { experiments: [experiment], models: [modelName] });
});

describe('train reports to MLflow', () => {
  it('logs the run with params and the test metrics under the original names', () => {
    const runs = server.experiments[experiment]!.runs;
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.status).toBe('FINISHED');
    for (const key of ['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score', 'true_positives', 'true_negatives', 'false_positives', 'false_negatives']) {
      expect(run.metrics[key]?.[0]?.value, key).toBe(trained.metrics[key]);
      // the training split's, so overfitting is visible beside the test metrics
      expect(run.metrics[`train_${key}`]?.[0]?.value, `train_${key}`).toBe(trained.train_metrics[key]);
    }
    expect(run.params['model_type']).toBe('random_forest');
    expect(run.params['n_estimators']).toBe('10');
    expect(stderr).not.toMatch(/queued/);
  });

  it('stores the model and its baseline profile byte for byte', () => {
    const run = server.experiments[experiment]!.runs[0]!;
    expect(Buffer.from(run.artifacts['model/model.json']!, 'base64').equals(readFileSync(trained.artifacts.model))).toBe(true);
    expect(Buffer.from(run.artifacts['profile.json']!, 'base64').equals(readFileSync(trained.artifacts.profile))).toBe(true);
  });

  it('registers a new version with the challenger alias', () => {
    const model = server.models[modelName]!;
    expect(model.versions).toHaveLength(1);
    expect(model.aliases['challenger']).toBe(model.versions[0]!.version);
    expect(model.versions[0]!.run_id).toBe(server.experiments[experiment]!.runs[0]!.run_id);
  });
});

describe('the registered version loads with mlflow.pyfunc', () => {
  const MLFLOW_FILES = ['MLmodel', 'model.onnx', 'requirements.txt', 'conda.yaml', 'python_env.yaml'];
  /** pyfunc's predictions of the real rows of HEAD_9998 through a models:/ URI */
  const pyfunc = (modelUri: string) =>
    JSON.parse(execFileSync(python, [join(ROOT, 'test', 'reference', 'onnx_predict.py'), modelUri, HEAD_9998, uri], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).pyfunc as { label: number[]; probability: number[] };
  /** `driftcatcher predict` of the same rows */
  const ours = () => {
    const out = join(dir, 'predictions.csv');
    const result = cli(['predict', '--model', join(dir, 'models'), HEAD_9998, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    return { label: lines.map((l) => Number(l.split(',')[0])), probability: lines.map((l) => Number(l.split(',')[1])) };
  };
  const expectSame = (theirs: { label: number[]; probability: number[] }, mine: { label: number[]; probability: number[] }) => {
    expect(theirs.label).toHaveLength(9998);
    expect(theirs.probability.reduce((max, p, r) => Math.max(max, Math.abs(p - mine.probability[r]!)), 0)).toBeLessThanOrEqual(1e-6);
    expect(theirs.label.filter((label, r) => label !== mine.label[r]).length).toBe(0);
  };

  it('logs the MLflow model files under model/, byte for byte, in the run and in the logged model', () => {
    const run = server.experiments[experiment]!.runs[0]!;
    const logged = server.models[modelName]!.versions[0]!.logged_model!;
    for (const name of MLFLOW_FILES) {
      const file = readFileSync(join(trained.model_dir, name));
      expect(Buffer.from(run.artifacts[`model/${name}`]!, 'base64').equals(file), name).toBe(true);
      expect(Buffer.from(logged.artifacts[name]!, 'base64').equals(file), name).toBe(true);
    }
  });

  it('models:/<name>/<version> and, after `models promote`, models:/<name>@champion predict real CICIDS rows as driftcatcher predict does', () => {
    const mine = ours();
    expectSame(pyfunc(`models:/${modelName}/1`), mine);
    const promoted = cli(['models', 'promote', '1', '--registry', join(dir, 'models'), '--name', modelName, '--ledger-dir', join(dir, 'ledger'), '--json'], { env: { MLFLOW_TRACKING_URI: uri } });
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout).mlflow).toMatchObject({ state: 'moved' });
    expectSame(pyfunc(`models:/${modelName}@champion`), mine);
  });
});
