/**
 * The agent's story through the CLI with MLflow configured (the real server test/setup starts),
 * read back with MLflow's own Python client: train v1 -> promote -> a quiet check -> a drifted
 * check -> retrain on labelled drifted data (v2 promoted) -> monitor v2's predictions. Every step
 * is visible in the drift_monitoring, training, retraining and production_monitoring experiments,
 * and the registered model has versions 1 and 2 with the champion alias on 2.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { synthesize } from '../../engine/synth/index.js';
import { tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { cliAsync, readback, unique, type CliResult, type Readback, type ReadbackRun } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-agent-mlflow-');
const prefix = unique('agent_story_') + '/';
const modelName = unique('ddos_agent_');
const registry = join(dir, 'models');
const stateDir = join(dir, 'agent');
const files = {
  train: join(dir, 'train.csv'),
  quiet: join(dir, 'quiet.csv'),
  drifted: join(dir, 'drifted.csv'),
  labelled: join(dir, 'labelled-drifted.csv'),
  later: join(dir, 'later-drifted.csv'),
  predictions: join(dir, 'predictions-v2.csv'),
};
const env = { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: prefix, DRIFTCATCHER_HOME: join(dir, 'ledger') };
const out: Record<string, any> = {};
let server: Readback;

async function step(name: string, args: string[]): Promise<CliResult> {
  const result = await cliAsync(args, { cwd: dir, env });
  expect(result.code, `${name}: ${result.stderr}`).toBe(0);
  expect(result.stderr, name).not.toMatch(/queued|not sent|failed/i);
  return result;
}

const agentArgs = ['--registry', registry, '--name', modelName, '--state-dir', stateDir, '--quiet'];
const metric = (run: ReadbackRun, key: string) => run.metrics[key]?.[0]?.value;

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  await synthesize({ rows: 2000, seed: 41, out: files.train });
  await synthesize({ rows: 800, seed: 42, out: files.quiet });
  await synthesize({ rows: 800, seed: 43, drift: 'severe', out: files.drifted });
  await synthesize({ rows: 6000, seed: 44, drift: 'severe', out: files.labelled });
  await synthesize({ rows: 800, seed: 45, drift: 'severe', out: files.later });

  out.train = JSON.parse((await step('train', ['train', files.train, '--registry', registry, '--name', modelName, '--n-estimators', '10', '--workers', '0', '--seed', '7', '--json'])).stdout);
  await step('promote', ['models', 'promote', '1', '--registry', registry]);
  out.quiet = JSON.parse((await step('quiet check', ['agent', 'check', '--data', files.quiet, '--json', '--workers', '0', ...agentArgs])).stdout);
  out.drifted = JSON.parse((await step('drifted check', ['agent', 'check', '--data', files.drifted, '--json', '--workers', '0', ...agentArgs])).stdout);
  out.retrain = JSON.parse((await step('retrain', ['agent', 'retrain', '--new-labeled-data', files.labelled, '--base-data', files.train, '--n-estimators', '10', '--train-workers', '0', '--seed', '7', '--json', ...agentArgs])).stdout);
  const predict = await cliAsync(['predict', files.later, '--model', `${registry}@2`, '--out', files.predictions], { cwd: dir, env });
  expect(predict.code, predict.stderr).toBe(0);
  out.monitor = JSON.parse((await step('monitor', ['monitor', files.predictions, '--json', '--registry', registry, '--name', modelName, '--history', join(dir, 'history.jsonl')])).stdout);
  server = readback(python, uri, {
    experiments: ['drift_monitoring', 'training', 'retraining', 'production_monitoring'].map((e) => prefix + e),
    models: [modelName],
  });
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the agent story in MLflow', () => {
  it('the CLI steps did what the story says', () => {
    expect(out.quiet).toMatchObject({ action: 'wait', taken: 'none' });
    expect(out.drifted).toMatchObject({ action: 'retrain', taken: 'alert' });
    expect(out.retrain).toMatchObject({ status: 'promoted', version: 2, champion_version: 1, metric: 'f1_score' });
    expect(out.monitor.champion).toMatchObject({ version: 2, alias: 'champion' });
  });

  it('drift_monitoring holds both checks with overall_psi and action_recommended', () => {
    const runs = server.experiments[prefix + 'drift_monitoring']!.runs;
    expect(runs).toHaveLength(2);
    const byAction = Object.fromEntries(runs.map((r) => [r.tags['action_recommended'], r]));
    expect(Object.keys(byAction).sort()).toEqual(['retrain', 'wait']);
    expect(metric(byAction['wait']!, 'overall_psi')).toBeCloseTo(out.quiet.overall_psi, 12);
    expect(metric(byAction['retrain']!, 'overall_psi')).toBeCloseTo(out.drifted.overall_psi, 12);
    expect(metric(byAction['retrain']!, 'n_drifted_features')).toBe(out.drifted.n_drifted_features);
    for (const run of runs) {
      expect(run.status).toBe('FINISHED');
      expect(run.run_name).toMatch(/^drift_check_\d{8}_\d{6}$/);
      expect(run.artifacts['drift_feature_psi.json']).toBeDefined();
    }
  });

  it('each check names the model it checked and is linked to its MLflow logged model (v1, the champion then)', () => {
    const runs = server.experiments[prefix + 'drift_monitoring']!.runs;
    const v1 = server.models[modelName]!.versions.find((v) => v.version === '1')!;
    expect(v1.model_id).toMatch(/^m-/);
    for (const run of runs) {
      expect(run.tags).toMatchObject({ 'driftcatcher.model': modelName, 'driftcatcher.model_version': '1', 'driftcatcher.model_alias': 'champion' });
      expect(run.inputs.models).toEqual([v1.model_id]);
      expect(run.inputs.datasets.map((d) => d.tags['mlflow.data.context']).sort()).toEqual(['production', 'reference']);
      expect(run.tags['mlflow.note.content']).toContain(`of model ${modelName.replaceAll('_', '\\_')} v1 (champion)`);
    }
  });

  it('training holds v1 with roc_auc; retraining holds the decision and both holdout scores', () => {
    const training = server.experiments[prefix + 'training']!.runs;
    expect(training).toHaveLength(1);
    expect(metric(training[0]!, 'roc_auc')).toBe(out.train.metrics.roc_auc);
    const retraining = server.experiments[prefix + 'retraining']!.runs;
    expect(retraining).toHaveLength(1);
    const run = retraining[0]!;
    expect(run.status).toBe('FINISHED');
    expect(run.tags['promoted']).toBe('true');
    expect(run.tags['champion_version']).toBe('1');
    expect(metric(run, 'holdout_challenger_f1_score')).toBeCloseTo(out.retrain.challenger_score, 12);
    expect(metric(run, 'holdout_champion_f1_score')).toBeCloseTo(out.retrain.champion_score, 12);
    expect(typeof metric(run, 'roc_auc')).toBe('number');
    expect(run.artifacts['model/model.json']).toBeDefined();
  });

  it('production_monitoring holds the prod_* metrics of v2', () => {
    const runs = server.experiments[prefix + 'production_monitoring']!.runs;
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    const m = out.monitor.metrics;
    expect(metric(run, 'prod_accuracy')).toBeCloseTo(m.accuracy, 12);
    expect(metric(run, 'prod_precision')).toBeCloseTo(m.precision, 12);
    expect(metric(run, 'prod_recall')).toBeCloseTo(m.recall, 12);
    expect(metric(run, 'prod_f1_score')).toBeCloseTo(m.f1_score, 12);
    expect(metric(run, 'prod_false_positive_rate')).toBeCloseTo(m.false_positive_rate, 12);
    expect(metric(run, 'prod_false_negative_rate')).toBeCloseTo(m.false_negative_rate, 12);
    expect(metric(run, 'prod_roc_auc')).toBeCloseTo(m.roc_auc, 12);
    expect(run.tags['performance_status']).toBe(out.monitor.status);
    expect(run.params['model_version']).toBe('2');
    expect(run.artifacts['performance_report.json']).toBeDefined();
  });

  it('the registered model has versions 1 and 2, the champion alias on 2', () => {
    const model = server.models[modelName]!;
    expect(model.versions.map((v) => v.version).sort()).toEqual(['1', '2']);
    expect(model.aliases['champion']).toBe('2');
    const v2 = model.versions.find((v) => v.version === '2')!;
    expect(v2.run_id).toBe(server.experiments[prefix + 'retraining']!.runs[0]!.run_id);
    const v1 = model.versions.find((v) => v.version === '1')!;
    expect(v1.run_id).toBe(server.experiments[prefix + 'training']!.runs[0]!.run_id);
  });
});
