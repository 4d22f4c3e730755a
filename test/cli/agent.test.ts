/**
 * The retrain agent and the performance monitor through the built CLI, as real child processes:
 * `agent watch` over a folder (files already there, a file added later, a bad file logged as ERROR
 * without stopping the watch, SIGTERM -> exit 0 and WATCH_STOP, the state file still valid JSON),
 * `agent status --json`, `monitor --json` / `--fail-on degraded`, one-line usage errors (exit 2),
 * and the automatic retrain `agent check` starts on a drifted batch (then RETRAIN_COOLDOWN, alert,
 * cooldown under the rules).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { predictFile, promoteModel, trainModel } from '../../engine/model/index.js';
import { cliArgs, cli, readCsvText, tempDir, writeCsvText } from '../helpers.js';
import { cliAsync } from '../engine/tracking/support.js';

const dir = tempDir('dc-cli-agent-');
const registry = join(dir, 'models');
const files = {
  train: join(dir, 'train.csv'),
  quiet: join(dir, 'quiet.csv'),
  quiet2: join(dir, 'quiet2.csv'),
  drifted: join(dir, 'drifted.csv'),
  labelled: join(dir, 'labelled-drifted.csv'),
};

beforeAll(async () => {
  await synthesize({ rows: 2000, seed: 11, out: files.train });
  await synthesize({ rows: 600, seed: 12, out: files.quiet });
  await synthesize({ rows: 600, seed: 13, out: files.quiet2 });
  await synthesize({ rows: 600, seed: 14, drift: 'severe', out: files.drifted });
  await synthesize({ rows: 6000, seed: 15, drift: 'severe', out: files.labelled });
  await trainModel({ data: files.train, registry: registry, nEstimators: 10, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logLines(stateDir: string): any[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((n) => /^agent_\d{8}\.log$/.test(n))
    .sort()
    .flatMap((n) => readFileSync(join(stateDir, n), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l)));
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Put a file into the watched folder as the README says: a `.`-prefixed temp name, then rename. */
function drop(source: string | Buffer, folder: string, name: string): string {
  const tmp = join(folder, `.${name}.tmp`);
  writeFileSync(tmp, typeof source === 'string' ? readFileSync(source) : source);
  const target = join(folder, name);
  renameSync(tmp, target);
  return target;
}

/** Exactly one line on stderr, starting `driftcatcher: `. */
function oneLineError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^driftcatcher: /);
  return lines[0]!;
}

