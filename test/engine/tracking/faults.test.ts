/**
 * Faults between driftcatcher and a real MLflow server: a proxy that answers 503 (twice) or 401,
 * or forwards a request and then drops the answer; a server killed and restarted. Whatever
 * happens, each run reaches the server exactly once, with no duplicated metric point.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger, recordRun, syncQueued, type NewRun, type RecordOutcome, type RunRecord } from '../../../engine/tracking/index.js';
import { FLOWS_299, HEAD_9998, SAMPLE_10, cli, tempDir } from '../../helpers.js';
import { freePort, startMlflowServer, waitForMlflow, type MlflowServer } from '../../setup/mlflow.js';
import { cliAsync, endpointOf, filesUnder, readback, startProxy, unique, type CliResult, type Proxy, type Readback, type ReadbackRun } from './support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-mlflow-faults-');
const profile = join(dir, 'profile.json');
/** quick retries, so that the faults cost little time */
const FAST = { DRIFTCATCHER_MLFLOW_BACKOFF_MS: '50', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3', DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS: '5000' };
// the bound covers the real server's answers too, which take seconds on a loaded machine: it is not what these tests measure
const FAST_RETRY = { firstDelayMs: 20, maxRetries: 3, totalMs: 15_000 };

function manyMetrics(experiment: string, runName: string): NewRun {
  return {
    experiment,
    runName,
    startTime: Date.now(),
    metrics: Array.from({ length: 2500 }, (_, i) => ({ key: `series_${i % 5}`, value: Math.sin(i), step: i })),
    params: { kind: 'fault test' },
    artifacts: [{ path: 'data.bin', content: randomBytes(2048) }],
  };
}

function expectNoDuplicatePoints(run: ReadbackRun) {
  for (let k = 0; k < 5; k++) {
    const history = run.metrics[`series_${k}`]!;
    expect(history, `series_${k}`).toHaveLength(500);
    expect(new Set(history.map((p) => p.step)).size).toBe(500);
  }
}

/** the server of the kill-and-restart test, started now so that it boots while the other tests run */
const ownDir = join(dir, 'own-server');
let ownPort: number;
let own: MlflowServer | undefined;

beforeAll(async () => {
  ownPort = await freePort();
  own = startMlflowServer(python, ownDir, ownPort);
  await waitForMlflow(uri, inject('mlflowLog'));
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
});

afterAll(async () => {
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('retries', () => {
  const experimentPrefix = unique('retry_');
  const lostExperiment = unique('lost_');
  const partialExperiment = unique('partial_');
  const fallbackExperiment = unique('fallback_');
  const fallbackModel = unique('fallback_model_');
  const proxies: Proxy[] = [];
  let busy: Proxy;
  let checked: CliResult;
  let lost: Proxy;
  let lostOutcome: RecordOutcome;
  let partialAfterFault: RunRecord;
  let partialOutcome: RecordOutcome;
  let fallbackOutcome: RecordOutcome;
  let server: Readback;

  beforeAll(async () => {
    // 503 (asking for 1 s with Retry-After), 503 again, then the real server
    busy = await startProxy(uri, (_req, i) => (i === 0 ? { status: 503, headers: { 'retry-after': '1' } } : i === 1 ? { status: 503 } : 'forward'));
    proxies.push(busy);
    checked = await cliAsync(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', join(dir, 'ledger-busy')], {
      env: { MLFLOW_TRACKING_URI: busy.uri, DRIFTCATCHER_EXPERIMENT_PREFIX: experimentPrefix, ...FAST },
    });

    // the answers of the first runs/create and the first log-batch are lost after the server did the work
    const dropped = new Set<string>();
    lost = await startProxy(uri, (req) => {
      const endpoint = endpointOf(req.url ?? '');
      if ((endpoint === 'runs/create' || endpoint === 'runs/log-batch') && !dropped.has(endpoint)) {
        dropped.add(endpoint);
        return 'forward-then-drop';
      }
      return 'forward';
    });
    proxies.push(lost);
    lostOutcome = await recordRun(manyMetrics(lostExperiment, 'lost answers'), { trackingUri: lost.uri, ledgerDir: join(dir, 'ledger-lost'), retry: FAST_RETRY });

    // the second log-batch reaches the server but its answer is lost, and the server goes away:
    // the run stays queued, partly sent; a later sync finishes it without duplicating a point
    let batches = 0;
    let down = false;
    const partial = await startProxy(uri, (req) => {
      if (down) return { status: 503 };
      if (endpointOf(req.url ?? '') === 'runs/log-batch' && ++batches === 2) {
        down = true;
        return 'forward-then-drop';
      }
      return 'forward';
    });
    proxies.push(partial);
    const partialLedger = join(dir, 'ledger-partial');
    partialOutcome = await recordRun(manyMetrics(partialExperiment, 'partly sent'), { trackingUri: partial.uri, ledgerDir: partialLedger, retry: FAST_RETRY });
    partialAfterFault = (await new Ledger(partialLedger).list())[0]!;
    const finished = await syncQueued({ trackingUri: uri, ledgerDir: partialLedger });
    expect(finished.sent).toBe(1);

    // a server without MLflow 3 logged models: the model stays in the run's artifacts and is registered from there
    const older = await startProxy(uri, (req) => ((req.url ?? '').includes('/logged-models') ? { status: 404, body: JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: 'no such endpoint' }) } : 'forward'));
    proxies.push(older);
    fallbackOutcome = await recordRun(
      {
        experiment: fallbackExperiment,
        runName: 'train_forest',
        startTime: Date.now(),
        artifacts: [{ path: 'model/model.json', content: '{"trees":1}' }],
        models: [{ artifact_path: 'model', name: 'forest', register_as: fallbackModel, aliases: ['challenger'] }],
      },
      { trackingUri: older.uri, ledgerDir: join(dir, 'ledger-fallback'), retry: FAST_RETRY },
    );

    server = readback(python, uri, { experiments: [`${experimentPrefix}drift_monitoring`, lostExperiment, partialExperiment, fallbackExperiment], models: [fallbackModel] });
  });

  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
  });

  it('503 twice, then the answer: the check succeeds, Retry-After respected, one run', () => {
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stderr).toMatch(/logged to MLflow/);
    expect(busy.seen.slice(0, 3).map((s) => s.action)).toEqual(['503', '503', 'forward']);
    expect(new Set(busy.seen.slice(0, 3).map((s) => `${s.method} ${endpointOf(s.path)}`)).size).toBe(1);
    expect(busy.seen[1]!.at - busy.seen[0]!.at).toBeGreaterThanOrEqual(900);
    const runs = server.experiments[`${experimentPrefix}drift_monitoring`]!.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.run_name).toMatch(/^drift_check_\d{8}_\d{6}$/);
  });

  it('a lost runs/create answer makes no second run; a lost log-batch answer duplicates no point', () => {
    expect(lostOutcome.state).toBe('sent');
    expect(lost.seen.filter((s) => endpointOf(s.path) === 'runs/create')).toHaveLength(1);
    expect(lost.seen.filter((s) => s.action === 'forward-then-drop')).toHaveLength(2);
    const runs = server.experiments[lostExperiment]!.runs;
    expect(runs).toHaveLength(1);
    expectNoDuplicatePoints(runs[0]!);
  });

  it('a partly sent run stays queued and is finished later without duplicated points', () => {
    expect(partialOutcome.state).toBe('queued');
    expect(partialOutcome.message).toMatch(/queued in .*mlflow sync/);
    expect(partialAfterFault.sync).toMatchObject({ state: 'queued', batches_sent: 1 });
    expect(partialAfterFault.sync.mlflow_run_id).toMatch(/^[0-9a-f]+$/);
    const runs = server.experiments[partialExperiment]!.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.run_id).toBe(partialAfterFault.sync.mlflow_run_id);
    expectNoDuplicatePoints(runs[0]!);
    expect(runs[0]!.status).toBe('FINISHED');
  });

  it('without logged models the version is registered from the run artifacts', () => {
    expect(fallbackOutcome.state).toBe('sent');
    const run = server.experiments[fallbackExperiment]!.runs[0]!;
    const model = server.models[fallbackModel]!;
    expect(model.versions).toHaveLength(1);
    expect(model.versions[0]).toMatchObject({ version: '1', run_id: run.run_id, source: `${run.artifact_uri}/model`, logged_model: null });
    expect(model.aliases).toEqual({ challenger: '1' });
    expect(Object.keys(run.artifacts)).toEqual(['model/model.json']);
  });
});

