/**
 * Every option `--help` shows does something: the test walks every command of the CLI (the
 * program cli/program.ts builds), runs each command's real action in this process on real files
 * with the flags object wrapped in a Proxy that records which options the action reads, and fails
 * on any option of any command that no run of its action reads (other than GLOBAL_OPTIONS). An
 * action that enumerates its flags (a spread, Object.keys) fails too: every option must be read
 * by name. A control command shows the walker catches an unread option. Plus the behaviour of
 * options that used to be ignored (`scan --top`).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { buildProgram, everyCommand, GLOBAL_OPTIONS } from '../../cli/program.js';
import { synthesize } from '../../engine/synth/index.js';
import { predictFile, promoteModel, trainModel } from '../../engine/model/index.js';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-options-');
const at = (name: string) => join(dir, name);
const files = { train: at('train.csv'), batch: at('batch.csv'), labelled: at('labelled.csv'), predictions: at('predictions.csv'), profile: at('profile.json') };
const registry = at('models');
const ledger = at('ledger');

beforeAll(async () => {
  await synthesize({ rows: 800, seed: 31, out: files.train });
  await synthesize({ rows: 300, seed: 32, drift: 'severe', out: files.batch });
  await synthesize({ rows: 600, seed: 33, drift: 'severe', out: files.labelled });
  await trainModel({ data: files.train, registry: registry, nEstimators: 2, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
  await predictFile({ model: registry, data: files.batch, out: files.predictions });
  // prediction logs for the --from runs: 400 lines, one every 2.4 hours from 2026-01-01
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(at('logs'));
  const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 8_640_000).toISOString(), features: { a: i % 17, b: ((i * 7) % 23) + i / 400 }, prediction: i % 2, probability: 0.5, label: i % 3 === 0 ? 1 : 0 }));
  writeFileSync(join(at('logs'), 'predictions.jsonl'), lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pathOf = (command: Command): string => {
  const names: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
};

/** Options (long flag -> attribute key) of a command, as commander parses them. */
function optionsOf(command: Command): Array<{ flag: string; key: string }> {
  return command.options.map((o) => ({ flag: o.long ?? o.flags, key: o.attributeName() }));
}

/** Make `command`'s action receive its flags through a Proxy recording each option read. */
function track(command: Command): { read: Set<string>; enumerated: string[] } {
  const seen = { read: new Set<string>(), enumerated: [] as string[] };
  const opts = command.opts.bind(command);
  command.opts = (() =>
    new Proxy(opts(), {
      get(target, key, receiver) {
        if (typeof key === 'string') seen.read.add(key);
        return Reflect.get(target, key, receiver);
      },
      ownKeys(target) {
        seen.enumerated.push(new Error().stack?.split('\n')[2]?.trim() ?? '?');
        return Reflect.ownKeys(target);
      },
    })) as typeof command.opts;
  return seen;
}

