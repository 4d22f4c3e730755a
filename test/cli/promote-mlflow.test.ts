/**
 * `models promote` moves the champion alias on the MLflow server too (rollback included); with the
 * server down (or the version's training run not sent yet) the move is queued in the ledger and
 * `mlflow sync` carries it, the newest promotion winning. Read back with MLflow's own Python client.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { synthesize } from '../../engine/synth/index.js';
import { succeedingCli, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { cliAsync, readback, startSwitchableProxy, unique, type CliResult, type SwitchableProxy } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-promote-mlflow-');
const name = unique('ddos_random_forest_');
const registry = join(dir, 'models');
const ledger = join(dir, 'ledger');
const env = { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: unique('promote_') };

const run = succeedingCli(ledger, env);

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 1500, seed: 41, out: train });
  for (const seed of ['1', '2']) run(['train', train, '--registry', registry, '--name', name, '--n-estimators', '5', '--workers', '0', '--seed', seed]);
});

const championOnServer = () => readback(python, uri, { models: [name] }).models[name]!;

describe('models promote with MLflow configured', () => {
  it('points champion at the promoted version on the server, and back on rollback', () => {
    const model = championOnServer();
    expect(model.versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(model.aliases['challenger']).toBe('2');
    expect(model.aliases['champion']).toBeUndefined();

    const promoted = run(['models', 'promote', '2', '--registry', registry, '--name', name, '--json']);
    expect(JSON.parse(promoted.stdout).mlflow).toMatchObject({ state: 'moved', mlflow_version: '2' });
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

describe('models promote with the server down: queued, and `mlflow sync` carries it', () => {
  const queuedName = unique('ddos_queued_');
  const queuedRegistry = join(dir, 'models-queued');
  const queuedLedger = join(dir, 'ledger-queued');
  const train = join(dir, 'train.csv');
  /** quick retries: a server that is down costs little time */
  const FAST = { DRIFTCATCHER_MLFLOW_BACKOFF_MS: '20', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2', DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS: '2000' };
  let proxy: SwitchableProxy;
  // the CLI runs asynchronously: the proxy lives in this process
  const at = (args: string[]) => cliAsync([...args, '--ledger-dir', queuedLedger], { env: { MLFLOW_TRACKING_URI: proxy.uri, DRIFTCATCHER_EXPERIMENT_PREFIX: env.DRIFTCATCHER_EXPERIMENT_PREFIX, ...FAST } });
  const ok = async (running: Promise<CliResult>) => {
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const promote = (version: string) => ok(at(['models', 'promote', version, '--registry', queuedRegistry, '--name', queuedName, '--json']));
  const aliasesOnServer = () => readback(python, uri, { models: [queuedName] }).models[queuedName]!.aliases;
  const status = async () => JSON.parse((await ok(at(['mlflow', 'status', '--json']))).stdout) as { queued: unknown[]; aliases: { alias: string; local_version: number; last_error?: string }[] };

  beforeAll(async () => {
    proxy = await startSwitchableProxy(uri);
    for (const seed of ['1', '2']) expect((await ok(at(['train', train, '--registry', queuedRegistry, '--name', queuedName, '--n-estimators', '5', '--workers', '0', '--seed', seed]))).stderr).toMatch(/logged to MLflow/);
  });
  afterAll(async () => proxy.close());

  it('server down: exit 0, queued; sync while down: exit 3; sync when up: the alias is set', async () => {
    expect(aliasesOnServer()).toEqual({ challenger: '2' });
    proxy.setUp(false);
    const promoted = await promote('2');
    expect(JSON.parse(promoted.stdout)).toMatchObject({ champion: 2, mlflow: { state: 'queued' } });
    expect(promoted.stderr.trim().split('\n')).toHaveLength(1);
    expect(promoted.stderr).toMatch(/^driftcatcher: MLflow server http:\/\/127\.0\.0\.1:\d+ cannot be reached .*; champion of ddos_queued_\w+ -> v2 queued in .*aliases.*: `driftcatcher mlflow sync` sets it later\n$/);
    expect(aliasesOnServer()['champion']).toBeUndefined();
    expect((await status()).aliases).toMatchObject([{ alias: 'champion', local_version: 2 }]);

    const stillDown = await at(['mlflow', 'sync']);
    expect(stillDown.code).toBe(3);
    expect(stillDown.stderr).toMatch(/cannot be reached.*; 1 alias move\(s\) still queued\n$/);

    proxy.setUp(true);
    const sync = await ok(at(['mlflow', 'sync']));
    expect(sync.stdout).toMatch(/alias moves: 1 sent, 0 still queued/);
    expect(aliasesOnServer()).toEqual({ challenger: '2', champion: '2' });
    expect((await status()).aliases).toEqual([]);
    expect((await ok(at(['mlflow', 'sync']))).stdout).toMatch(/nothing to send/);
  });

  it('a version whose training run is still queued: the run and then the alias go with the next sync; the newest promotion wins', async () => {
    proxy.setUp(false);
    const trained = await ok(at(['train', train, '--registry', queuedRegistry, '--name', queuedName, '--n-estimators', '5', '--workers', '0', '--seed', '3']));
    expect(trained.stderr).toMatch(/queued in /);
    // promote 1 while down, then 3 (whose run is not on the server): 3 is the newest and wins
    expect(JSON.parse((await promote('1')).stdout).mlflow.state).toBe('queued');
    const three = await promote('3');
    expect(JSON.parse(three.stdout).mlflow.state).toBe('queued');
    expect(three.stderr).toMatch(/champion of \w+ -> v3 queued in .*: the run that registers v3 \(train-random_forest-v3, \S+\) is not on the server yet; `driftcatcher mlflow sync` sends both/);
    expect((await status()).aliases).toMatchObject([{ local_version: 3 }]);

    proxy.setUp(true);
    const sync = await ok(at(['mlflow', 'sync']));
    expect(sync.stdout).toMatch(/1 sent to .*, 0 still queued; alias moves: 1 sent, 0 still queued/);
    const model = readback(python, uri, { models: [queuedName] }).models[queuedName]!;
    expect(model.versions.map((v) => v.version)).toEqual(['1', '2', '3']);
    expect(model.aliases).toEqual({ challenger: '3', champion: '3' });
  });

  it('a promotion with the server up supersedes a queued one (a later sync does not undo it)', async () => {
    proxy.setUp(false);
    expect(JSON.parse((await promote('2')).stdout).mlflow.state).toBe('queued');
    proxy.setUp(true);
    expect(JSON.parse((await promote('1')).stdout).mlflow).toMatchObject({ state: 'moved', mlflow_version: '1' });
    expect((await status()).aliases).toEqual([]);
    expect((await ok(at(['mlflow', 'sync']))).stdout).toMatch(/nothing to send/);
    expect(aliasesOnServer()['champion']).toBe('1');
  });
});
