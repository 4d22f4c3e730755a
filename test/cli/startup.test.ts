/**
 * Start-up: each command loads only what it uses. `--help` loads no engine dependency; a CSV
 * `check` or `scan` (main thread or workers, recording to the local ledger or not) never loads
 * apache-arrow, TensorFlow.js or undici; vega and vega-lite load only for `--html`. The CLI runs under test/cli/module-trace.mjs, which
 * records every module resolved or required in the process and its worker threads; the controls
 * show that the tracer does see these packages when they are loaded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { HEAD_9998, ROOT, cli, tempDir } from '../helpers.js';

const TRACER = join(ROOT, 'test', 'cli', 'module-trace.mjs');
const HEAVY = { 'apache-arrow': '/node_modules/apache-arrow/', hyparquet: '/node_modules/hyparquet/', 'hyparquet-writer': '/node_modules/hyparquet-writer/', tensorflow: '/node_modules/@tensorflow/', undici: '/node_modules/undici/', piscina: '/node_modules/piscina/', vega: '/node_modules/vega', playwright: '/node_modules/playwright-core/' };
type Heavy = keyof typeof HEAVY;

const dir = tempDir('dc-cli-startup-');
let profile: string;
let arrowBatch: string;
let traces = 0;

/** Run `node --import module-trace.mjs <args>`; the exit status, stderr and the modules it loaded. */
function traced(nodeArgs: string[], cwd = ROOT) {
  const traceFile = join(dir, `trace-${++traces}.txt`);
  const result = spawnSync(process.execPath, ['--import', TRACER, ...nodeArgs], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', DC_MODULE_TRACE: traceFile },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const modules = readFileSync(traceFile, 'utf8').split('\n').filter(Boolean);
  const loaded = (Object.keys(HEAVY) as Heavy[]).filter((name) => modules.some((m) => m.includes(HEAVY[name])));
  return { code: result.status, stderr: result.stderr, modules, loaded };
}

const tracedCli = (args: string[], cwd?: string) => traced([join(ROOT, 'dist', 'cli', 'main.js'), ...args], cwd);

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
  arrowBatch = join(dir, 'batch.arrow');
  const synth = cli(['synth', '-o', arrowBatch, '--rows', '2000', '--drift', 'mild']);
  expect(synth.code, synth.stderr).toBe(0);
});

describe('CLI start-up loads only what the command uses', () => {
  it('the tracer sees ESM imports and CommonJS requires (control)', () => {
    const run = traced(['--input-type=module', '-e', "import { createRequire } from 'node:module'; await import('apache-arrow'); createRequire(process.cwd() + '/')('undici');"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.loaded).toEqual(['apache-arrow', 'undici']);
  });

  it('--help loads commander and the command definitions, no engine dependency', () => {
    for (const args of [['--help'], ['scan', '--help'], ['agent', 'watch', '--help']]) {
      const run = tracedCli(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.loaded, args.join(' ')).toEqual([]);
      expect(run.modules.some((m) => m.includes('/node_modules/commander/'))).toBe(true);
    }
  });

  it('a CSV check in worker threads, recorded in the local ledger, loads no apache-arrow, TensorFlow.js or undici', () => {
    const run = tracedCli(['check', '--baseline', profile, HEAD_9998, '--json', '--workers', '2', '--ledger-dir', join(dir, 'ledger')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ledger/);
    expect(run.loaded).toEqual(['piscina']);
    // the worker threads ran under the tracer too (each resolves piscina's worker entry)
    expect(run.modules.filter((m) => m.endsWith('/node_modules/piscina/dist/worker.js')).length).toBeGreaterThan(0);
  });

  it('a CSV scan on the main thread (--no-record, --compat driftcatcher) loads no apache-arrow, TensorFlow.js, undici or piscina', () => {
    const run = tracedCli(['scan', '--baseline', profile, HEAD_9998, HEAD_9998, '--compat', 'driftcatcher', '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.loaded).toEqual([]);
  });

  it('the TOML parser loads only when the working directory has a driftcatcher.toml', () => {
    const smolToml = (modules: string[]) => modules.some((m) => m.includes('/node_modules/smol-toml/'));
    const without = tracedCli(['config', 'show', '--json']);
    expect(without.code, without.stderr).toBe(0);
    expect(smolToml(without.modules)).toBe(false);
    const withToml = join(dir, 'with-toml');
    mkdirSync(withToml, { recursive: true });
    writeFileSync(join(withToml, 'driftcatcher.toml'), '[drift]\nthreshold = 0.3\n');
    const loaded = tracedCli(['config', 'show', '--json'], withToml);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(smolToml(loaded.modules)).toBe(true);
  });

  it('runs on the ledger: list and a CSV export load nothing heavy; a Parquet export loads hyparquet-writer (control)', () => {
    const ledger = join(dir, 'runs-ledger');
    expect(cli(['check', '--baseline', profile, HEAD_9998, '--workers', '0', '--ledger-dir', ledger]).code).toBe(0);
    for (const args of [['runs', 'list'], ['runs', 'export', '--experiment', 'drift_monitoring', '-o', join(dir, 'runs.csv')]]) {
      const run = tracedCli([...args, '--ledger-dir', ledger]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.loaded, args.join(' ')).toEqual([]);
    }
    const parquet = tracedCli(['runs', 'export', '--experiment', 'drift_monitoring', '-o', join(dir, 'runs.parquet'), '--ledger-dir', ledger]);
    expect(parquet.code, parquet.stderr).toBe(0);
    expect(parquet.loaded).toEqual(['hyparquet', 'hyparquet-writer']);
  });

  it('vega and vega-lite load only for an HTML report (--html), never playwright', () => {
    const run = tracedCli(['check', '--baseline', profile, HEAD_9998, '--json', '--no-record', '--workers', '0', '--html', join(dir, 'report.html')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.loaded).toEqual(['vega']);
    expect(run.modules.some((m) => m.includes('/node_modules/vega-lite/'))).toBe(true);
  });

  it('a baseline of an Arrow IPC file streams (footer and batch metadata read without apache-arrow): no apache-arrow, TensorFlow.js or undici', () => {
    const run = tracedCli(['baseline', arrowBatch, '-o', join(dir, 'arrow-profile.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.loaded).toEqual([]);
  });

  it('writing an Arrow file loads apache-arrow (control), no TensorFlow.js or undici', () => {
    const run = tracedCli(['synth', '-o', join(dir, 'written.arrow'), '--rows', '100']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.loaded).toEqual(['apache-arrow']);
  });
});
