/**
 * `driftcatcher train` with MLflow configured: the run lands in the training experiment with the
 * original tool's metric names, the model file as an artifact, and the model registered as a new
 * version with the `challenger` alias; read back with MLflow's own Python client.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { synthesize } from '../../engine/synth/index.js';
import { cli, tempDir } from '../helpers.js';
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