/** Run argv through a fresh program in this process; output captured; the exit status it set. */
async function run(argv: string[], during?: (program: Command) => Promise<void>): Promise<{ exitCode: number; stdout: string; stderr: string; seen: ReturnType<typeof track> }> {
  const program = buildProgram();
  const leaf = everyCommand(program).find((c) => c.commands.length === 0 && argv.join(' ').startsWith(pathOf(c)) && pathOf(c) !== '');
  if (!leaf) throw new Error(`no command for ${argv.join(' ')}`);
  const seen = track(leaf);
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => ((out.stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((out.stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = 0;
  try {
    const parsed = program.parseAsync(['node', 'driftcatcher', ...argv]);
    if (during) await during(program);
    await parsed;
    return { exitCode: Number(process.exitCode ?? 0), ...out, seen };
  } catch (err) {
    throw new Error(`${argv.join(' ')}: ${(err as Error).message}\n${out.stderr}`);
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exitCode = 0;
  }
}

/** Stop a running `agent watch` the way SIGTERM does: call the listener its action added (no real signal to the test process). */
async function stopWatchOnceChecked(stateDir: string, before: Set<(...args: unknown[]) => void>): Promise<void> {
  const start = Date.now();
  for (;;) {
    const added = process.listeners('SIGTERM').filter((l) => !before.has(l as never));
    const state = join(stateDir, 'agent_state.json');
    const parsed = existsSync(state) ? JSON.parse(readFileSync(state, 'utf8')) : {};
    // a folder watch checks a file, a --from watch a window
    const checked = Object.keys(parsed.checked_files ?? {}).length + Object.keys(parsed.checked_windows ?? {}).length > 0;
    if (added.length === 1 && checked) return void (added[0] as () => void)();
    if (Date.now() - start > 30_000) throw new Error('agent watch did not check its folder');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const track_ = (stateDir: string) => ['--registry', registry, '--state-dir', stateDir, '--ledger-dir', ledger];

/**
 * For each command, runs whose reads together cover its options. Defaults are left in place where
 * they do: a flag the run does not pass is still read by name if the action uses it.
 */
const RUNS: Record<string, string[][]> = {
  baseline: [['baseline', files.train, '-o', files.profile, '--bins', '8', '--exclude', 'Flow Duration']],
  check: [
    ['check', files.batch, '--baseline', files.profile, '--workers', '0', '--ledger-dir', ledger],
    ['check', files.batch, '--baseline', files.profile, '--workers', '0', '--predictions', '--model', `${registry}@1`, '--no-record'],
    ['check', '--from', `logs:${at('logs')}`, '--window', '5d', '--until', '2026-02-10', '--reference-days', '30', '--no-record'],
  ],
  'reference create': [['reference', 'create', '--from', `logs:${at('logs')}`, '--days', '30', '--until', '2026-02-01', '-o', at('reference.json')]],
  'reference stats': [['reference', 'stats', at('reference.json')]],
  scan: [['scan', files.batch, '--baseline', files.train, '--workers', '0', '--ledger-dir', ledger]],
  synth: [['synth', '-o', at('synth.csv'), '--rows', '20']],
  demo: [['demo', '--dir', at('demo'), '--train-rows', '200', '--batch-rows', '100', '--workers', '0']],
  // nothing queued in an empty ledger: nothing is sent (no request to the address)
  'mlflow sync': [['mlflow', 'sync', '--ledger-dir', at('empty-ledger'), '--tracking-uri', 'http://127.0.0.1:9']],
  'mlflow status': [['mlflow', 'status', '--ledger-dir', ledger]],
  train: [['train', files.train, '--registry', at('models-train'), '--n-estimators', '2', '--workers', '0', '--ledger-dir', ledger]],
  predict: [['predict', files.batch, '--model', registry, '-o', at('predict.csv')]],
  'models promote': [['models', 'promote', '1', '--registry', registry, '--ledger-dir', ledger]],
  'models list': [['models', 'list', '--registry', registry]],
  'models compare': [['models', 'compare', '1', `${registry}@1`, '--registry', registry, '--data', files.train, '--coerce', '--json']],
  'models tag': [['models', 'tag', '1', 'staging', '--registry', registry, '--ledger-dir', ledger, '--json']],
  abtest: [['abtest', files.labelled, '--registry', registry, '--model-a', '1', '--model-b', `${registry}@champion`, '--metric', 'auc', '--alpha', '0.1', '--bootstrap', '20', '--seed', '1', '--coerce', '--json', '--ledger-dir', ledger]],
  'models profile': [['models', 'profile', '--model', `${registry}@1`, '--data', files.train, '--coerce', '--json']],
  monitor: [
    ['monitor', files.predictions, '--registry', registry, '--ledger-dir', ledger, '--history', at('history.jsonl')],
    ['monitor', '--from', `logs:${at('logs')}`, '--window', '5d', '--until', '2026-02-10', '--label', 'label', '--no-record'],
  ],
  'agent check': [['agent', 'check', '--data', files.batch, ...track_(at('state-check')), '--workers', '0', '--labeled-data', files.labelled, '--base-data', files.train, '--n-estimators', '2', '--train-workers', '0']],
  'agent retrain': [['agent', 'retrain', '--new-labeled-data', files.labelled, '--base-data', files.train, ...track_(at('state-retrain')), '--n-estimators', '2', '--workers', '0']],
  'agent status': [['agent', 'status', ...track_(at('state-check'))]],
  'profile merge': [['profile', 'merge', files.profile, '-o', at('merged.json'), '--json']],
  'config show': [['config', 'show', '--json']],
  'init ci': [['init', 'ci', '-o', at('ci/driftcatcher.yml')]],
  // printed only: --install would change this machine's crontab (test/cli/config.test.ts installs into a throw-away user's)
  'init cron': [['init', 'cron', '--log', at('cron.log')]],
  'agent watch': [
    ['agent', 'watch', at('incoming'), ...track_(at('state-watch')), '--interval', '50ms', '--workers', '0'],
    // the latest complete hour of these 2026-01 logs has no rows: the window is marked (with its error) all the same
    ['agent', 'watch', '--from', `logs:${at('logs')}`, '--every', '1h', ...track_(at('state-watch-from')), '--interval', '50ms', '--workers', '0'],
  ],
  // after check and scan: the ledger holds drift runs
  'runs summary': [['runs', 'summary', '--ledger-dir', ledger, '--experiment', 'drift_monitoring']],
  'runs list': [['runs', 'list', '--ledger-dir', ledger, '--filter', 'metrics.overall_score >= 0', '--since', '7d', '--limit', '5']],
  'runs export': [['runs', 'export', '--experiment', 'drift_monitoring', '-o', at('runs.csv'), '--ledger-dir', ledger, '--since', '7d']],
  'runs cleanup': [['runs', 'cleanup', '--experiment', 'drift_monitoring', '--keep-last', '50', '--dry-run', '--ledger-dir', ledger, '--registry', registry]],
  'runs history': [['runs', 'history', '--metric', 'overall_score', '--ledger-dir', ledger, '--since', '7d', '--limit', '5', '--width', '10']],
  // drift.json: a check's drift_report.json from the ledger (copied there before this run)
  report: [['report', at('drift.json'), '-o', at('report.html'), '--baseline', files.profile, '--ledger-dir', ledger]],
};

describe('every option of every command is used', () => {
  it('the walker catches an option no action reads (control)', async () => {
    const program = new Command('probe').exitOverride();
    const probe = program.command('probe').option('--used <x>').option('--unused <y>').action((flags: { used?: string }) => void flags.used);
    const seen = track(probe);
    await program.parseAsync(['node', 'probe', 'probe', '--used', '1', '--unused', '2']);
    expect(optionsOf(probe).filter((o) => !seen.read.has(o.key)).map((o) => o.flag)).toEqual(['--unused']);
    // and a spread is seen as enumeration
    const spread = program.command('spread').option('--a <x>').action((flags: object) => void { ...flags });
    const spreadSeen = track(spread);
    await program.parseAsync(['node', 'probe', 'spread', '--a', '1']);
    expect(spreadSeen.enumerated).toHaveLength(1);
  });

  it('each option of each command is read by its action (or is global)', async () => {
    const program = buildProgram();
    const leaves = everyCommand(program).filter((c) => c.commands.length === 0);
    expect(leaves.map(pathOf).sort()).toEqual(Object.keys(RUNS).sort());
    // the program's own options are the globals, and nothing else is
    expect(optionsOf(program).map((o) => o.flag).sort()).toEqual([...GLOBAL_OPTIONS].sort());

    const unread: string[] = [];
    const enumerated: string[] = [];
    for (const command of leaves) {
      const path = pathOf(command);
      const read = new Set<string>();
      for (const argv of RUNS[path]!) {
        const isWatch = path === 'agent watch';
        if (isWatch) {
          const { mkdirSync, copyFileSync } = await import('node:fs');
          mkdirSync(at('incoming'), { recursive: true });
          copyFileSync(files.batch, join(at('incoming'), 'a.csv'));
        }
        if (path === 'report') {
          const { copyFileSync, readdirSync } = await import('node:fs');
          const runs = readdirSync(join(ledger, 'runs')).filter((id) => existsSync(join(ledger, 'runs', id, 'artifacts', 'drift_report.json')));
          copyFileSync(join(ledger, 'runs', runs[0]!, 'artifacts', 'drift_report.json'), at('drift.json'));
        }
        const before = new Set(process.listeners('SIGTERM') as Array<(...args: unknown[]) => void>);
        const result = await run(argv, isWatch ? () => stopWatchOnceChecked(argv[argv.indexOf('--state-dir') + 1]!, before) : undefined);
        expect(result.exitCode, `${argv.join(' ')}\n${result.stderr}`).toBe(0);
        for (const key of result.seen.read) read.add(key);
        if (result.seen.enumerated.length) enumerated.push(`${path}: ${result.seen.enumerated.join('; ')}`);
      }
      for (const option of optionsOf(command)) if (!read.has(option.key)) unread.push(`${path} ${option.flag}`);
    }
    // options shown in --help that the action never reads; actions that enumerate their flags
    expect({ unread, enumerated }).toEqual({ unread: [], enumerated: [] });
    // the runs did their work (the agent's retrain registered a version, the watch checked its file)
    expect(readdirSync(registry).filter((n) => /^v\d+$/.test(n)).length).toBeGreaterThan(1);
  }, 240_000);
});

describe('options that used to be ignored', () => {
  it('scan --top sets the rows of the combined feature table', () => {
    const scan = (top: string) => cli(['scan', files.batch, files.batch, '--baseline', files.profile, '--workers', '0', '--no-record', '--top', top]);
    for (const top of ['2', '5']) {
      const result = scan(top);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.split('\n');
      const from = lines.findIndex((l) => l.startsWith(`combined, top ${top} features:`));
      expect(from, result.stdout).toBeGreaterThan(0);
      const end = lines.indexOf('', from);
      const rows = lines.slice(from + 3, end).filter((l) => /^\s*\d+\s+\S/.test(l));
      expect(rows.length + 3).toBe(end - from);
      expect(rows).toHaveLength(Number(top));
    }
  });
});
