/**
 * The built CLI's `monitor --from` and `agent watch --from` on the embedded sources: the
 * performance of a DuckDB window and of a logs window is `monitor`'s on the same labelled rows as
 * a predictions CSV; --chunk gives one per day; usage errors are one line, exit 2. `agent watch
 * --from duckdb:... --every 1m` (a child process) checks the latest complete minute once, stops on
 * SIGTERM, and a restart over the same state checks nothing again (time passing: the engine test
 * test/engine/agent/watch-source.test.ts, with an injected clock).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { promoteModel, trainModel } from '../../engine/model/index.js';
import { cli, cliArgs, tempDir } from '../helpers.js';
import { DAY, insertStatements, predictionRows, predictionsCsv, START_MS, trainingCsv, writeLogs } from '../engine/sources/dataset.js';

const rows = predictionRows();
const dir = tempDir('dc-cli-from-');
const noisy = join(dir, 'noisy.duckdb');
const live = join(dir, 'live.duckdb');
const registry = join(dir, 'models');
const until = new Date(START_MS + 60 * DAY).toISOString();

async function fill(file: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  for (const sql of statements) await connection.run(sql);
  connection.closeSync();
  instance.closeSync();
}

beforeAll(async () => {
  await fill(noisy, insertStatements(rows, 'classifier_predictions', 500, true));
  // the first 3000 rows, one a second up to a second ago: the latest complete minute has rows
  const now = Date.now();
  const recent = { ...rows, times: rows.times.slice(0, 3000).map((_, r) => now - (3000 - r) * 1000), cells: rows.cells.slice(0, 3000), labels: rows.labels.slice(0, 3000) };
  await fill(live, insertStatements(recent));
  await trainModel({ data: trainingCsv(rows, START_MS + 30 * DAY, join(dir, 'train.csv')), registry, nEstimators: 3, workers: 0, seed: 7 });
  await promoteModel(1, { registry });
}, 120_000);

/** What a performance report says of the rows. */
const verdict = (r: { rows: number; positives: number; metrics: unknown; violations: unknown; status: string; thresholds: unknown }) => ({ rows: r.rows, positives: r.positives, metrics: r.metrics, violations: r.violations, status: r.status, thresholds: r.thresholds });

describe('monitor --from', () => {
  it('gives a DuckDB window and a logs window the performance monitor gives the same labelled rows as a CSV file', () => {
    const file = predictionsCsv(rows, START_MS + 57 * DAY, START_MS + 60 * DAY, join(dir, 'predictions.csv'));
    const fromFile = cli(['monitor', file, '--json', '--no-record']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const logs = writeLogs(rows, join(dir, 'logs'), { noisy: true });
    for (const from of [`duckdb:${noisy}`, `logs:${logs}`]) {
      const fromSource = cli(['monitor', '--from', from, '--window', '3d', '--until', until, '--json', '--no-record']);
      expect(fromSource.code, fromSource.stderr).toBe(0);
      const report = JSON.parse(fromSource.stdout);
      expect(verdict(report)).toEqual(verdict(JSON.parse(fromFile.stdout)));
      expect(report.window).toEqual({ from: new Date(START_MS + 57 * DAY).toISOString(), until, interval: '[from, until)', timezone: 'UTC' });
      expect(report.unlabelled_rows).toBeGreaterThan(0);
    }
    const text = cli(['monitor', '--from', `duckdb:${noisy}`, '--window', '3d', '--until', until, '--no-record', '--fail-on', 'degraded']);
    expect(text.stdout).toMatch(/^window \[2026-02-27T00:00:00.000Z, 2026-03-02T00:00:00.000Z\) UTC: \d+ labelled rows of duckdb:.* \(\d+ without a label left out\)\n/);
    // every 7th prediction is wrong: accuracy about 0.86, below the 0.9 default
    expect(text.code).toBe(1);
  });

  it('--chunk 1d gives one performance per day, a day without rows none', () => {
    const chunks = cli(['monitor', '--from', `duckdb:${noisy}`, '--window', '3d', '--chunk', '1d', '--until', new Date(START_MS + 61 * DAY).toISOString(), '--json', '--no-record']);
    expect(chunks.code, chunks.stderr).toBe(0);
    const result = JSON.parse(chunks.stdout);
    expect(result.chunks.map((c: { report: unknown }) => c.report !== null)).toEqual([true, true, false]);
    const day = predictionsCsv(rows, START_MS + 58 * DAY, START_MS + 59 * DAY, join(dir, 'day58.csv'));
    expect(verdict(result.chunks[0].report)).toEqual(verdict(JSON.parse(cli(['monitor', day, '--json', '--no-record']).stdout)));
  });

  it('bad usage is one line, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['monitor'], /give the predictions file, or --from <source>/],
      [['monitor', 'x.csv', '--from', `duckdb:${noisy}`], /give --from <source> or the predictions file, not both/],
      [['monitor', 'x.csv', '--chunk', '1d'], /--chunk goes with --from <source>/],
      [['monitor', '--from', `duckdb:${noisy}`, '--label', 'nope', '--until', until], /no column "nope" \(--label names it\)/],
      [['monitor', '--from', `duckdb:${noisy}`, '--until', '2030-01-01'], /no labelled rows \(0 rows/],
      [['agent', 'watch'], /agent watch needs a folder to watch, or --from <source>/],
      [['agent', 'watch', dir, '--every', '1h'], /--every goes with --from <source>/],
    ];
    for (const [args, pattern] of cases) {
      const result = cli([...args, '--no-record']);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

function checks(stateDir: string): Array<{ event: string; file?: string; action?: string }> {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((n) => /^agent_\d{8}\.log$/.test(n))
    .flatMap((n) => readFileSync(join(stateDir, n), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)))
    .filter((e) => e.event === 'CHECK_OK');
}

/** Run `agent watch --from` until it has logged `expected` checks in all (and a poll more), then SIGTERM it. */
async function watchOnce(stateDir: string, expected: number): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [...cliArgs(), 'agent', 'watch', '--from', `duckdb:${live}`, '--every', '1m', '--interval', '300ms', '--registry', registry, '--state-dir', stateDir, '--no-record', '--workers', '0', '--quiet'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const start = Date.now();
  // the first poll checks (or skips) at once; wait for the check, then for a second poll's worth
  while (checks(stateDir).length < expected && Date.now() - start < 30_000) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGTERM');
  return { code: await exited, stdout };
}

describe('agent watch --from', () => {
  it('checks the latest complete minute once; a restart over the same state checks nothing again', async () => {
    const stateDir = join(dir, 'agent');
    const first = await watchOnce(stateDir, 1);
    expect(first.code).toBe(0);
    const logged = checks(stateDir);
    // the minute may have turned while it ran: then the next minute is checked too, once
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.length).toBeLessThanOrEqual(2);
    expect(logged[0]!.file).toMatch(/^duckdb:.*live\.duckdb table classifier_predictions \[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z, \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z\)$/);
    expect(first.stdout).toMatch(/^stopped: \d+ poll\(s\), [12] checked, 0 failed\n$/);
    const state = JSON.parse(readFileSync(join(stateDir, 'agent_state.json'), 'utf8'));
    expect(Object.keys(state.checked_windows)).toHaveLength(logged.length);
    const second = await watchOnce(stateDir, logged.length);
    expect(second.code).toBe(0);
    // a restart checks no window it has checked (a minute that turned meanwhile: at most one new)
    const again = checks(stateDir);
    expect(new Set(again.map((e) => e.file)).size).toBe(again.length);
    expect(again.length).toBeLessThanOrEqual(logged.length + 1);
  });
});