describe('credentials refused', () => {
  const TOKEN = `tok-${randomBytes(8).toString('hex')}`;
  const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
  let refusing: Proxy;

  beforeAll(async () => {
    refusing = await startProxy(uri, () => ({ status: 401, body: JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'You are not authenticated.' }) }));
  });
  afterAll(async () => refusing.close());

  it('401: one line, exit 3, the run kept queued, no secret anywhere', async () => {
    const ledgerDir = join(dir, 'ledger-401');
    const result = await cliAsync(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgerDir], {
      env: { MLFLOW_TRACKING_URI: refusing.uri, MLFLOW_TRACKING_TOKEN: TOKEN, ...FAST },
    });
    expect(result.code).toBe(3);
    // one error line (the 10-row sample also gets its small-sample warning line)
    const lines = result.stderr.trim().split('\n').filter((l) => !l.startsWith('driftcatcher: warning: sample too small'));
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^driftcatcher: MLflow server http:\/\/127\.0\.0\.1:\d+ refused the credentials \(401 UNAUTHENTICATED\).*kept queued in /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(refusing.seen[0]!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(refusing.seen).toHaveLength(1); // 401 is not retried

    const status = JSON.parse(cli(['mlflow', 'status', '--json', '--ledger-dir', ledgerDir]).stdout) as { queued: { last_error?: string }[] };
    expect(status.queued).toHaveLength(1);
    expect(status.queued[0]!.last_error).toMatch(/401/);

    // Basic auth, through `mlflow sync`: same answer, the password nowhere
    const userinfo = `http://alice:${PASSWORD}@${refusing.uri.slice('http://'.length)}`;
    const sync = await cliAsync(['mlflow', 'sync', '--ledger-dir', ledgerDir, '--tracking-uri', userinfo], { env: FAST });
    expect(sync.code).toBe(3);
    expect(sync.stderr.trim().split('\n')).toHaveLength(1);
    expect(refusing.seen.at(-1)!.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    for (const text of [result.stdout, result.stderr, sync.stdout, sync.stderr, ...filesUnder(ledgerDir).map((f) => f.text)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(Buffer.from(`alice:${PASSWORD}`).toString('base64'));
    }
    expect((await new Ledger(ledgerDir).queued())).toHaveLength(1);
  });
});

