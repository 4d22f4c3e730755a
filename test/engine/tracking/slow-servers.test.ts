/**
 * A tracking server that is slow in any way costs a command at most the documented bound on one
 * request with its retries (DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS, 20 s by default), and the run is
 * queued with exit 0: real servers on 127.0.0.1 that accept and never answer, send headers and
 * then nothing, drip the body a byte a second, never end it, stall the TLS handshake, or declare a
 * 2 GiB body. `mlflow sync` against such a server exits 3 within the bound (runs stay queued);
 * a sync against the real MLflow server then sends each run, read back with MLflow's own client.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Ledger } from '../../../engine/tracking/index.js';
import { synthesize } from '../../../engine/synth/index.js';
import { HEAD_9998, SAMPLE_10, cli, tempDir } from '../../helpers.js';
import { waitForMlflow } from '../../setup/mlflow.js';
import { SLOW_WAYS as WAYS, cliAsync, readback, startSlowServer, unique, type SlowServer, type SlowWay as Way, type TimedCliResult } from './support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const dir = tempDir('dc-mlflow-slow-');
const profile = join(dir, 'profile.json');
const prefix = unique('slow_');

/** the bound the tests set (ms), and what a command may take beyond it: start-up, the check itself, a loaded machine */
const BOUND_MS = 3000;
const SLACK_MS = 6000;
/** a command still running after this is killed: the test fails instead of hanging */
const KILL_MS = 60_000;

const servers = new Map<Way, SlowServer>();
const checks = new Map<Way, TimedCliResult>();
let defaultBound: TimedCliResult;
let syncToSlow: TimedCliResult;
const others = new Map<string, { result: TimedCliResult; ledger: string }>();
const ledgerOf = (way: Way) => join(dir, `ledger-${WAYS.indexOf(way)}`);
/** `bound: null`: the documented default */
const envFor = (server: SlowServer, bound: number | null = BOUND_MS): Record<string, string> => ({
  MLFLOW_TRACKING_URI: server.uri,
  DRIFTCATCHER_EXPERIMENT_PREFIX: prefix,
  ...(bound === null ? {} : { DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS: String(bound) }),
});

beforeAll(async () => {
  // the real server first: its start-up would otherwise share the CPU with the timed commands
  await waitForMlflow(uri, inject('mlflowLog'));
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
  for (const way of WAYS) servers.set(way, await startSlowServer(way));
  const silent = servers.get('never answers')!;
  // every way at once (they mostly wait), and the documented default bound (20 s) against the silent server
  const runs = WAYS.map(async (way) => {
    checks.set(way, await cliAsync(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgerOf(way)], { env: envFor(servers.get(way)!), killAfterMs: KILL_MS }));
  });
  runs.push(
    (async () => {
      defaultBound = await cliAsync(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', join(dir, 'ledger-default')], { env: envFor(silent, null), killAfterMs: KILL_MS });
    })(),
  );
  await Promise.all(runs);
  syncToSlow = await cliAsync(['mlflow', 'sync', '--ledger-dir', ledgerOf('never answers')], { env: envFor(silent), killAfterMs: KILL_MS });
}, 180_000);

afterAll(async () => {
  for (const server of servers.values()) await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a slow tracking server costs a check at most the bound; the run is queued, exit 0', () => {
  it.each(WAYS)('%s', async (way) => {
    const result = checks.get(way)!;
    expect(result.killed, `still running after ${KILL_MS} ms`).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms, result.stderr).toBeLessThan(BOUND_MS + SLACK_MS);
    expect(servers.get(way)!.requests).toBeGreaterThan(0);
    // the 10-row batch also gets its small-sample warning line
    const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('driftcatcher: warning: '));
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^driftcatcher: MLflow server https?:\/\/127\.0\.0\.1:\d+ (did not answer|answered|cannot be reached).*; run drift_check_\d{8}_\d{6} queued in .*: `driftcatcher mlflow sync` sends it later$/);
    expect(result.stderr).not.toMatch(/internal error/);
    const queued = await new Ledger(ledgerOf(way)).queued();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.sync.last_error).toMatch(/MLflow server/);
  });

  it('a server that never answers is waited for the whole bound (the retries), no longer', () => {
    expect(checks.get('never answers')!.ms).toBeGreaterThanOrEqual(BOUND_MS - 100);
    expect(checks.get('never answers')!.stderr).toMatch(/did not answer GET \S+experiments\/get-by-name within 3 s/);
  });

  it('the default bound is 20 s', async () => {
    expect(defaultBound.killed).toBe(false);
    expect(defaultBound.code, defaultBound.stderr).toBe(0);
    expect(defaultBound.ms).toBeGreaterThanOrEqual(20_000 - 100);
    expect(defaultBound.ms).toBeLessThan(20_000 + SLACK_MS);
    expect(defaultBound.stderr).toMatch(/within 20 s .*queued in /);
    expect(await new Ledger(join(dir, 'ledger-default')).queued()).toHaveLength(1);
  });

  it('`mlflow sync` to a server that never answers: exit 3 within the bound, the run still queued', async () => {
    expect(syncToSlow.killed).toBe(false);
    expect(syncToSlow.code, syncToSlow.stderr).toBe(3);
    expect(syncToSlow.ms).toBeLessThan(BOUND_MS + SLACK_MS);
    expect(syncToSlow.stderr.trim().split('\n')).toHaveLength(1);
    expect(syncToSlow.stderr).toMatch(/^driftcatcher: MLflow server .* did not answer .*; 1 run\(s\) still queued\n$/);
    expect(syncToSlow.stdout).toMatch(/0 sent to .*, 1 still queued/);
    expect(await new Ledger(ledgerOf('never answers')).queued()).toHaveLength(1);
  });

  it('`mlflow sync --help` says when it exits 3', () => {
    const help = cli(['mlflow', 'sync', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/Exit status: 0 when everything queued was sent .* 3 when anything stays queued: the server could not be reached or answered too slowly \(DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS per request with its retries, 20 s\), refused the credentials, or rejected a run/);
  });
});

