/**
 * `models promote` moves the champion alias on the MLflow server too (rollback included); read back
 * with MLflow's own Python client.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { synthesize } from '../../engine/synth/index.js';
import { cli, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { readback, unique } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-promote-mlflow-');
const name = unique('ddos_random_forest_');
const registry = join(dir, 'models');
const ledger = join(dir, 'ledger');
const env = { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: unique('promote_') };

function run(args: string[], extraEnv: Record<string, string> = env) {
  const result = cli([...args, '--ledger-dir', ledger], { env: extraEnv });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 1500, seed: 41, out: train });
  for (const seed of ['1', '2']) run(['train', train, '--out', registry, '--name', name, '--n-estimators', '5', '--workers', '0', '--seed', seed]);
});

const championOnServer = () => readback(python, uri, { models: [name] }).models[name]!;

describe('models promote with MLflow configured', () => {
  it('points champion at the promoted version on the server, and back on rollback', () => {
    const model = championOnServer();
    expect(model.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(model.aliases['challenger']).toBe('2');
    expect(model.aliases['champion']).toBeUndefined();

    const promoted = run(['models', 'promote', '2', '--registry', registry, '--name', name, '--json']);
    expect(JSON.parse(promoted.stdout).mlflow).toMatchObject({ state: 'moved', mlflowVersion: '2' });
    expect(championOnServer().aliases['champion']).toBe('2');

    run(['models', 'promote', '1', '--registry', registry, '--name', name]);
    expect(championOnServer().aliases['champion']).toBe('1');
  });

  it('without a server it moves the local alias and says so', () => {
    const result = run(['models', 'promote', '2', '--registry', registry, '--name', name, '--json'], {});
    expect(JSON.parse(result.stdout)).toMatchObject({ champion: 2, mlflow: { state: 'local' } });
    expect(result.stderr).toMatch(/local registry only/);
  });
});
