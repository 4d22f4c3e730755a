/** Shared test helpers: fixture paths, temp dirs, running the CLI and the Python reference. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The real CICIDS2017 extracts kept in the repository (see test/fixtures/cicids2017/README.md). */
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'cicids2017');
export const HEAD_9998 = join(FIXTURES, 'friday-ddos-head-9998.csv');
export const SAMPLE_10 = join(FIXTURES, 'friday-ddos-sample-10.csv');
export const FLOWS_299 = join(FIXTURES, 'friday-ddos-flows-299.csv');

const madeDirs: string[] = [];
// Registered when a test file imports this module, so it runs after all of that file's tests: the
// folders `tempDir` made (models, ledgers, generated CSVs) do not pile up in the temp dir.
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder in the temp dir, removed after the test file's last test. */
export function tempDir(prefix = 'dc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** The built CLI, as `npx driftcatcher` runs it. */
export const BUILT_CLI = join(ROOT, 'dist', 'cli', 'main.js');

/**
 * The node arguments that start the CLI: the built dist/cli/main.js in the projects whose set-up
 * checks that dist/ is fresh (`cli`, `mlflow`: test/setup/dist-guard.ts), else the TypeScript
 * sources through test/setup/ts-loader.mjs (the unit tests need no build).
 */
export function cliArgs(): string[] {
  return process.env['DRIFTCATCHER_TEST_CLI'] === 'dist' ? [BUILT_CLI] : ['--import', join(ROOT, 'test', 'setup', 'ts-loader.mjs'), join(ROOT, 'cli', 'main.ts')];
}

/** Run the CLI (see cliArgs; or another copy's `main`) and capture its output. */
export function cli(args: string[], options: { cwd?: string; env?: Record<string, string>; main?: string; timeoutMs?: number } = {}) {
  const result = spawnSync(process.execPath, [...(options.main ? [options.main] : cliArgs()), ...args], {
    cwd: options.cwd ?? ROOT,
    // killed past it (status null): a hang fails the test instead of blocking the worker for ever
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `cli` that must succeed (exit 0), with `--ledger-dir ledger` and `env` (or another env) added: the MLflow CLI tests' runner. */
export function succeedingCli(ledger: string, env: Record<string, string>) {
  return (args: string[], extraEnv: Record<string, string> = env) => {
    const result = cli([...args, '--ledger-dir', ledger], { env: extraEnv });
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
}

/** Run the independent numpy reference script with the test venv's python. */
export function reference(python: string, args: string[]): any {
  const result = spawnSync(python, [join(ROOT, 'test', 'reference', 'psi_reference.py'), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`psi_reference.py ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export interface CsvText {
  header: string;
  rows: string[];
  eol: string;
}

/** Split a small CSV file into its header and row lines (test fixtures only: no quoted newlines). */
export function readCsvText(file: string): CsvText {
  const text = readFileSync(file, 'latin1');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(eol);
  if (lines[lines.length - 1] === '') lines.pop();
  return { header: lines[0]!, rows: lines.slice(1), eol };
}

export function writeCsvText(file: string, csv: CsvText): string {
  writeFileSync(file, Buffer.from([csv.header, ...csv.rows].join(csv.eol) + csv.eol, 'latin1'));
  return file;
}

/** Change the cells of named columns (trimmed header names) with `edit(cell, rowIndex)`. */
export function editColumns(csv: CsvText, columns: Record<string, (cell: string, row: number) => string>): CsvText {
  const names = csv.header.split(',').map((n) => n.trim());
  const targets = Object.entries(columns).map(([name, edit]) => {
    const index = names.indexOf(name);
    if (index < 0) throw new Error(`no column ${name}`);
    return { index, edit };
  });
  const rows = csv.rows.map((line, r) => {
    const cells = line.split(',');
    for (const { index, edit } of targets) cells[index] = edit(cells[index]!, r);
    return cells.join(',');
  });
  return { ...csv, rows };
}

/** mulberry32: a small deterministic PRNG for test data, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * relabelledHead's rows split at random (seeded) into `train.csv` (share `trainShare`) and
 * `held.csv` in `dir`, for models trained on one and compared on the other.
 */
export function splitRelabelledHead(dir: string, seed: number, trainShare = 0.6): { train: string; held: string } {
  const csv = readCsvText(relabelledHead(join(dir, 'labelled.csv')));
  const random = rng(seed);
  const trainRows: string[] = [];
  const heldRows: string[] = [];
  for (const row of csv.rows) (random() < trainShare ? trainRows : heldRows).push(row);
  return { train: writeCsvText(join(dir, 'train.csv'), { ...csv, rows: trainRows }), held: writeCsvText(join(dir, 'held.csv'), { ...csv, rows: heldRows }) };
}

/**
 * HEAD_9998's real rows (all BENIGN) with a label that a model can learn but not perfectly:
 * `DDoS` for 85% of the flows to port 80 and 10% of the others (seeded), written to `file`.
 */
export function relabelledHead(file: string, seed = 11): string {
  const csv = readCsvText(HEAD_9998);
  const names = csv.header.split(',').map((n) => n.trim());
  const port = names.indexOf('Destination Port');
  const label = names.indexOf('Label');
  const random = rng(seed);
  const rows = csv.rows.map((line) => {
    const cells = line.split(',');
    cells[label] = random() < (cells[port] === '80' ? 0.85 : 0.1) ? 'DDoS' : 'BENIGN';
    return cells.join(',');
  });
  return writeCsvText(file, { ...csv, rows });
}