describe('agent watch (child process)', () => {
  it('checks existing and new files, survives a bad file, stops on SIGTERM with exit 0', async () => {
    const incoming = join(dir, 'incoming');
    const stateDir = join(dir, 'watch-state');
    rmSync(incoming, { recursive: true, force: true });
    mkdirSync(incoming, { recursive: true });
    drop(files.quiet, incoming, 'a-existing.csv');
    drop(files.drifted, incoming, 'b-existing-drifted.csv');
    writeFileSync(join(incoming, 'notes.txt'), 'not a data file\n');

    let stdout = '';
    let stderr = '';
    const child: ChildProcess = spawn(
      process.execPath,
      [...cliArgs(), 'agent', 'watch', incoming, '--interval', '200ms', '--registry', registry, '--state-dir', stateDir, '--no-record', '--workers', '0'],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1', ALERT_WEBHOOK_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    try {
      const checkedOk = (name: string) => () => logLines(stateDir).find((e) => e.event === 'CHECK_OK' && typeof e.file === 'string' && e.file.endsWith(name));
      // the files already in the folder
      const first = await until('a-existing.csv', checkedOk('a-existing.csv'));
      expect(first.action).toBe('wait');
      const second = await until('b-existing-drifted.csv', checkedOk('b-existing-drifted.csv'));
      expect(second.action).toBe('retrain');
      expect(second.taken).toBe('alert'); // no labelled data configured: the agent alerts (logged only)

      // a bad CSV (baseline features missing), garbage, then a good file: the watch goes on
      const csv = readCsvText(files.quiet2);
      const cut = { header: csv.header.split(',').slice(0, 5).join(','), rows: csv.rows.slice(0, 50).map((r) => r.split(',').slice(0, 5).join(',')), eol: csv.eol };
      const partial = writeCsvText(join(dir, 'partial.csv'), cut);
      drop(partial, incoming, 'c-missing-features.csv');
      drop(Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x01, 0x02, 0x0a]), incoming, 'd-garbage.csv');
      drop(files.quiet2, incoming, 'e-later.csv');
      const later = await until('e-later.csv', checkedOk('e-later.csv'));
      expect(later.action).toBe('wait');
      const errors = logLines(stateDir).filter((e) => e.event === 'ERROR');
      expect(errors.map((e) => e.file.replace(/^.*[\\/]/, '')).sort()).toEqual(['c-missing-features.csv', 'd-garbage.csv']);
      expect(errors.find((e) => e.file.endsWith('c-missing-features.csv')).message).toMatch(/feature ".+" of the baseline is missing/);
      expect(child.exitCode).toBeNull(); // still running
    } finally {
      child.kill('SIGTERM');
    }
    const { code, signal } = await exited;
    expect(signal, stderr).toBeNull();
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/stopped: \d+ poll\(s\), 3 checked, 2 failed/);

    const events = logLines(stateDir);
    expect(events[0].event).toBe('WATCH_START');
    expect(events[events.length - 1]).toMatchObject({ event: 'WATCH_STOP', checked: 3, failed: 2 });
    // each file checked once, the .txt and the temp names never
    const started = events.filter((e) => e.event === 'CHECK_START').map((e) => e.file.replace(/^.*[\\/]/, ''));
    expect(started).toEqual(['a-existing.csv', 'b-existing-drifted.csv', 'c-missing-features.csv', 'd-garbage.csv', 'e-later.csv']);

    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state.total_checks).toBe(5);
    expect(state.total_alerts).toBe(1);
    expect(state.drift_results).toHaveLength(3);
    const checked = Object.fromEntries(Object.entries(state.checked_files as Record<string, any>).map(([f, v]) => [f.replace(/^.*[\\/]/, ''), v]));
    expect(Object.keys(checked).sort()).toEqual(['a-existing.csv', 'b-existing-drifted.csv', 'c-missing-features.csv', 'd-garbage.csv', 'e-later.csv']);
    expect(checked['a-existing.csv'].action).toBe('wait');
    expect(checked['c-missing-features.csv'].error).toMatch(/missing/);
    expect(readdirSync(stateDir).filter((n) => n.endsWith('.lock'))).toEqual([]);

    // a second watch over the same state checks nothing again, and stops after SIGINT too
    const again = spawn(process.execPath, [...cliArgs(), 'agent', 'watch', incoming, '--interval', '1h', '--registry', registry, '--state-dir', stateDir, '--no-record', '--quiet'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let againOut = '';
    again.stdout!.setEncoding('utf8').on('data', (d: string) => (againOut += d));
    const againExit = new Promise<number | null>((resolve) => again.on('close', (c) => resolve(c)));
    await until('the second WATCH_START', () => logLines(stateDir).filter((e) => e.event === 'WATCH_START').length === 2);
    // let its first poll finish (nothing to check), then interrupt the hour-long sleep
    await new Promise((r) => setTimeout(r, 500));
    again.kill('SIGINT');
    expect(await againExit).toBe(0);
    expect(againOut).toMatch(/stopped: 1 poll\(s\), 0 checked, 0 failed/);
    expect(JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8')).total_checks).toBe(5);

    // agent status --json over that state
    const status = cli(['agent', 'status', '--json', '--registry', registry, '--state-dir', stateDir]);
    expect(status.code, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({ total_checks: 5, total_alerts: 1, total_retrains: 0, last_retrain_time: null, champion: { version: 1, alias: 'champion' } });
    expect(s.alert_cooldown_left_hours).toBeGreaterThan(5.9);
    expect(s.alert_cooldown_left_hours).toBeLessThanOrEqual(6);
    expect(s.retrain_cooldown_left_hours).toBe(0);
    expect(s.trend.recent).toHaveLength(3);
    expect(s.recent_results.map((r: any) => r.action)).toEqual(['wait', 'retrain', 'wait']);
    const text = cli(['agent', 'status', '--registry', registry, '--state-dir', stateDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/champion: ddos_random_forest v1 \(champion\)/);
    expect(text.stdout).toMatch(/checks 5, alerts 1, retrains 0/);
  });

  it('bad agent input: one line on stderr, exit 2', () => {
    const interval = cli(['agent', 'watch', dir, '--interval', 'banana']);
    expect(interval.code).toBe(2);
    expect(oneLineError(interval.stderr)).toMatch(/--interval.*interval must look like 30s, 15m or 1h, got "banana"/);
    const stateDir = join(dir, 'bad-state');
    const missing = cli(['agent', 'check', '--data', join(dir, 'nope.csv'), '--registry', registry, '--state-dir', stateDir, '--no-record', '--quiet']);
    expect(missing.code).toBe(2);
    expect(oneLineError(missing.stderr)).toMatch(/nope\.csv: no such file/);
    const noRegistry = cli(['agent', 'check', '--data', files.quiet, '--registry', join(dir, 'no-models'), '--state-dir', stateDir, '--no-record', '--quiet']);
    expect(noRegistry.code).toBe(2);
    expect(oneLineError(noRegistry.stderr)).toMatch(/no model registry here/);
    const retrain = cli(['agent', 'retrain', '--new-labeled-data', files.labelled, '--registry', registry, '--state-dir', stateDir, '--no-record', '--quiet']);
    expect(retrain.code).toBe(2);
    expect(oneLineError(retrain.stderr)).toMatch(/--base-data/);
    // options a command does not use are not offered: status neither trains nor alerts
    const needs: Record<string, string[]> = { status: [], retrain: ['--new-labeled-data', files.labelled], watch: [dir] };
    for (const [command, option] of [['status', '--webhook-url'], ['status', '--n-estimators'], ['retrain', '--labeled-data'], ['watch', '--fail-on']] as const) {
      const rejected = cli(['agent', command, ...needs[command]!, option, 'x', '--state-dir', stateDir]);
      expect(rejected.code, `${command} ${option}`).toBe(2);
      expect(oneLineError(rejected.stderr)).toMatch(new RegExp(`unknown option '${option}'`));
    }
  });

  it('the flag vocabulary: agent check FILE and --new-data; --data, --labeled-data and --new-labeled-data still work, hidden from --help', () => {
    const stateDir = join(dir, 'flags-state');
    const common = ['--registry', registry, '--state-dir', stateDir, '--no-record', '--workers', '0', '--quiet', '--json'];
    const positional = cli(['agent', 'check', files.quiet, ...common]);
    expect(positional.code, positional.stderr).toBe(0);
    const old = cli(['agent', 'check', '--data', files.quiet, '--labeled-data', files.labelled, ...common]);
    expect(old.code, old.stderr).toBe(0);
    for (const r of [positional, old]) expect(JSON.parse(r.stdout)).toMatchObject({ file: files.quiet, action: 'wait', taken: 'none' });
    expect(oneLineError(cli(['agent', 'check', ...common]).stderr)).toMatch(/agent check needs the data to check/);
    // retrain: both spellings reach the engine, which names the missing option by its flag
    for (const spelling of ['--new-data', '--new-labeled-data']) {
      const retrain = cli(['agent', 'retrain', spelling, files.labelled, '--registry', registry, '--state-dir', stateDir, '--no-record', '--quiet']);
      expect(retrain.code, spelling).toBe(2);
      expect(oneLineError(retrain.stderr)).toBe('driftcatcher: --base-data: needs the labelled data the model was trained on');
    }
    expect(oneLineError(cli(['agent', 'retrain', '--base-data', files.train, '--registry', registry, '--state-dir', stateDir, '--quiet']).stderr)).toBe('driftcatcher: --new-data: needs at least one file of new labelled data');
    // help text with its line wrapping undone
    const help = (command: string) => cli(['agent', command, '--help']).stdout.replace(/\s+/g, ' ');
    const checkHelp = help('check');
    expect(checkHelp).toContain('agent check [options] [data]');
    expect(checkHelp).toContain('--new-data <files...> new labelled files to retrain with');
    expect(checkHelp).not.toMatch(/--labeled-data|--data\b/);
    // --help shows the defaults of engine/agent (AGENT_DEFAULTS)
    expect(checkHelp).toContain('--min-retrain-hours <h> at least this long between retrains (default: 24)');
    expect(checkHelp).toContain('--alert-cooldown-hours <h> at least this long between alerts (default: 6)');
    expect(checkHelp).toMatch(/--registry <dir> [^-]*\(default: "models"\)/);
    expect(checkHelp).toContain('--n-estimators <n> trees when retraining (default: 100)');
    const retrainHelp = help('retrain');
    expect(retrainHelp).toContain('--new-data <files...> new labelled files');
    expect(retrainHelp).not.toMatch(/--new-labeled-data/);
    expect(help('watch')).toContain('--interval <time> time between polls: 30s, 15m, 1h (default: 1h)');
  });

  it('agent watch of a folder that does not exist, or of a file: one line, exit 2, at once', () => {
    const stateDir = join(dir, 'watch-bad-state');
    const watch = (target: string) => {
      // the old behaviour was to poll for ever: a time limit turns that into a failure, not a hang
      const run = spawnSync(process.execPath, [...cliArgs(), 'agent', 'watch', target, '--interval', '100ms', '--registry', registry, '--state-dir', stateDir, '--no-record'], { cwd: dir, encoding: 'utf8', timeout: 15_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(run.signal, 'still polling after 15 s').toBeNull();
      return { code: run.status, stderr: run.stderr };
    };
    const missing = watch('nodir/');
    expect(missing.code).toBe(2);
    expect(oneLineError(missing.stderr)).toBe('driftcatcher: nodir/: no such folder to watch');
    const file = watch(files.quiet);
    expect(file.code).toBe(2);
    expect(oneLineError(file.stderr)).toBe(`driftcatcher: ${files.quiet}: is a file, expected a folder to watch`);
    const control = watch('no\u0007dir');
    expect(control.code).toBe(2);
    expect(oneLineError(control.stderr)).toBe('driftcatcher: no\\x07dir: no such folder to watch');
    expect(logLines(stateDir).filter((e) => e.event === 'WATCH_START')).toEqual([]);
  });

  it('agent check: --top, --json, --fail-on do what they say; a tiny batch carries the small-sample warning', () => {
    const stateDir = join(dir, 'check-options-state');
    const base = ['agent', 'check', '--registry', registry, '--state-dir', stateDir, '--no-record', '--workers', '0', '--quiet'];
    const text = cli([...base, '--data', files.drifted, '--top', '3']);
    expect(text.code, text.stderr).toBe(0);
    const tableRows = text.stdout.split('\n').filter((l) => /^\d+\s+\S/.test(l));
    expect(tableRows).toHaveLength(3);
    const json = cli([...base, '--data', files.drifted, '--top', '4', '--json']);
    const result = JSON.parse(json.stdout);
    expect(result.top_features).toHaveLength(4);
    expect(result.top_features[0]).toEqual({ name: expect.any(String), psi: expect.any(Number), score: expect.any(Number), drifted: true });
    expect(tableRows[0]).toContain(result.top_features[0].name);
    expect(result.small_sample).toBeNull();
    // --fail-on: exit 1 at or above the verdict, 0 below it
    expect(cli([...base, '--data', files.drifted, '--fail-on', 'retrain']).code).toBe(1);
    expect(cli([...base, '--data', files.quiet, '--fail-on', 'alert']).code).toBe(0);
    expect(cli([...base, '--data', files.drifted, '--fail-on', 'alert', '--json']).code).toBe(1);

    const csv = readCsvText(files.quiet);
    const tiny = writeCsvText(join(dir, 'tiny.csv'), { ...csv, rows: csv.rows.slice(0, 10) });
    const small = cli([...base, '--data', tiny, '--json']);
    expect(small.code, small.stderr).toBe(0);
    const r = JSON.parse(small.stdout);
    expect(r.small_sample).toMatchObject({ rows: 10, limit: 0.1 });
    expect(r.small_sample.min_rows).toBeGreaterThan(10);
    expect(small.stderr).toContain(`driftcatcher: warning: ${r.small_sample.message}`);
    expect(logLines(stateDir).filter((e) => e.event === 'CHECK_OK').pop().small_sample).toBe(r.small_sample.message);
  });
});

describe('monitor (child process)', () => {
  it('--json reports the metrics against the champion; --fail-on degraded exits 1 only when degraded', async () => {
    const predictions = join(dir, 'pred-v1-drifted.csv');
    await predictFile({ model: `${registry}@1`, data: files.drifted, out: predictions });
    const history = join(dir, 'history.jsonl');
    const ledger = join(dir, 'monitor-ledger');
    const report = cli(['monitor', predictions, '--json', '--registry', registry, '--history', history, '--ledger-dir', ledger]);
    expect(report.code, report.stderr).toBe(0);
    const r = JSON.parse(report.stdout);
    expect(r.rows).toBe(600);
    expect(r.champion).toMatchObject({ version: 1, alias: 'champion' });
    expect(typeof r.champion.training.f1_score).toBe('number');
    const m = r.metrics.confusion_matrix;
    expect(m.true_negatives + m.false_positives + m.false_negatives + m.true_positives).toBe(600);
    expect(r.metrics.accuracy).toBeCloseTo((m.true_negatives + m.true_positives) / 600, 12);
    expect(r.metrics.roc_auc).not.toBeNull();
    expect(report.stderr).toMatch(/^driftcatcher: /);
    const lines = readFileSync(history, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).metrics.accuracy).toBe(r.metrics.accuracy);

    // hand-made predictions: all right (healthy), then mostly wrong (degraded)
    const healthy = join(dir, 'healthy.csv');
    writeFileSync(healthy, 'y_true,y_pred,y_prob\n' + Array.from({ length: 40 }, (_, i) => (i % 2 ? '1,1,0.9' : '0,0,0.1')).join('\n') + '\n');
    const degraded = join(dir, 'degraded.jsonl');
    writeFileSync(degraded, Array.from({ length: 40 }, (_, i) => JSON.stringify({ y_true: i % 2, y_pred: i % 3 === 0 ? 1 - (i % 2) : i % 2 })).join('\n') + '\n');
    const ok = cli(['monitor', healthy, '--json', '--fail-on', 'degraded', '--no-record']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'healthy', action: 'none', violations: [] });
    const bad = cli(['monitor', degraded, '--json', '--fail-on', 'degraded', '--no-record']);
    expect(bad.code, bad.stderr).toBe(1);
    const b = JSON.parse(bad.stdout);
    expect(b).toMatchObject({ status: 'degraded', action: 'retrain' });
    expect(b.violations.map((v: any) => v.metric)).toContain('accuracy');
    // without --fail-on a degraded model is still exit 0; a threshold option changes the verdict
    expect(cli(['monitor', degraded, '--no-record']).code).toBe(0);
    const loose = cli(['monitor', degraded, '--json', '--fail-on', 'degraded', '--no-record', '--min-accuracy', '0', '--min-precision', '0', '--min-recall', '0', '--max-fpr', '1', '--max-fnr', '1']);
    expect(loose.code).toBe(0);
    expect(JSON.parse(loose.stdout).status).toBe('healthy');
  });

  it('bad monitor input: one line on stderr, exit 2', () => {
    const missing = cli(['monitor', join(dir, 'none.csv'), '--no-record']);
    expect(missing.code).toBe(2);
    expect(oneLineError(missing.stderr)).toMatch(/none\.csv: no such file/);
    const bad = join(dir, 'bad-pred.csv');
    writeFileSync(bad, 'y_true,y_pred\n1,1\n2,0\n');
    const value = cli(['monitor', bad, '--no-record']);
    expect(value.code).toBe(2);
    expect(oneLineError(value.stderr)).toMatch(/bad-pred\.csv:3: column "y_true"/);
    const option = cli(['monitor', bad, '--fail-on', 'sometimes']);
    expect(option.code).toBe(2);
    oneLineError(option.stderr);
  });
});

describe('agent check retrains by itself (child process)', () => {
  it('drifted batch -> retrain and promote; inside the retrain cooldown -> RETRAIN_COOLDOWN and alert, then cooldown', async () => {
    const models = join(dir, 'auto-models');
    const stateDir = join(dir, 'auto-state');
    await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
    await promoteModel(1, { registry: models });
    // the data as the argument and --new-data: the flag vocabulary (the old spellings are tested below)
    const args = (data: string) => ['agent', 'check', data, '--json', '--registry', models, '--state-dir', stateDir, '--no-record', '--workers', '0', '--new-data', files.labelled, '--base-data', files.train, '--n-estimators', '10', '--train-workers', '0', '--seed', '7'];

    const quiet = await cliAsync(args(files.quiet));
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(JSON.parse(quiet.stdout)).toMatchObject({ action: 'wait', taken: 'none' });

    const first = await cliAsync(args(files.drifted));
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout);
    expect(r1).toMatchObject({ action: 'retrain', taken: 'retrain', model: { version: 1, alias: 'champion' } });
    expect(r1.alert).toBeUndefined();
    expect(r1.retrain).toMatchObject({ status: 'promoted', version: 2, champion_version: 1, metric: 'f1_score' });
    expect(r1.retrain.challenger_score).toBeGreaterThanOrEqual(r1.retrain.champion_score);
    expect(r1.retrain.holdout_rows).toBeGreaterThan(1000);
    expect(first.stderr).toMatch(/RETRAIN_START/);
    expect(first.stderr).toMatch(/RETRAIN_SUCCESS/);
    const registryFile = JSON.parse(readFileSync(join(models, 'registry.json'), 'utf8'));
    expect(JSON.stringify(registryFile)).toMatch(/"champion":\s*2/);

    // v2's baseline is the drifted data: the original distribution is now the drifted one
    const second = await cliAsync(args(files.quiet2));
    expect(second.code, second.stderr).toBe(0);
    const r2 = JSON.parse(second.stdout);
    expect(r2).toMatchObject({ action: 'retrain', taken: 'alert', model: { version: 2, alias: 'champion' } });
    expect(r2.retrain).toBeUndefined();
    expect(r2.alert).toMatchObject({ delivered: false });
    expect(second.stderr).toMatch(/RETRAIN_COOLDOWN retrain not started: last retrain/);

    // and once more: inside both cooldowns
    const third = await cliAsync(args(files.quiet));
    expect(third.code, third.stderr).toBe(0);
    const r3 = JSON.parse(third.stdout);
    expect(r3).toMatchObject({ action: 'retrain', taken: 'cooldown' });
    expect(r3.state).toMatchObject({ total_checks: 4, total_alerts: 1, total_retrains: 1 });

    const events = logLines(stateDir).map((e) => e.event);
    expect(events.filter((e) => e === 'RETRAIN_START')).toHaveLength(1);
    expect(events.filter((e) => e === 'RETRAIN_SUCCESS')).toHaveLength(1);
    expect(events.filter((e) => e === 'RETRAIN_COOLDOWN')).toHaveLength(2);
    expect(events.filter((e) => e === 'ALERT')).toHaveLength(1);
    expect(events.filter((e) => e === 'ALERT_COOLDOWN')).toHaveLength(1);
    expect(events).not.toContain('RETRAIN_FAILED');
    const success = logLines(stateDir).find((e) => e.event === 'RETRAIN_SUCCESS');
    expect(success).toMatchObject({ version: 2, champion_version: 1, promoted: true });
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state.drift_results.map((r: any) => r.taken)).toEqual(['none', 'retrain', 'alert', 'cooldown']);
    expect(state.last_retrain_time).not.toBeNull();

    // outside the cooldown (0 hours) the next drifted check retrains again: v3
    const fourth = await cliAsync([...args(files.quiet), '--min-retrain-hours', '0']);
    expect(fourth.code, fourth.stderr).toBe(0);
    const r4 = JSON.parse(fourth.stdout);
    expect(r4.taken).toBe('retrain');
    expect(r4.retrain.version).toBe(3);
  });

  it('two agents checking a drifted batch at once start one retrain between them', async () => {
    const models = join(dir, 'race-models');
    const stateDir = join(dir, 'race-state');
    await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
    await promoteModel(1, { registry: models });
    const args = ['agent', 'check', '--data', files.drifted, '--json', '--registry', models, '--state-dir', stateDir, '--no-record', '--workers', '0', '--labeled-data', files.labelled, '--base-data', files.train, '--n-estimators', '10', '--train-workers', '0', '--quiet'];
    const results = await Promise.all([cliAsync(args), cliAsync(args)]);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const taken = results.map((r) => JSON.parse(r.stdout).taken);
    // the other one alerts (it decided while the first trained) or, had it started late, finds v2 quiet
    expect(taken.filter((t) => t === 'retrain'), JSON.stringify(taken)).toHaveLength(1);
    const events = logLines(stateDir).map((e) => e.event);
    expect(events.filter((e) => e === 'RETRAIN_START')).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state).toMatchObject({ total_checks: 2, total_retrains: 1 });
    const versions = JSON.parse(readFileSync(join(models, 'registry.json'), 'utf8')).versions;
    expect(versions).toHaveLength(2);
  });

  it('a retrain that fails is logged, does not fail the check and does not start the cooldown', async () => {
    const models = join(dir, 'fail-models');
    const stateDir = join(dir, 'fail-state');
    await trainModel({ data: files.train, registry: models, nEstimators: 10, workers: 0, seed: 7 });
    await promoteModel(1, { registry: models });
    const noLabels = join(dir, 'no-labels.csv');
    const csv = readCsvText(files.quiet);
    writeCsvText(noLabels, { header: csv.header.split(',').slice(0, 5).join(','), rows: csv.rows.map((r) => r.split(',').slice(0, 5).join(',')), eol: csv.eol });
    const result = await cliAsync(['agent', 'check', '--data', files.drifted, '--json', '--registry', models, '--state-dir', stateDir, '--no-record', '--workers', '0', '--labeled-data', noLabels, '--base-data', files.train, '--n-estimators', '10', '--train-workers', '0', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const r = JSON.parse(result.stdout);
    expect(r).toMatchObject({ action: 'retrain', taken: 'retrain' });
    expect(r.retrain).toBeUndefined();
    const events = logLines(stateDir).map((e) => e.event);
    expect(events).toContain('RETRAIN_FAILED');
    expect(events).not.toContain('RETRAIN_SUCCESS');
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(state).toMatchObject({ total_checks: 1, total_retrains: 0, last_retrain_time: null });
    expect(JSON.parse(readFileSync(join(models, 'registry.json'), 'utf8')).versions).toHaveLength(1);
  });
});