describe('the server killed and restarted', () => {
  it('runs made while it is down are queued, then `mlflow sync` delivers each exactly once', async () => {
    await waitForMlflow(own!.uri, own!.logFile);
    const ledgerDir = join(dir, 'ledger-restart');
    const env = { MLFLOW_TRACKING_URI: own!.uri, ...FAST };
    const first = await cliAsync(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgerDir], { env });
    expect(first.stderr).toMatch(/logged to MLflow/);

    await own!.kill();
    const down1 = await cliAsync(['check', '--baseline', profile, FLOWS_299, '--workers', '0', '--ledger-dir', ledgerDir], { env });
    const down2 = await cliAsync(['scan', '--baseline', profile, FLOWS_299, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgerDir], { env });
    for (const result of [down1, down2]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/cannot be reached .*queued in .*`driftcatcher mlflow sync` sends it later/);
    }
    const status = JSON.parse(cli(['mlflow', 'status', '--json', '--ledger-dir', ledgerDir]).stdout) as { queued: unknown[]; sent: number };
    expect(status.queued).toHaveLength(4);
    expect(status.sent).toBe(1);

    own = startMlflowServer(python, ownDir, ownPort);
    await waitForMlflow(own.uri, own.logFile);
    const sync = await cliAsync(['mlflow', 'sync', '--ledger-dir', ledgerDir], { env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/4 sent to .*, 0 still queued/);
    const again = await cliAsync(['mlflow', 'sync', '--ledger-dir', ledgerDir], { env });
    expect(again.stdout).toMatch(/nothing to send/);

    const local = await new Ledger(ledgerDir).list();
    const runs = readback(python, own.uri, { experiments: ['drift_monitoring'] }).experiments['drift_monitoring']!.runs;
    expect(runs).toHaveLength(5);
    expect(runs.map((r) => r.tags['driftcatcher.ledger_id']).sort()).toEqual(local.map((r) => r.id).sort());
    for (const run of runs) for (const history of Object.values(run.metrics)) expect(history).toHaveLength(1);
  });
});
