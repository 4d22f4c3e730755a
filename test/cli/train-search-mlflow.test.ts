/**
 * `driftcatcher train --search` with MLflow configured, read back with MLflow's Python client:
 * one parent run (the refitted best: its params, cross-validation score, test metrics, the
 * model registered) and one child run per trial (`mlflow.parentRunId`, the trial's params and
 * fold scores); the importance and confusion-matrix artifacts byte for byte; and a training that
 * fails for a real reason (a label with one class), or because a training worker died (a preload
 * makes every worker thread exit as soon as it instantiates WebAssembly, inside its first task),
 * as a FAILED run carrying the error, in the ledger and on the server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { BUILT_CLI, cli, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { readback, unique, type Readback } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-search-mlflow-');
const experiment = unique('search_');
const failedExperiment = unique('search_failed_');
const crashedExperiment = unique('train_crashed_');
const modelName = unique('ddos_search_');
let trained: any;
let failed: { code: number | null; stderr: string };
let crashed: { code: number | null; stderr: string };
let server: Readback;

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 1200, seed: 17, out: train });
  const env = { MLFLOW_TRACKING_URI: uri };
  const result = cli(
    ['train', train, '--registry', join(dir, 'models'), '--name', modelName, '--search', 'grid', '--cv', '2', '--param', 'n_estimators=3,5', '--param', 'max_depth=4,none', '--param', 'min_samples_leaf=1', '--param', 'max_features=sqrt', '--workers', '2', '--experiment', experiment, '--ledger-dir', join(dir, 'ledger'), '--json'],
    { env },
  );
  expect(result.code, result.stderr).toBe(0);
  trained = JSON.parse(result.stdout);
  const oneClass = join(dir, 'one-class.csv');
  writeFileSync(oneClass, ['a,b,Label', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 5},BENIGN`)].join('\n') + '\n');
  failed = cli(['train', oneClass, '--registry', join(dir, 'models-failed'), '--name', modelName, '--workers', '0', '--experiment', failedExperiment, '--ledger-dir', join(dir, 'ledger')], { env });
  // a worker that dies mid-task: the preload runs in every thread (workers inherit execArgv)
  const crash = join(dir, 'crash-workers.mjs');
  writeFileSync(crash, "import { isMainThread } from 'node:worker_threads';\nif (!isMainThread) {\n  const die = () => process.exit(9);\n  WebAssembly.Instance = new Proxy(WebAssembly.Instance, { construct: die });\n  WebAssembly.instantiate = die;\n}\n");
  const run = spawnSync(process.execPath, ['--import', crash, BUILT_CLI, 'train', train, '--registry', join(dir, 'models-crashed'), '--name', modelName, '--n-estimators', '50', '--workers', '2', '--experiment', crashedExperiment, '--ledger-dir', join(dir, 'ledger')], { encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1' } });
  crashed = { code: run.status, stderr: run.stderr };
  server = readback(python, uri, { experiments: [experiment, failedExperiment, crashedExperiment], models: [modelName] });
});

describe('a search on the MLflow server', () => {
  it('one parent run with the best trial\'s params, its cv score and the test metrics', () => {
    const runs = server.experiments[experiment]!.runs;
    expect(runs).toHaveLength(5);
    const parents = runs.filter((r) => !r.tags['mlflow.parentRunId']);
    expect(parents).toHaveLength(1);
    const parent = parents[0]!;
    const best = trained.search.trials[trained.search.best];
    expect(parent.status).toBe('FINISHED');
    expect(parent.params).toMatchObject({ search: 'grid', cv_folds: '2', scoring: 'roc_auc', best_trial: String(best.index), n_estimators: String(best.params.n_estimators) });
    expect(parent.metrics['cv_roc_auc_mean']?.[0]?.value).toBe(best.cv_mean);
    for (const key of ['roc_auc', 'accuracy', 'f1_score', 'true_positives']) expect(parent.metrics[key]?.[0]?.value, key).toBe(trained.metrics[key]);
    expect(server.models[modelName]!.versions[0]!.run_id).toBe(parent.run_id);
  });

  it('every trial is a child run of it with its params and fold scores', () => {
    const runs = server.experiments[experiment]!.runs;
    const parent = runs.find((r) => !r.tags['mlflow.parentRunId'])!;
    const children = runs.filter((r) => r.tags['mlflow.parentRunId'] === parent.run_id).sort((a, b) => Number(a.params['trial']) - Number(b.params['trial']));
    expect(children).toHaveLength(4);
    children.forEach((child, i) => {
      const trial = trained.search.trials[i];
      expect(child.status).toBe('FINISHED');
      expect(child.params).toMatchObject({ trial: String(i), model_type: 'random_forest', n_estimators: String(trial.params.n_estimators), max_depth: String(trial.params.max_depth ?? 'none') });
      expect(child.metrics['cv_roc_auc_mean']?.[0]?.value).toBe(trial.cv_mean);
      expect(child.metrics['cv_roc_auc_std']?.[0]?.value).toBe(trial.cv_std);
      expect(child.metrics['cv_roc_auc']?.map((m) => [m.step, m.value])).toEqual(trial.fold_scores.map((v: number, f: number) => [f, v]));
    });
  });

  it('logs the feature importance and the confusion matrix as artifacts, byte for byte', () => {
    const parent = server.experiments[experiment]!.runs.find((r) => !r.tags['mlflow.parentRunId'])!;
    for (const [path, file] of [['feature_importance.csv', trained.artifacts.feature_importance], ['confusion_matrix.json', trained.artifacts.confusion_matrix], ['confusion_matrix.csv', trained.artifacts.confusion_matrix_csv]]) {
      expect(Buffer.from(parent.artifacts[path]!, 'base64').equals(readFileSync(file)), path).toBe(true);
    }
  });
});

describe('a failed training on the MLflow server', () => {
  it('exits 2 with the error and leaves a FAILED run carrying it', () => {
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/failed run train-rf-failed logged to MLflow/);
    expect(failed.stderr).toMatch(/one-class\.csv: column "Label": .*needs both classes/);
    const runs = server.experiments[failedExperiment]!.runs;
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.status).toBe('FAILED');
    expect(run.tags['error_code']).toBe('DC_ERR_INPUT');
    expect(run.tags['error']).toMatch(/needs both classes/);
    expect(Buffer.from(run.artifacts['error.txt']!, 'base64').toString('utf8')).toBe(`DC_ERR_INPUT: ${run.tags['error']}\n`);
    expect(run.params).toMatchObject({ model_choice: 'rf', data: 'one-class.csv' });
  });

  it('a training worker that dies fails the run: exit 3, one line, a FAILED run in the ledger and on the server', () => {
    expect(crashed.code, crashed.stderr).toBe(3);
    const line = 'a training worker stopped during a grow-tree task (worker exited with code: 9)';
    expect(crashed.stderr).toMatch(/failed run train-rf-failed logged to MLflow/);
    expect(crashed.stderr).toContain(`driftcatcher: ${line}\n`);
    expect(crashed.stderr).not.toMatch(/\n\s+at /);
    const runs = server.experiments[crashedExperiment]!.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('FAILED');
    expect(runs[0]!.tags).toMatchObject({ error_code: 'DC_ERR_INTERNAL', error: line });
    expect(runs[0]!.params).toMatchObject({ model_choice: 'rf', n_estimators: '50', workers: '2' });
    const ledgerRuns = readdirSync(join(dir, 'ledger', 'runs')).map((id) => JSON.parse(readFileSync(join(dir, 'ledger', 'runs', id, 'run.json'), 'utf8')));
    const local = ledgerRuns.filter((r) => r.experiment === crashedExperiment);
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ status: 'FAILED', run_name: 'train-rf-failed', tags: { error_code: 'DC_ERR_INTERNAL', error: line } });
    // nothing half-written: the version folder reserved for it is gone
    const registry = join(dir, 'models-crashed');
    expect(existsSync(registry) ? readdirSync(registry).filter((name) => /^v\d+$/.test(name)) : []).toEqual([]);
  });
});
