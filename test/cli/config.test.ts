/**
 * Settings (cli/settings.ts) end to end through the built CLI: precedence flag > environment >
 * config file > default for each layer, seen in what the commands do (the threshold a check
 * used, the ledger a run went to, the webhook a real HTTP server on 127.0.0.1 received), `config
 * show` (values, sources, secrets redacted), bad config files and environment values (one line
 * naming file:line and key, exit 2), `init ci` (temp + rename, no overwrite without --force) and
 * `init cron` (the line; --install through the real crontab of a throw-away user). The workflow's
 * YAML is parsed by PyYAML in test/reference/init-ci.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FLOWS_299, HEAD_9998, ROOT, cli, cliArgs, tempDir } from '../helpers.js';

const root = tempDir('dc-cli-config-');
/** The tests that start many CLI processes: minutes on a loaded machine (seconds on a quiet one). */
const SLOW = 300_000;
vi.setConfig({ testTimeout: SLOW, hookTimeout: SLOW });
const profile = join(root, 'profile.json');
const trainCsv = join(root, 'train.csv');
const batchCsv = join(root, 'batch.csv');

/** Every variable a setting reads, removed, so that only what a test sets applies. */
const SETTING_VARS = ['DRIFT_THRESHOLD', 'REFERENCE_WINDOW_DAYS', 'ALERT_ON_DRIFT', 'ALERT_ON_TRAINING', 'ALERT_WEBHOOK_URL', 'DRIFTCATCHER_REPORTS_DIR', 'MLFLOW_TRACKING_URI', 'DRIFTCATCHER_HOME', 'DRIFTCATCHER_EXPERIMENT_PREFIX', 'MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_TOKEN'];
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of SETTING_VARS) delete env[name];
  // the ledger stays out of the repository unless a test says where it goes
  return { DRIFTCATCHER_HOME: join(root, 'home'), ...env, ...extra };
}

