/**
 * With a real MLflow server (test/setup/global-mlflow.ts), read back with MLflow's own Python
 * client: `abtest` logs its run to the `ab_testing` experiment (params, metrics, the winner
 * tag, the report artifact), `models tag` sets the model version tag `stage`, and `models list`
 * shows the server's versions beside the local ones; with the server down, `models list` says
 * so and still lists the local registry.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { splitRelabelledHead, succeedingCli, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { readback, unique } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-abtest-mlflow-');
const name = unique('ddos_abtest_');
const registry = join(dir, 'models');
const ledger = join(dir, 'ledger');
const prefix = unique('abtest_');
const env = { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: prefix };
const train = join(dir, 'train.csv');
const held = join(dir, 'held.csv');

const run = succeedingCli(ledger, env);

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  splitRelabelledHead(dir, 8);
  for (const [seed, trees] of [['1', '2'], ['2', '10']]) run(['train', train, '--registry', registry, '--name', name, '--n-estimators', trees!, '--max-depth', '4', '--workers', '0', '--seed', seed!]);
  run(['models', 'promote', '1', '--registry', registry, '--name', name]);
}, 300_000);

describe('abtest with MLflow configured', () => {
  it('logs one run to ab_testing: models, metric, rows; each metric, improvement, p_value; the winner; the report', () => {
    const result = run(['abtest', held, '--registry', registry, '--name', name, '--metric', 'accuracy', '--bootstrap', '100', '--seed', '3', '--json']);
    expect(result.stderr).toMatch(/run ab_test_\d{8}_\d{6} logged to MLflow/);
    const report = JSON.parse(result.stdout);
    const experiment = readback(python, uri, { experiments: [`${prefix}ab_testing`] }).experiments[`${prefix}ab_testing`]!;
    expect(experiment.runs).toHaveLength(1);
    const logged = experiment.runs[0]!;
    expect(logged.status).toBe('FINISHED');
    expect(logged.params).toMatchObject({ model_a: 'champion', model_b: 'challenger', model_a_version: '1', model_b_version: '2', metric: 'accuracy', rows: String(report.rows), bootstrap: '100', seed: '3' });
    const metric = (key: string) => logged.metrics[key]![0]!.value;
    expect(metric('model_a_accuracy')).toBe(report.metrics.accuracy.a);
    expect(metric('model_b_auc')).toBe(report.metrics.auc.b);
    expect(metric('model_b_f1_ci_high')).toBe(report.metrics.f1.ci_b.high);
    expect(metric('improvement')).toBe(report.metrics.accuracy.b - report.metrics.accuracy.a);
    expect(metric('p_value')).toBe(report.mcnemar.p_value);
    expect(metric('mcnemar_p_value')).toBe(report.mcnemar.p_value);
    expect(metric('delong_p_value')).toBe(report.delong.p_value);
    const winner = report.decision.winner === 'tie' ? 'tie' : report.decision.winner === 'a' ? 'champion' : 'challenger';
    expect(logged.tags).toMatchObject({ winner, significant: String(report.decision.significant), decision_test: 'mcnemar_exact', 'driftcatcher.command': 'abtest' });
    const artifact = JSON.parse(Buffer.from(logged.artifacts['abtest_report.json']!, 'base64').toString('utf8'));
    expect(artifact.decision).toEqual(report.decision);
  }, 300_000);
});

describe('models tag and models list with MLflow configured', () => {
  it('the stage goes to the server as the version tag `stage`; list shows both sides', () => {
    const tagged = run(['models', 'tag', '2', 'production', '--registry', registry, '--name', name, '--json']);
    expect(JSON.parse(tagged.stdout).mlflow).toMatchObject({ state: 'tagged', mlflow_version: '2' });
    run(['models', 'tag', 'champion', 'archived', '--registry', registry, '--name', name]);
    const model = readback(python, uri, { models: [name] }).models[name]!;
    expect(model.versions.map((v) => [v.version, v.tags['stage']])).toEqual([['1', 'archived'], ['2', 'production']]);
    expect(model.aliases).toMatchObject({ champion: '1', challenger: '2' });

    const list = JSON.parse(run(['models', 'list', '--registry', registry, '--name', name, '--json']).stdout);
    expect(list.server).toMatchObject({ state: 'listed', server: uri, aliases: { champion: '1', challenger: '2' } });
    expect(list.server.versions.map((v: { version: string; local_version: number; stage: string; aliases: string[] }) => [v.version, v.local_version, v.stage, v.aliases])).toEqual([
      ['1', 1, 'archived', ['champion']],
      ['2', 2, 'production', ['challenger']],
    ]);
    const text = run(['models', 'list', '--registry', registry, '--name', name]).stdout;
    expect(text).toContain(`local registry and ${uri}`);
    expect(text).toMatch(/^v2\s+random_forest\s+.*challenger\s+production\s+2\s+challenger\s+production$/m);
  }, 300_000);

  it('server down: the local registry is listed, the line says why, exit 0; tag still sets the local stage', () => {
    const down = { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9', DRIFTCATCHER_MLFLOW_BACKOFF_MS: '10', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '1', DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS: '1000' };
    const list = run(['models', 'list', '--registry', registry, '--name', name, '--json'], down);
    expect(JSON.parse(list.stdout).server).toMatchObject({ state: 'unreachable', versions: [] });
    expect(JSON.parse(list.stdout).server.message).toMatch(/^local registry only: MLflow server http:\/\/127\.0\.0\.1:9 cannot be reached/);
    const tagged = run(['models', 'tag', '2', 'staging', '--registry', registry, '--name', name, '--json'], down);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ stage: 'staging', previous: 'production', mlflow: { state: 'local' } });
  }, 300_000);
});