describe('scan, train, monitor and agent check record to a dripping server the same way', () => {
  const name = unique('slow_model_');
  /** each command's time with no tracking server at all, measured just after it: the bound is on top of that */
  const local = new Map<string, TimedCliResult>();

  beforeAll(async () => {
    const drip = servers.get('drips a byte a second')!;
    const train = join(dir, 'train.csv');
    await synthesize({ rows: 1500, seed: 5, out: train });
    const models = join(dir, 'models');
    const predictions = join(dir, 'predictions.csv');
    // one command at a time (on 2 cores two at once doubled each one's time), each followed by the
    // same command with no tracking server, into its own ledger, registry, history and state
    const run = async (label: string, args: (alone: string) => string[]) => {
      const ledger = join(dir, `ledger-${label}`);
      others.set(label, { result: await cliAsync([...args(''), '--ledger-dir', ledger], { env: envFor(drip), killAfterMs: KILL_MS }), ledger });
      local.set(label, await cliAsync([...args('-alone'), '--ledger-dir', `${ledger}-alone`], { env: { MLFLOW_TRACKING_URI: '' }, killAfterMs: KILL_MS }));
    };
    await run('scan', () => ['scan', '--baseline', profile, SAMPLE_10, HEAD_9998, '--workers', '0']);
    await run('train', (alone) => ['train', train, '--registry', models + alone, '--name', name, '--n-estimators', '3', '--workers', '0']);
    const predicted = cli(['predict', '--model', models, train, '-o', predictions]);
    expect(predicted.code, predicted.stderr).toBe(0);
    await run('monitor', (alone) => ['monitor', predictions, '--registry', models, '--name', name, '--history', join(dir, `history${alone}.jsonl`)]);
    await run('agent', (alone) => ['agent', 'check', '--data', SAMPLE_10, '--registry', models, '--name', name, '--state-dir', join(dir, `agent${alone}`), '--workers', '0', '--quiet']);
  }, 240_000);

  it.each(['scan', 'train', 'monitor', 'agent'])('%s: exit 0 within the bound, the runs queued', async (label) => {
    const { result, ledger } = others.get(label)!;
    const alone = local.get(label)!;
    expect(result.killed).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(alone.code, alone.stderr).toBe(0);
    // what the server cost the command: its time less the same command's with no server
    expect(result.ms - alone.ms, `${result.ms} ms against ${alone.ms} ms with no server\n${result.stderr}`).toBeLessThan(BOUND_MS + SLACK_MS);
    // the agent logs its own events (--quiet here), not the recording's
    if (label !== 'agent') expect(result.stderr).toMatch(/did not answer .* queued in /);
    expect(result.stderr).not.toMatch(/internal error/);
    expect((await new Ledger(ledger).queued()).length).toBeGreaterThan(0);
  });
});

describe('then a sync against the real server sends every queued run', () => {
  it('each ledger: exit 0, all sent, on the server once', async () => {
    const ledgers = [...WAYS.map(ledgerOf), join(dir, 'ledger-default'), ...[...others.values()].map((o) => o.ledger)];
    const ids: string[] = [];
    for (const ledger of ledgers) {
      const queued = await new Ledger(ledger).queued();
      expect(queued.length, ledger).toBeGreaterThan(0);
      ids.push(...queued.filter((r) => r.experiment === `${prefix}drift_monitoring`).map((r) => r.id));
      const sync = await cliAsync(['mlflow', 'sync', '--ledger-dir', ledger], { env: { MLFLOW_TRACKING_URI: uri }, killAfterMs: KILL_MS });
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stdout).toMatch(new RegExp(`${queued.length} sent to .*, 0 still queued`));
      expect(await new Ledger(ledger).queued()).toHaveLength(0);
    }
    const runs = readback(python, uri, { experiments: [`${prefix}drift_monitoring`] }).experiments[`${prefix}drift_monitoring`]!.runs;
    expect(runs.map((r) => r.tags['driftcatcher.ledger_id']).sort()).toEqual(ids.sort());
  }, 180_000);
});