/** A fresh working directory, with a config file when `file` is given (name -> text). */
let dirs = 0;
function workdir(files: Record<string, string> = {}): string {
  const dir = join(root, `wd-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The CLI in `cwd` with exactly `env` (spawnSync: the test's own servers cannot answer meanwhile). */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) {
  const result = spawnSync(process.execPath, [...cliArgs(), ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same without blocking this process, for runs that talk to a server the test holds. */
function runAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const servers: Server[] = [];
/** A webhook receiver on 127.0.0.1 (answers 200); the JSON bodies it got. */
async function webhook(): Promise<{ url: string; bodies: any[] }> {
  const bodies: any[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/SECRET-hook-path`, bodies };
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

beforeAll(() => {
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
  // a drifted batch (verdict alert or retrain) and a small labelled training set
  for (const [out, drift, rows] of [[batchCsv, 'severe', '400'], [trainCsv, 'none', '600']] as const) {
    const synth = cli(['synth', '-o', out, '--rows', rows, '--drift', drift, '--seed', '5']);
    expect(synth.code, synth.stderr).toBe(0);
  }
});

/** The threshold a `check --json` used (its settings), run in `cwd`. */
function checkThreshold(cwd: string, env: NodeJS.ProcessEnv, extra: string[] = []): number {
  const result = run(['check', '--baseline', profile, FLOWS_299, '--json', '--workers', '0', '--no-record', ...extra], cwd, env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).settings.threshold;
}

/** `config show --json` in `cwd`: the settings by key. */
function shown(cwd: string, env: NodeJS.ProcessEnv = cleanEnv(), extra: string[] = []): Record<string, { value: unknown; source: string }> {
  const result = run(['config', 'show', '--json', ...extra], cwd, env);
  expect(result.code, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as { settings: Array<{ key: string; value: unknown; source: string }> };
  return Object.fromEntries(parsed.settings.map((s) => [s.key, { value: s.value, source: s.source }]));
}

describe('precedence: flag > environment > config file > default', () => {
  it('drift.threshold: each layer decides the threshold the check uses when the ones above it are absent', () => {
    // the default: PSI's own threshold, as the check reports it without any setting
    const byDefault = checkThreshold(workdir(), cleanEnv());
    const toml = workdir({ 'driftcatcher.toml': '[drift]\nthreshold = 0.25\n' });
    const json = workdir({ 'driftcatcher.json': JSON.stringify({ drift: { threshold: 0.27 } }, null, 2) });
    expect(checkThreshold(toml, cleanEnv())).toBe(0.25);
    expect(checkThreshold(json, cleanEnv())).toBe(0.27);
    expect(checkThreshold(toml, cleanEnv({ DRIFT_THRESHOLD: '0.3' }))).toBe(0.3);
    expect(checkThreshold(toml, cleanEnv({ DRIFT_THRESHOLD: '0.3' }), ['--threshold', '0.35'])).toBe(0.35);
    // a blank variable is unset
    expect(checkThreshold(toml, cleanEnv({ DRIFT_THRESHOLD: ' ' }))).toBe(0.25);
    expect([0.25, 0.27, 0.3, 0.35]).not.toContain(byDefault);
    // and config show says where each came from
    expect(shown(workdir())['drift.threshold']).toEqual({ value: null, source: 'default' });
    expect(shown(toml)['drift.threshold']).toEqual({ value: 0.25, source: 'file' });
    expect(shown(toml, cleanEnv({ DRIFT_THRESHOLD: '0.3' }))['drift.threshold']).toEqual({ value: 0.3, source: 'env' });
    expect(shown(toml, cleanEnv({ DRIFT_THRESHOLD: '0.3' }), ['--threshold', '0.35'])['drift.threshold']).toEqual({ value: 0.35, source: 'flag' });
  }, SLOW);

  it('drift.method from the file replaces the default, and a flag the file', () => {
    const dir = workdir({ 'driftcatcher.toml': 'drift.method = "hellinger"\n' });
    const fromFile = run(['check', '--baseline', profile, FLOWS_299, '--json', '--workers', '0', '--no-record'], dir);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout).settings.method).toBe('hellinger');
    const fromFlag = run(['check', '--baseline', profile, FLOWS_299, '--json', '--workers', '0', '--no-record', '--method', 'jensenshannon'], dir);
    expect(JSON.parse(fromFlag.stdout).settings.method).toBe('jensenshannon');
  });

  it('tracking.ledger_dir: the run goes to the flag\'s ledger, else $DRIFTCATCHER_HOME\'s, else the file\'s', () => {
    const dir = workdir({ 'driftcatcher.toml': '[tracking]\nledger_dir = "from-file"\n' });
    const runsIn = (ledger: string) => (existsSync(join(ledger, 'runs')) ? readdirSync(join(ledger, 'runs')).length : 0);
    const env = cleanEnv();
    delete env['DRIFTCATCHER_HOME'];
    const check = (e: NodeJS.ProcessEnv, extra: string[] = []) => {
      const result = run(['check', '--baseline', profile, FLOWS_299, '--workers', '0', ...extra], dir, e);
      expect(result.code, result.stderr).toBe(0);
    };
    check(env);
    expect(runsIn(join(dir, 'from-file'))).toBe(1);
    const home = join(root, 'env-home');
    check({ ...env, DRIFTCATCHER_HOME: home });
    expect(runsIn(home)).toBe(1);
    check({ ...env, DRIFTCATCHER_HOME: home }, ['--ledger-dir', join(root, 'flag-ledger')]);
    expect(runsIn(join(root, 'flag-ledger'))).toBe(1);
    expect([runsIn(join(dir, 'from-file')), runsIn(home)]).toEqual([1, 1]);
  });

  it('reports.dir and reference.window_days: environment > file > default', () => {
    const dir = workdir({ 'driftcatcher.toml': '[reports]\ndir = "html"\n[reference]\nwindow_days = 14\n' });
    expect(shown(workdir())['reports.dir']).toEqual({ value: 'driftcatcher-reports', source: 'default' });
    expect(shown(dir)['reports.dir']).toEqual({ value: 'html', source: 'file' });
    expect(shown(dir, cleanEnv({ DRIFTCATCHER_REPORTS_DIR: '/srv/reports' }))['reports.dir']).toEqual({ value: '/srv/reports', source: 'env' });
    expect(shown(workdir())['reference.window_days']).toEqual({ value: 30, source: 'default' });
    expect(shown(dir)['reference.window_days']).toEqual({ value: 14, source: 'file' });
    expect(shown(dir, cleanEnv({ REFERENCE_WINDOW_DAYS: '7' }))['reference.window_days']).toEqual({ value: 7, source: 'env' });
    expect(shown(dir, cleanEnv({ REFERENCE_WINDOW_DAYS: '7' }), ['--reference-days', '3'])['reference.window_days']).toEqual({ value: 3, source: 'flag' });
  }, SLOW);

  it('reports.dir: a check writes its HTML report there when the folder is set, and nowhere when it is not', () => {
    const dir = workdir({ 'driftcatcher.toml': '[reports]\ndir = "html"\n' });
    const noFolder = workdir();
    const base = ['check', '--baseline', profile, FLOWS_299, '--json', '--workers', '0', '--no-record'];
    expect(run(base, noFolder, cleanEnv()).code).toBe(0);
    expect(readdirSync(noFolder)).toEqual([]);
    expect(run(base, dir, cleanEnv()).code).toBe(0);
    const written = readdirSync(join(dir, 'html'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/^friday-ddos-flows-299\.csv\.\d{8}T\d{6}Z\.html$/);
    expect(readFileSync(join(dir, 'html', written[0]!), 'utf8')).toMatch(/^<!doctype html>/i);
    // the environment's folder wins over the file's
    const envDir = join(dir, 'from-env');
    expect(run(base, dir, cleanEnv({ DRIFTCATCHER_REPORTS_DIR: envDir })).code).toBe(0);
    expect(readdirSync(envDir)).toHaveLength(1);
    expect(readdirSync(join(dir, 'html'))).toHaveLength(1);
  }, SLOW);
});

describe('alerts on drift and after training', () => {
  it('ALERT_ON_DRIFT: check posts a drifted verdict to the webhook; the file turns it on too; --no-alert-on-drift turns it off', async () => {
    const hook = await webhook();
    const dir = workdir();
    const args = ['check', '--baseline', profile, batchCsv, '--json', '--workers', '0', '--no-record'];
    const on = await runAsync(args, dir, cleanEnv({ ALERT_ON_DRIFT: 'true', ALERT_WEBHOOK_URL: hook.url }));
    expect(on.code, on.stderr).toBe(0);
    const report = JSON.parse(on.stdout);
    expect(report.action).not.toBe('wait');
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ event: 'drift_alert', verdict: report.action, overall_score: report.overall_score, n_drifted_features: report.n_drifted_features });
    expect(on.stderr).toMatch(/alert sent/);
    expect(on.stderr + on.stdout).not.toContain('SECRET');

    const off = await runAsync([...args, '--no-alert-on-drift'], dir, cleanEnv({ ALERT_ON_DRIFT: 'true', ALERT_WEBHOOK_URL: hook.url }));
    expect(off.code, off.stderr).toBe(0);
    const fileOn = await runAsync(args, workdir({ 'driftcatcher.toml': '[alert]\non_drift = true\nformat = "slack"\n' }), cleanEnv({ ALERT_WEBHOOK_URL: hook.url }));
    expect(fileOn.code, fileOn.stderr).toBe(0);
    expect(hook.bodies).toHaveLength(2);
    expect(hook.bodies[1].text).toMatch(/RETRAIN|ALERT/);
    // the environment's "false" beats the file's true
    const envOff = await runAsync(args, workdir({ 'driftcatcher.toml': '[alert]\non_drift = true\n' }), cleanEnv({ ALERT_ON_DRIFT: '0', ALERT_WEBHOOK_URL: hook.url }));
    expect(envOff.code, envOff.stderr).toBe(0);
    expect(hook.bodies).toHaveLength(2);
    // on without a webhook: one warning, no failure
    const noHook = run(args, dir, cleanEnv({ ALERT_ON_DRIFT: 'yes' }));
    expect(noHook.code, noHook.stderr).toBe(0);
    expect(noHook.stderr).toMatch(/ALERT_ON_DRIFT is on but no webhook is set/);
  }, SLOW);

  it('ALERT_ON_TRAINING: train posts the version and its test metrics, as train --json reports them', async () => {
    const hook = await webhook();
    const dir = workdir();
    const trained = await runAsync(['train', trainCsv, '--registry', join(dir, 'models'), '--n-estimators', '2', '--workers', '0', '--no-record', '--json'], dir, cleanEnv({ ALERT_ON_TRAINING: '1', ALERT_WEBHOOK_URL: hook.url }));
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout);
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ event: 'training_completed', model: { name: result.registered_model, version: result.version, type: result.model_type }, train_rows: result.data.train_rows, test_rows: result.data.test_rows });
    for (const name of ['roc_auc', 'accuracy', 'precision', 'recall', 'f1_score']) expect(hook.bodies[0].metrics[name]).toBe(result.metrics[name]);
    // off by default
    const quiet = await runAsync(['train', trainCsv, '--registry', join(dir, 'models'), '--n-estimators', '2', '--workers', '0', '--no-record'], dir, cleanEnv({ ALERT_WEBHOOK_URL: hook.url }));
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(hook.bodies).toHaveLength(1);
  }, SLOW);
});

