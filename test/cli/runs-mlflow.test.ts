/**
 * `driftcatcher runs` over a real MLflow server, with runs the CLI recorded checking the real
 * CICIDS extracts (and trainings that register model versions). Checked with MLflow's own
 * Python client (test/reference/runs_reference.py): the filter means the same as the server's
 * search_runs, on the server and evaluated on the ledger; the export holds what mlflow.search_runs
 * gives; cleanup really deletes (lifecycle_stage deleted) and keeps the runs of registered versions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { FLOWS_299, HEAD_9998, ROOT, SAMPLE_10, cli, succeedingCli, tempDir } from '../helpers.js';
import { MLFLOW_TEST_ENV, waitForMlflow } from '../setup/mlflow.js';
import { unique } from '../engine/tracking/support.js';
import { listRuns, resolveTracking } from '../../engine/tracking/index.js';
import { MlflowClient, getExperimentByName, searchAllRuns } from '../../engine/tracking/mlflow/index.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-runs-mlflow-');
const ledger = join(dir, 'ledger');
const prefix = unique('runs_');
const DRIFT = `${prefix}drift_monitoring`;
const CLEANUP = `${prefix}cleanup`;
const modelName = unique('ddos_runs_');
const env = { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: prefix };

const run = succeedingCli(ledger, env);
const json = (args: string[], extraEnv?: Record<string, string>) => JSON.parse(run([...args, '--json'], extraEnv).stdout);

function reference(request: unknown): any {
  const result = spawnSync(python, [join(ROOT, 'test', 'reference', 'runs_reference.py'), JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...MLFLOW_TEST_ENV },
  });
  if (result.status !== 0) throw new Error(`runs_reference.py failed: ${result.stderr.trim().split('\n').slice(-6).join(' | ')}`);
  return JSON.parse(result.stdout);
}

interface ServerRun {
  run_id: string;
  lifecycle_stage: string;
  run_name: string;
  start_time: number;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}
const serverRuns = (experiment: string): ServerRun[] => reference({ runs: { uri, experiment } }).runs;

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const profile = join(dir, 'profile.json');
  expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);
  const checks: string[][] = [[FLOWS_299], [SAMPLE_10], [HEAD_9998], [FLOWS_299, '--method', 'jensenshannon'], [SAMPLE_10, '--method', 'hellinger']];
  for (const [batch, ...flags] of checks) run(['check', '--baseline', profile, batch!, '--workers', '0', ...flags]);
  const train = join(dir, 'train.csv');
  await synthesize({ rows: 1500, seed: 41, out: train });
  for (const seed of ['1', '2']) run(['train', train, '--name', modelName, '--registry', join(dir, 'models'), '--n-estimators', '3', '--workers', '0', '--seed', seed, '--experiment', CLEANUP]);
  for (const batch of [FLOWS_299, SAMPLE_10, HEAD_9998]) run(['check', '--baseline', profile, batch, '--workers', '0', '--experiment', CLEANUP]);
});

describe('runs list and summary on the server', () => {
  it('--filter means what the server means: our list on the server, the same filter on the ledger and MLflow search_runs agree', async () => {
    const runs = serverRuns(DRIFT);
    expect(runs).toHaveLength(5);
    const middle = [...runs].sort((a, b) => a.start_time - b.start_time)[2]!.start_time;
    const filters = [
      'metrics.overall_score > 0.2',
      'metrics.overall_score <= 0.05',
      "metrics.n_drifted_features >= 10 AND params.method = 'psi'",
      "params.method != 'psi'",
      "tags.action_recommended = 'retrain'",
      "tags.action_recommended LIKE 'ret%'",
      "tags.action_recommended LIKE 'RET%'",
      "tags.action_recommended ILIKE 'RET%'",
      "tags.action_recommended LIKE '_ait'",
      "attributes.run_name LIKE 'drift_check_%'",
      "attributes.status = 'FINISHED' AND params.current_rows = '10'",
      'metrics.`drift/Flow Bytes_s` > 0.2',
      `attributes.start_time >= ${middle}`,
      "params.method = 'ks'",
    ];
    const byServer = reference({ search: { uri, experiment: DRIFT, filters } }).search as Record<string, string[]>;
    // a filter that matches nothing, one that matches all and some in between: the check can fail
    const sizes = filters.map((f) => byServer[f]!.length);
    expect(sizes).toContain(0);
    expect(sizes).toContain(5);
    expect(sizes.some((n) => n > 0 && n < 5)).toBe(true);
    const ledgerToServer = new Map(runs.map((r) => [r.tags['driftcatcher.ledger_id']!, r.run_id]));
    for (const filter of filters) {
      const ours = json(['runs', 'list', '--experiment', DRIFT, '--filter', filter]);
      expect(ours.source).toBe('mlflow');
      expect([filter, ours.runs.map((r: { run_id: string }) => r.run_id).sort()]).toEqual([filter, byServer[filter]]);
      // the ledger side in this process (the CLI's ledger path is test/cli/runs.test.ts)
      const local = await listRuns({ trackingUri: null, ledgerDir: ledger, experiment: DRIFT, filter });
      expect(local.source).toBe('ledger');
      expect([filter, local.runs.map((r) => ledgerToServer.get(r.run_id)).sort()]).toEqual([filter, byServer[filter]]);
    }
  });

  it('newest first, --limit and --since on the server; summary counts what the server holds', () => {
    const runs = serverRuns(DRIFT).sort((a, b) => b.start_time - a.start_time);
    const ids = (args: string[]) => json(['runs', 'list', '--experiment', DRIFT, ...args]).runs.map((r: { run_id: string }) => r.run_id);
    expect(ids([])).toEqual(runs.map((r) => r.run_id));
    expect(ids(['--limit', '2'])).toEqual(runs.slice(0, 2).map((r) => r.run_id));
    expect(ids(['--since', '1h'])).toHaveLength(5);
    expect(ids(['--since', '2999-01-01'])).toEqual([]);

    const summary = json(['runs', 'summary']);
    expect(summary.source).toBe('mlflow');
    for (const name of [DRIFT, CLEANUP]) {
      const mine = serverRuns(name).filter((r) => r.lifecycle_stage === 'active').sort((a, b) => b.start_time - a.start_time);
      const verdicts = mine.map((r) => r.tags['action_recommended']).filter(Boolean);
      expect(summary.experiments.find((e: { name: string }) => e.name === name)).toMatchObject({ runs: mine.length, last_run: { run_id: mine[0]!.run_id }, latest_verdict: verdicts[0], recent_verdicts: verdicts.slice(0, 5) });
    }
    const unknown = cli(['runs', 'list', '--experiment', `${prefix}nope`, '--ledger-dir', ledger], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^driftcatcher: --experiment: no experiment "runs_\w+nope" on the MLflow server http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('paging: runs/search page after page (page_token) finds every run once, and says how many it read after each page', async () => {
    const client = new MlflowClient(resolveTracking({ trackingUri: uri }).server!);
    try {
      const experiment = (await getExperimentByName(client, DRIFT))!;
      const pages: number[] = [];
      const runs = await searchAllRuns(client, { experimentIds: [experiment.experiment_id], orderBy: ['attributes.start_time DESC'], pageSize: 2, onPage: (n) => pages.push(n) });
      expect(pages).toEqual([2, 4, 5]);
      expect(runs.map((r) => r.info.run_id)).toEqual(serverRuns(DRIFT).sort((a, b) => b.start_time - a.start_time).map((r) => r.run_id));
      const limited = await searchAllRuns(client, { experimentIds: [experiment.experiment_id], pageSize: 2, limit: 3 });
      expect(limited).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it('history on the server: each point as the server holds the run\'s drift/<feature> metric', () => {
    const runs = serverRuns(DRIFT).sort((a, b) => a.start_time - b.start_time);
    const result = json(['runs', 'history', '--feature', 'Flow Bytes/s']);
    expect(result.source).toBe('mlflow');
    expect(result.history.series[0].points.map((p: { run_id: string; value: number }) => [p.run_id, p.value])).toEqual(runs.map((r) => [r.run_id, r.metrics['drift/Flow Bytes_s']]));
  });
});

describe('runs export and cleanup on the server', () => {
  it('export: the Parquet file holds what mlflow.search_runs gives, column for column', () => {
    const file = join(dir, 'runs.parquet');
    const result = json(['runs', 'export', '--experiment', DRIFT, '-o', file]);
    expect(result).toMatchObject({ source: 'mlflow', rows: 5, format: 'parquet' });
    const { parquet, frame } = reference({ parquet: file, frame: { uri, experiment: DRIFT } });
    const grouped = (columns: string[]) => columns.filter((c) => /^(metrics|params|tags)\./.test(c)).sort();
    expect(grouped(parquet.columns.map((c: { name: string }) => c.name))).toEqual(grouped(frame.columns));
    for (const row of parquet.rows) {
      const expected = frame.rows[row.run_id];
      for (const column of [...grouped(frame.columns), 'start_time', 'end_time', 'status']) expect([column, row[column]]).toEqual([column, expected[column]]);
    }
  });

  it('cleanup --dry-run deletes nothing; cleanup deletes on the server and in the ledger, never the runs of registered versions', () => {
    const before = serverRuns(CLEANUP).sort((a, b) => b.start_time - a.start_time);
    expect(before).toHaveLength(5);
    const registered = new Set(reference({ model_runs: { uri } }).model_runs as string[]);
    const trainings = before.filter((r) => registered.has(r.run_id));
    expect(trainings).toHaveLength(2);
    const doomed = before.slice(1).filter((r) => !registered.has(r.run_id));
    expect(doomed).toHaveLength(2);

    const dry = json(['runs', 'cleanup', '--experiment', CLEANUP, '--keep-last', '1', '--dry-run']);
    expect(dry).toMatchObject({ source: 'mlflow', dry_run: true, total: 5, kept: 1 });
    expect(dry.deleted.map((r: { run_id: string }) => r.run_id)).toEqual(doomed.map((r) => r.run_id));
    expect(dry.protected.map((r: { run_id: string; reason: string }) => [r.run_id, r.reason])).toEqual(trainings.map((r) => [r.run_id, expect.stringMatching(new RegExp(`^registered model version ${modelName}/\\d$`))]));
    expect(serverRuns(CLEANUP).every((r) => r.lifecycle_stage === 'active')).toBe(true);

    const done = json(['runs', 'cleanup', '--experiment', CLEANUP, '--keep-last', '1']);
    expect(done.deleted.map((r: { run_id: string }) => r.run_id)).toEqual(doomed.map((r) => r.run_id));
    const stages = new Map(serverRuns(CLEANUP).map((r) => [r.run_id, r.lifecycle_stage]));
    for (const r of before) expect([r.run_id, stages.get(r.run_id)]).toEqual([r.run_id, doomed.includes(r) ? 'deleted' : 'active']);
    // the ledger copies of the deleted runs are gone, the others stay
    expect(done.ledger_removed.sort()).toEqual(doomed.map((r) => r.tags['driftcatcher.ledger_id']).sort());
    for (const r of before) expect(existsSync(join(ledger, 'runs', r.tags['driftcatcher.ledger_id']!))).toBe(!doomed.includes(r));
    // once more: nothing left to delete
    expect(json(['runs', 'cleanup', '--experiment', CLEANUP, '--keep-last', '1']).deleted).toEqual([]);
  });
});
