/**
 * Against a real MLflow server (started once by test/setup/global-mlflow.ts): what the TypeScript
 * client writes is read back with MLflow's own Python client (test/reference/mlflow_readback.py).
 * Everything is written first (beforeAll), then read back in one Python call, then checked.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ledger, MlflowClient, recordRun, resolveTracking, syncQueued, type RecordOutcome, type RunRecord } from '../../../engine/tracking/index.js';
import { createRun, deleteModelAlias, ensureExperiment, getModelVersionByAlias, getRun, logInputs, searchModelVersions, setModelAlias } from '../../../engine/tracking/mlflow/index.js';
import { FLOWS_299, HEAD_9998, SAMPLE_10, cli, tempDir } from '../../helpers.js';
import { waitForMlflow } from '../../setup/mlflow.js';
import { cliAsync, filesUnder, readback, unique, type CliResult, type Readback, type ReadbackRun } from './support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const SECRET = `tok-${randomBytes(8).toString('hex')}`;

const dir = tempDir('dc-mlflow-test-');
const ledgers = { check: join(dir, 'ledger-check'), numbers: join(dir, 'ledger-numbers'), scan: join(dir, 'ledger-scan'), model: join(dir, 'ledger-model'), later: join(dir, 'ledger-later') };
const scanPrefix = unique('scan_');
const laterPrefix = unique('later_');
const numbersExperiment = unique('numbers_');
const modelExperiment = unique('training_');
const modelName = unique('ddos_random_forest_');
const modelFiles = { 'model/model.json': Buffer.from('{"trees":3}\n'), 'model/weights.bin': randomBytes(4096) };

let check: CliResult;
let numbers: RecordOutcome;
let scan: CliResult;
let laterBefore: CliResult;
let laterSyncs: CliResult[];
let laterAgain: CliResult;
let aliasAnswers: Record<string, string | null>;
let versionsBeforeResend: number;
let server: Readback;

const env = (extra: Record<string, string> = {}) => ({ MLFLOW_TRACKING_URI: uri, ...extra });
const ledgerRuns = async (ledgerDir: string): Promise<RunRecord[]> => new Ledger(ledgerDir).list();
const runsOf = (experiment: string): ReadbackRun[] => server.experiments[experiment]?.runs ?? [];

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const profile = join(dir, 'profile.json');
  expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);

  // 1. a drift check, as a user runs it (with a token the server does not need)
  check = cli(['check', '--baseline', profile, FLOWS_299, '--workers', '0', '--ledger-dir', ledgers.check], { env: env({ MLFLOW_TRACKING_TOKEN: SECRET }) });

  // 2. non-finite metrics and more of everything than one log-batch takes
  numbers = await recordRun(
    {
      experiment: numbersExperiment,
      runName: 'numbers',
      startTime: Date.now() - 1000,
      metrics: [
        { key: 'nan_metric', value: Number.NaN },
        { key: 'inf_metric', value: Infinity },
        { key: 'ninf_metric', value: -Infinity },
        ...Array.from({ length: 2500 }, (_, i) => ({ key: `series_${i % 5}`, value: i / 3, step: i })),
      ],
      params: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`param_${i}`, `value ${i}`])),
      tags: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`tag_${i}`, `t${i}`])),
      artifacts: [{ path: 'nested/blob.bin', content: randomBytes(10_000) }],
    },
    { trackingUri: uri, ledgerDir: ledgers.numbers },
  );

  // 3. a scan: a parent run and one child run per file
  scan = cli(['scan', '--baseline', profile, FLOWS_299, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgers.scan], { env: env({ DRIFTCATCHER_EXPERIMENT_PREFIX: scanPrefix }) });

  // 4. a model: logged, registered, aliased; then the registry verbs
  await recordRun(
    {
      experiment: modelExperiment,
      runName: 'train_forest',
      startTime: Date.now(),
      metrics: [{ key: 'roc_auc', value: 0.99 }],
      artifacts: Object.entries(modelFiles).map(([path, content]) => ({ path, content })),
      models: [{ artifact_path: 'model', name: 'forest', model_type: 'random_forest', register_as: modelName, aliases: ['challenger'] }],
    },
    { trackingUri: uri, ledgerDir: ledgers.model },
  );
  const client = new MlflowClient(resolveTracking({ trackingUri: uri }).server!);
  try {
    await setModelAlias(client, modelName, 'champion', '1');
    aliasAnswers = { champion: (await getModelVersionByAlias(client, modelName, 'champion'))?.version ?? null };
    await deleteModelAlias(client, modelName, 'challenger');
    aliasAnswers['challenger'] = (await getModelVersionByAlias(client, modelName, 'challenger'))?.version ?? null;
    versionsBeforeResend = (await searchModelVersions(client, { filter: `name='${modelName}'` })).model_versions.length;
  } finally {
    await client.close();
  }
  // sending the same run again with its model progress lost (as after a lost answer) must find the
  // logged model and the version, not make second ones
  const ledger = new Ledger(ledgers.model);
  const [trained] = await ledger.list();
  trained!.sync = { ...trained!.sync, state: 'queued', finished: false, models: {} };
  await ledger.save(trained!);
  const resent = await syncQueued({ trackingUri: uri, ledgerDir: ledgers.model });
  expect(resent.sent).toBe(1);
  await deleteModelAlias(new MlflowClient(resolveTracking({ trackingUri: uri }).server!), modelName, 'challenger').catch(() => {});

  // 5. no server at first: the ledger keeps the runs; two syncs at once later send each exactly once
  const laterEnv = { DRIFTCATCHER_EXPERIMENT_PREFIX: laterPrefix };
  laterBefore = cli(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgers.later], { env: laterEnv });
  cli(['check', '--baseline', profile, FLOWS_299, '--workers', '0', '--ledger-dir', ledgers.later], { env: laterEnv });
  cli(['scan', '--baseline', profile, FLOWS_299, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgers.later], { env: laterEnv });
  laterSyncs = await Promise.all([0, 1].map(() => cliAsync(['mlflow', 'sync', '--ledger-dir', ledgers.later, '--json'], { env: env() })));
  laterAgain = cli(['mlflow', 'sync', '--ledger-dir', ledgers.later], { env: env() });

  server = readback(python, uri, {
    experiments: ['drift_monitoring', numbersExperiment, `${scanPrefix}drift_monitoring`, modelExperiment, `${laterPrefix}drift_monitoring`],
    models: [modelName],
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a drift check logged to MLflow', () => {
  it('succeeds and says where the run went', () => {
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).toMatch(/run drift_check_\d{8}_\d{6} logged to MLflow: http:\/\/127\.0\.0\.1:\d+\/#\/experiments\/\d+\/runs\/[0-9a-f]+/);
  });

  it('is one run in drift_monitoring named drift_check_YYYYMMDD_HHMMSS with the ledger params, metrics and tags', async () => {
    const [local] = await ledgerRuns(ledgers.check);
    const runs = runsOf('drift_monitoring');
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run.run_name).toMatch(/^drift_check_\d{8}_\d{6}$/);
    expect(run.run_name).toBe(local!.run_name);
    expect(run.status).toBe('FINISHED');
    expect(run.run_id).toBe(local!.sync.mlflow_run_id);
    expect(local!.sync.state).toBe('sent');
    expect(run.params).toEqual(local!.params);
    expect(run.params).toMatchObject({ semantics: 'default', method: 'psi', bins: '10', epsilon: '0.0001', threshold: '0.2', policy_retrain_overall: '0.2', policy_retrain_drifted_features: '5', policy_alert_overall: '0.1' });
    expect(run.params['baseline_id']).toMatch(/^[0-9a-f]{64}$/);
    expect(run.tags).toMatchObject({ action_recommended: local!.tags['action_recommended'], timestamp: local!.tags['timestamp'], 'driftcatcher.ledger_id': local!.id });
    expect(['retrain', 'alert', 'wait']).toContain(run.tags['action_recommended']);
    expect(Object.keys(run.metrics).sort()).toEqual(local!.metrics.map((m) => m.key).sort());
    for (const m of local!.metrics) expect(run.metrics[m.key], m.key).toEqual([{ value: m.value, step: 0, timestamp: m.timestamp }]);
    const ranked = Object.keys(run.metrics).filter((k) => k.startsWith('psi_rank_'));
    expect(ranked.length).toBe(Math.min(10, Number(run.metrics['n_drifted_features']![0]!.value)));
    expect(ranked.every((k) => /^psi_rank_(10|[1-9])_.{1,30}$/.test(k))).toBe(true);
  });

  it('is MLflow-native: the real duration, drift/<feature> for every feature, the baseline and the batch as datasets, a note', async () => {
    const [local] = await ledgerRuns(ledgers.check);
    const run = runsOf('drift_monitoring')[0]!;
    // the check took time: MLflow shows its duration
    expect(run.end_time).toBeGreaterThan(run.start_time);
    expect(run.start_time).toBe(local!.start_time);
    // one metric per feature, whatever its rank; a '/' in a name is not a group in the UI
    const psi = JSON.parse(readFileSync(new Ledger(ledgers.check).artifactFile(local!.id, 'drift_feature_psi.json'), 'utf8')) as Record<string, number>;
    const perFeature = Object.keys(run.metrics).filter((k) => k.startsWith('drift/'));
    expect(perFeature).toHaveLength(Object.keys(psi).length);
    expect(run.metrics['drift/Flow Bytes_s']![0]!.value).toBe(psi['Flow Bytes/s']);
    expect(run.metrics['drift/Destination Port']![0]!.value).toBe(psi['Destination Port']);
    expect(perFeature.every((k) => k.split('/').length === 2)).toBe(true);
    // the datasets: the baseline (reference) and the batch (production)
    const datasets = Object.fromEntries(run.inputs.datasets.map((d) => [d.tags['mlflow.data.context'], d]));
    expect(Object.keys(datasets).sort()).toEqual(['production', 'reference']);
    expect(datasets['reference']).toMatchObject({ name: run.params['baseline_file'], digest: run.params['baseline_id']!.slice(0, 16), source_type: 'local' });
    expect(JSON.parse(datasets['reference']!.profile)).toMatchObject({ num_rows: Number(run.params['baseline_rows']), profile_id: run.params['baseline_id'] });
    expect(datasets['production']).toMatchObject({ name: basename(FLOWS_299), source_type: 'local' });
    expect(JSON.parse(datasets['production']!.source).uri).toBe(pathToFileURL(resolve(FLOWS_299)).href);
    expect(JSON.parse(datasets['production']!.profile)).toMatchObject({ num_rows: Number(run.params['current_rows']) });
    const schema = JSON.parse(datasets['production']!.schema) as { mlflow_colspec: { name: string; type: string }[] };
    expect(schema.mlflow_colspec.map((c) => c.name).sort()).toEqual(Object.keys(psi).sort());
    // the note MLflow shows as the run's description
    const note = run.tags['mlflow.note.content']!;
    expect(note).toContain(`**Verdict: ${run.tags['action_recommended']}**`);
    expect(note).toContain('drift_feature_psi.json');
    const top = Object.entries(psi).sort((a, b) => b[1] - a[1])[0]![0];
    expect(note).toContain(`| 1 | ${top.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`)} | psi |`);
  });

  it('a second check of the same batch has the same batch digest; another batch has another', () => {
    const runs = runsOf(`${laterPrefix}drift_monitoring`).filter((r) => r.run_name.startsWith('drift_check_') && r.params['current_file']);
    const digest = (file: string) => runs.find((r) => r.params['current_file'] === file)!.inputs.datasets.find((d) => d.tags['mlflow.data.context'] === 'production')!.digest;
    const first = runsOf('drift_monitoring')[0]!.inputs.datasets.find((d) => d.tags['mlflow.data.context'] === 'production')!.digest;
    expect(digest(FLOWS_299)).toBe(first);
    expect(digest(SAMPLE_10)).not.toBe(first);
  });

  it('uploads drift_feature_psi.json byte for byte', async () => {
    const [local] = await ledgerRuns(ledgers.check);
    const run = runsOf('drift_monitoring')[0]!;
    expect(Object.keys(run.artifacts).sort()).toEqual(['drift_feature_psi.json', 'drift_report.json']);
    const bytes = readFileSync(new Ledger(ledgers.check).artifactFile(local!.id, 'drift_feature_psi.json'));
    expect(run.artifacts['drift_feature_psi.json']).toBe(bytes.toString('base64'));
    const psi = JSON.parse(bytes.toString('utf8')) as Record<string, number>;
    expect(Object.keys(psi)).toHaveLength(Number(run.metrics['total_features']![0]!.value));
  });

  it('keeps the token out of the output, the ledger and the server', () => {
    expect(check.stdout + check.stderr).not.toContain(SECRET);
    for (const file of filesUnder(ledgers.check)) expect(file.text, file.path).not.toContain(SECRET);
    expect(JSON.stringify(server)).not.toContain(SECRET);
  });
});

describe('values and sizes', () => {
  it('sends NaN and Infinity metrics (MLflow keeps NaN, stores Infinity as the largest double)', () => {
    expect(numbers.state).toBe('sent');
    const run = runsOf(numbersExperiment)[0]!;
    expect(run.metrics['nan_metric']).toEqual([expect.objectContaining({ value: 'NaN' })]);
    expect([Number.MAX_VALUE, 'Infinity']).toContain(run.metrics['inf_metric']![0]!.value);
    expect([-Number.MAX_VALUE, '-Infinity']).toContain(run.metrics['ninf_metric']![0]!.value);
  });

  it('chunks 2500 metric points, 150 params and 120 tags into accepted batches, each point once', () => {
    const run = runsOf(numbersExperiment)[0]!;
    for (let k = 0; k < 5; k++) {
      const history = run.metrics[`series_${k}`]!;
      expect(history).toHaveLength(500);
      expect(new Set(history.map((p) => p.step)).size).toBe(500);
    }
    expect(Object.keys(run.params).filter((k) => k.startsWith('param_'))).toHaveLength(150);
    expect(run.params['param_149']).toBe('value 149');
    expect(Object.keys(run.tags).filter((k) => k.startsWith('tag_'))).toHaveLength(120);
    expect(Object.keys(run.artifacts)).toEqual(['nested/blob.bin']);
  });
});

describe('a scan logged to MLflow', () => {
  it('is a parent run with one child run per file (mlflow.parentRunId)', () => {
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stderr).toMatch(/run drift_scan_\d{8}_\d{6} \(\+2 child runs\) logged to MLflow/);
    const runs = runsOf(`${scanPrefix}drift_monitoring`);
    expect(runs).toHaveLength(3);
    const parent = runs.find((r) => r.run_name.startsWith('drift_scan_'))!;
    const children = runs.filter((r) => r !== parent);
    expect(children.map((c) => c.tags['mlflow.parentRunId'])).toEqual([parent.run_id, parent.run_id]);
    expect(children.map((c) => c.params['current_file']).sort()).toEqual([FLOWS_299, SAMPLE_10].sort());
    expect(parent.params['current_files']).toBe('2');
    // the parent's batch is both files as one dataset; each child's its own file
    expect(parent.inputs.datasets.find((d) => d.tags['mlflow.data.context'] === 'production')).toMatchObject({ name: '2 files' });
    expect(children.map((c) => c.inputs.datasets.find((d) => d.tags['mlflow.data.context'] === 'production')!.name).sort()).toEqual([basename(FLOWS_299), basename(SAMPLE_10)].sort());
    for (const run of runs) {
      expect(Object.keys(run.metrics)).toEqual(expect.arrayContaining(['overall_psi', 'n_drifted_features', 'total_features']));
      expect(Object.keys(run.artifacts).sort()).toEqual(['drift_feature_psi.json', 'drift_report.json']);
      expect(run.status).toBe('FINISHED');
    }
  });
});

describe('the model registry', () => {
  it('logs the model (MLflow 3 logged model) and registers one version, whatever the re-sends', () => {
    const model = server.models[modelName]!;
    expect(model).not.toBeNull();
    expect(versionsBeforeResend).toBe(1);
    expect(model.versions).toHaveLength(1);
    const version = model.versions[0]!;
    const run = runsOf(modelExperiment)[0]!;
    expect(version.run_id).toBe(run.run_id);
    expect(version.model_id).toMatch(/^m-/);
    expect(version.source).toBe(`models:/${version.model_id}`);
    expect(version.logged_model).toMatchObject({ name: 'forest', source_run_id: run.run_id });
    expect(version.logged_model!.status).toMatch(/READY/);
    expect(server.experiments[modelExperiment]!.logged_models).toEqual([{ model_id: version.model_id, name: 'forest', source_run_id: run.run_id }]);
    expect(version.logged_model!.artifacts).toEqual({ 'model.json': modelFiles['model/model.json'].toString('base64'), 'weights.bin': modelFiles['model/weights.bin'].toString('base64') });
    // the run keeps the files too
    expect(Object.keys(run.artifacts).sort()).toEqual(['model/model.json', 'model/weights.bin']);
  });

  it('sets, reads and deletes aliases', () => {
    expect(aliasAnswers).toEqual({ champion: '1', challenger: null });
    expect(server.models[modelName]!.aliases).toEqual({ champion: '1' });
  });
});

describe('runs that log the same new dataset at once', () => {
  it('all get it: the server\'s unique-constraint race on its datasets table is sent again, not a failure', async () => {
    const client = new MlflowClient(resolveTracking({ trackingUri: uri }).server!);
    try {
      const experiment = await ensureExperiment(client, unique('datasets_race_'));
      const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => createRun(client, { experimentId: experiment.experiment_id, runName: `race_${i}`, startTime: Date.now() })));
      // rounds of one new dataset (a fresh digest) logged by every run at the same moment
      for (let round = 0; round < 5; round++) {
        const dataset = { name: 'batch.csv', digest: randomBytes(8).toString('hex'), source_type: 'local', source: '{"uri": "file:///data/batch.csv"}', context: 'production' };
        await Promise.all(runs.map((run) => logInputs(client, run.run_id, { datasets: [dataset], models: [] })));
      }
      for (const run of runs) {
        // runs/get as MLflow answers it: the run's inputs beside info and data
        const read = (await getRun(client, run.run_id)) as { inputs?: { dataset_inputs?: unknown[] } } | null;
        expect(read!.inputs?.dataset_inputs ?? []).toHaveLength(5);
      }
    } finally {
      await client.close();
    }
  });
});

describe('ledger first, sync later', () => {
  it('keeps runs made without a server queued, and two syncs at once send each exactly once', async () => {
    expect(laterBefore.code, laterBefore.stderr).toBe(0);
    expect(laterBefore.stderr).toMatch(/recorded in .*no tracking server set/);
    for (const sync of laterSyncs) expect(sync.code, sync.stderr).toBe(0);
    // each run sent by exactly one of the two (the other saw it busy or already sent)
    const sent = laterSyncs.flatMap((s) => (JSON.parse(s.stdout) as { runs: { id: string; state: string }[] }).runs.filter((r) => r.state === 'sent').map((r) => r.id));
    expect(sent).toHaveLength(5);
    expect(new Set(sent).size).toBe(5);
    expect(laterAgain.code, laterAgain.stderr + laterAgain.stdout).toBe(0);
    expect(laterAgain.stdout).toMatch(/nothing to send/);

    const local = await ledgerRuns(ledgers.later);
    expect(local).toHaveLength(5);
    expect(local.every((r) => r.sync.state === 'sent')).toBe(true);
    const runs = runsOf(`${laterPrefix}drift_monitoring`);
    expect(runs).toHaveLength(5);
    expect(runs.map((r) => r.tags['driftcatcher.ledger_id']).sort()).toEqual(local.map((r) => r.id).sort());
    const byLedgerId = new Map(runs.map((r) => [r.tags['driftcatcher.ledger_id'], r]));
    for (const record of local.filter((r) => r.parent_id)) {
      expect(byLedgerId.get(record.id)!.tags['mlflow.parentRunId']).toBe(byLedgerId.get(record.parent_id!)!.run_id);
    }
    for (const run of runs) for (const history of Object.values(run.metrics)) expect(history).toHaveLength(1);
    expect(readdirSync(join(ledgers.later, 'runs')).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