describe('config show', () => {
  it('prints every setting with its source; tokens, passwords, webhook URLs and URL credentials are redacted', () => {
    const dir = workdir({ 'driftcatcher.toml': '[tracking]\nuri = "http://alice:SECRET-in-uri@mlflow.example:5000"\n[alert]\nformat = "discord"\n' });
    const env = cleanEnv({ MLFLOW_TRACKING_TOKEN: 'SECRET-token', MLFLOW_TRACKING_PASSWORD: 'SECRET-password', ALERT_WEBHOOK_URL: 'https://hooks.example.com/services/SECRET-path' });
    for (const args of [['config', 'show'], ['config', 'show', '--json']]) {
      const result = run(args, dir, env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout + result.stderr).not.toContain('SECRET');
    }
    const settings = shown(dir, env);
    expect(settings['tracking.uri']).toEqual({ value: 'http://mlflow.example:5000', source: 'file' });
    expect(settings['tracking.token']).toEqual({ value: '<redacted>', source: 'env' });
    expect(settings['tracking.password']).toEqual({ value: '<redacted>', source: 'env' });
    expect(settings['alert.webhook_url']).toEqual({ value: 'https://hooks.example.com/<redacted>', source: 'env' });
    expect(settings['alert.format']).toEqual({ value: 'discord', source: 'file' });
    expect(settings['drift.method']).toEqual({ value: 'psi', source: 'default' });
    // the text form names the file and has one row per setting
    const text = run(['config', 'show'], dir, env).stdout;
    expect(text).toMatch(/^config file: driftcatcher\.toml$/m);
    expect(text).toMatch(/^alert\.format\s+discord\s+file\s+--alert-format$/m);
    expect(text).toMatch(/^drift\.threshold\s+\(the method's \(psi 0\.2,.*\)\s+default\s+DRIFT_THRESHOLD\s+--threshold$/m);
    for (const key of Object.keys(settings)) expect(text).toMatch(new RegExp(`^${key.replace('.', '\\.')}\\s`, 'm'));
  });
});

describe('docs/CONFIG.md', () => {
  it('has a row for every setting config show lists, with its environment variable and flag', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'CONFIG.md'), 'utf8');
    const result = run(['config', 'show', '--json'], workdir());
    const settings = JSON.parse(result.stdout).settings as Array<{ key: string; env: string | null; flag: string | null }>;
    expect(settings.length).toBeGreaterThan(10);
    for (const s of settings) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${s.key}\` |`));
      expect(row, s.key).toBeDefined();
      if (s.env) expect(row, s.key).toContain(`\`${s.env}\``);
      if (s.flag) expect(row, s.key).toContain(`\`${s.flag}\``);
    }
  });
});

describe('bad configuration: one line naming file:line and key (or the variable), exit 2', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown key', { 'driftcatcher.toml': '# settings\n[drift]\nthreshhold = 0.2\n' }, /^driftcatcher: driftcatcher\.toml:3: unknown key "drift\.threshhold" \(known: drift\.method, /],
    ['an unknown section', { 'driftcatcher.toml': '[drift]\nthreshold = 0.2\n\n[alerts]\non_drift = true\n' }, /^driftcatcher: driftcatcher\.toml:4: unknown key "alerts" /],
    ['a wrong type', { 'driftcatcher.toml': '[drift]\n\nthreshold = "0.2"\n' }, /^driftcatcher: driftcatcher\.toml:3: drift\.threshold must be a number, got a string \("0\.2"\)$/],
    ['a boolean as text', { 'driftcatcher.toml': '[alert]\non_drift = "yes"\n' }, /^driftcatcher: driftcatcher\.toml:2: alert\.on_drift must be a boolean, got a string/],
    ['a value outside the choices', { 'driftcatcher.toml': '[drift]\nmethod = "pis"\n' }, /^driftcatcher: driftcatcher\.toml:2: drift\.method must be one of psi, .*, got "pis"$/],
    ['a value out of range', { 'driftcatcher.toml': '[reference]\nwindow_days = 0\n' }, /^driftcatcher: driftcatcher\.toml:2: --reference-days must be an integer from 1 to/],
    ['a secret in the file', { 'driftcatcher.toml': '[alert]\nwebhook_url = "https://hooks.example.com/SECRET"\n' }, /^driftcatcher: driftcatcher\.toml:2: alert\.webhook_url is a secret: set it in the environment \(\$ALERT_WEBHOOK_URL\)/],
    ['invalid TOML', { 'driftcatcher.toml': '[drift]\nthreshold = \n' }, /^driftcatcher: driftcatcher\.toml:2: not valid TOML/],
    ['a JSON type error', { 'driftcatcher.json': '{\n  "alert": {\n    "on_training": 1\n  }\n}\n' }, /^driftcatcher: driftcatcher\.json:3: alert\.on_training must be a boolean, got an integer \(1\)$/],
    ['invalid JSON', { 'driftcatcher.json': '{\n  "drift": {\n    "threshold": 0.2,\n  }\n}\n' }, /^driftcatcher: driftcatcher\.json:4: not valid JSON/],
    ['two config files', { 'driftcatcher.toml': '', 'driftcatcher.json': '{}' }, /^driftcatcher: both driftcatcher\.toml and driftcatcher\.json are in .*: keep one config file$/],
  ];
  it.each(cases)('%s', (_name, files, expected) => {
    const dir = workdir(files);
    // a check reads every setting but the reference window's (no --reference-days: that value is checked where it is used)
    const commands = [['config', 'show'], ...(files['driftcatcher.toml']?.includes('window_days') ? [] : [['check', '--baseline', profile, FLOWS_299, '--no-record']])];
    for (const args of commands) {
      const result = run(args, dir);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trimEnd()).toMatch(expected);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).not.toContain('SECRET');
    }
  });

  it('a variable that is not of its type names the variable', () => {
    for (const [name, value, expected] of [
      ['DRIFT_THRESHOLD', 'high', /^driftcatcher: DRIFT_THRESHOLD must be a number, got "high"$/],
      ['ALERT_ON_DRIFT', 'maybe', /^driftcatcher: ALERT_ON_DRIFT must be true or false/],
      ['REFERENCE_WINDOW_DAYS', '1.5', /^driftcatcher: REFERENCE_WINDOW_DAYS must be an integer, got "1\.5"$/],
    ] as const) {
      const result = run(['config', 'show'], workdir(), cleanEnv({ [name]: value }));
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trimEnd()).toMatch(expected);
    }
  });

  it('a command without the setting\'s flag ignores its variable (train has no --threshold)', () => {
    const dir = workdir();
    const result = run(['train', trainCsv, '--registry', join(dir, 'models'), '--n-estimators', '1', '--workers', '0', '--no-record'], dir, cleanEnv({ DRIFT_THRESHOLD: 'high' }));
    expect(result.code, result.stderr).toBe(0);
  }, SLOW);
});

describe('init ci', () => {
  it('writes the workflow through a temp file, refuses to overwrite without --force, and overwrites with it', () => {
    const dir = workdir();
    const file = join(dir, '.github', 'workflows', 'driftcatcher.yml');
    const first = run(['init', 'ci'], dir);
    expect(first.code, first.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/cron: "0 6 \* \* \*"/);
    expect(text).toContain('workflow_dispatch');
    writeFileSync(file, 'edited by hand\n');
    const again = run(['init', 'ci'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('driftcatcher: .github/workflows/driftcatcher.yml: already exists, left as it is (--force overwrites it)\n');
    expect(readFileSync(file, 'utf8')).toBe('edited by hand\n');
    const forced = run(['init', 'ci', '--force', '--every', 'hourly', '--data', 'prod/today.parquet'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/cron: "0 \* \* \* \*"[\s\S]*DRIFTCATCHER_DATA: "prod\/today\.parquet"/);
    // no temp file left beside it
    expect(readdirSync(join(dir, '.github', 'workflows'))).toEqual(['driftcatcher.yml']);
    const other = run(['init', 'ci', '-o', 'ci/check.yml', '--every', '15 3 * * 1'], dir);
    expect(other.code, other.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ci', 'check.yml'), 'utf8')).toMatch(/cron: "15 3 \* \* 1"/);
  });

  it('a bad --every, or an output path under a file, is one line and exit 2', () => {
    const dir = workdir({ blocker: 'a file' });
    const bad = run(['init', 'ci', '--every', 'weekly'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--every must be daily, hourly or a cron expression of five fields .*got "weekly"/);
    const blocked = run(['init', 'ci', '-o', 'blocker/x.yml'], dir);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr.trim().split('\n')).toHaveLength(1);
    expect(blocked.stderr).toMatch(/blocker/);
  });
});

const crontab = spawnSync('crontab', ['-V'], { encoding: 'utf8' });
const hasCrontab = !crontab.error;
const isRoot = process.getuid?.() === 0;
const canUseThrowAwayUser = hasCrontab && isRoot && !spawnSync('useradd', ['--help']).error;

describe('init cron', () => {
  it('prints the crontab line: schedule, cd to the folder, the check, the marker', () => {
    const dir = workdir();
    const result = run(['init', 'cron', '--every', 'hourly', '--baseline', 'ref.json', '--data', 'in/today.csv', '--log', 'check.log'], dir);
    expect(result.code, result.stderr).toBe(0);
    const line = result.stdout.trim();
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(line.startsWith(`0 * * * * cd ${dir} && ${process.execPath} `)).toBe(true);
    expect(line).toContain(' check --baseline ref.json in/today.csv ');
    expect(line).toContain(`>> ${join(dir, 'check.log')} 2>&1`);
    expect(line.endsWith(`# driftcatcher init cron: ${dir}`)).toBe(true);
    // the line runs: sh accepts it after the schedule (here the check fails on the missing baseline, exit 2)
    const command = line.split(' ').slice(5).join(' ').replace(/>>.*$/, '');
    const ran = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: cleanEnv() });
    expect(ran.status, ran.stderr).toBe(2);
    expect(ran.stderr).toMatch(/ref\.json/);
    // a cron expression, checked
    expect(run(['init', 'cron', '--every', '*/10 * * * *'], dir).stdout).toMatch(/^\*\/10 \* \* \* \* cd /);
    expect(run(['init', 'cron', '--every', '61 * *'], dir).code).toBe(2);
  });

  it.skipIf(!canUseThrowAwayUser)(`--install adds the line once per folder through the real crontab of a throw-away user${canUseThrowAwayUser ? '' : ' (skipped: needs root, crontab and useradd; the printed line is tested above)'}`, () => {
    const user = `dccron${process.pid}`;
    expect(spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]).status).toBe(0);
    try {
      const listed = () => spawnSync('crontab', ['-u', user, '-l'], { encoding: 'utf8' }).stdout;
      // a crontab with lines of its own, kept
      spawnSync('crontab', ['-u', user, '-'], { input: '# mine\n5 5 * * * echo mine\n', encoding: 'utf8' });
      const a = workdir();
      const b = workdir();
      const install = (dir: string, extra: string[] = []) => run(['init', 'cron', '--install', '--user', user, ...extra], dir);
      const first = install(a);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/added the line/);
      const line = first.stdout.trim();
      expect(install(a).stderr).toMatch(/has this line already/);
      expect(listed()).toBe(`# mine\n5 5 * * * echo mine\n${line}\n`);
      // another schedule for the same folder replaces its line; another folder adds its own
      const hourly = install(a, ['--every', 'hourly']);
      expect(hourly.stderr).toMatch(/replaced the earlier line/);
      const other = install(b);
      expect(listed()).toBe(`# mine\n5 5 * * * echo mine\n${hourly.stdout.trim()}\n${other.stdout.trim()}\n`);
    } finally {
      spawnSync('crontab', ['-u', user, '-r']);
      spawnSync('userdel', [user]);
    }
  });

  it.runIf(!hasCrontab)('--install without crontab is one line and exit 2 (crontab absent here)', () => {
    const result = run(['init', 'cron', '--install'], workdir());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^driftcatcher: cannot run crontab \(ENOENT\): install cron/);
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
