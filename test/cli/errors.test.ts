/**
 * Bad input gets one line on stderr naming the file, line and column and what was expected,
 * exit status 2, and no stack trace (unless --debug). So do output paths the tool cannot write
 * (a folder where a file goes, a file where a folder goes, a full device), a --workers above the
 * documented bound, and a kernel forced but not built; no message says "driftcatcher:" twice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { FLOWS_299, HEAD_9998, ROOT, SAMPLE_10, cli, cliArgs, readCsvText, tempDir, writeCsvText, editColumns } from '../helpers.js';

const dir = tempDir('dc-cli-errors-');
let profile: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
});

function expectOneLineError(result: ReturnType<typeof cli>, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  // a warning about the input (a small sample) may come first, on its own line
  const lines = result.stderr.trim().split('\n').filter((line) => !line.startsWith('driftcatcher: warning: '));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^driftcatcher: /);
  expect(lines[0]!.match(/driftcatcher:/g), lines[0]).toHaveLength(1);
  expect(lines[0]).not.toMatch(/internal error/);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('one-line errors with exit status 2', () => {
  it('missing file', () => {
    expectOneLineError(cli(['check', '--baseline', profile, join(dir, 'nope.csv')]), /nope\.csv.*no such file/);
  });

  it('empty file', () => {
    const file = join(dir, 'empty.csv');
    writeFileSync(file, '');
    expectOneLineError(cli(['check', '--baseline', profile, file]), /empty\.csv.*empty file, expected a header line/);
  });

  it('header only', () => {
    const csv = readCsvText(HEAD_9998);
    const file = writeCsvText(join(dir, 'header-only.csv'), { ...csv, rows: [] });
    expectOneLineError(cli(['check', '--baseline', profile, file]), /header-only\.csv.*no data rows/);
  });

  it('ragged row, with its line number', () => {
    const csv = readCsvText(HEAD_9998);
    const rows = csv.rows.slice(0, 50);
    rows[29] = rows[29]!.split(',').slice(0, 70).join(',');
    const file = writeCsvText(join(dir, 'ragged.csv'), { ...csv, rows });
    expectOneLineError(cli(['check', '--baseline', profile, file]), /ragged\.csv:31: .*expected 79 fields, found 70/);
  });

  it('non-numeric text in a feature column, with line and column', () => {
    const csv = readCsvText(HEAD_9998);
    const bad = editColumns({ ...csv, rows: csv.rows.slice(0, 100) }, { 'Flow Duration': (c, r) => (r === 41 ? 'abc' : c) });
    const file = writeCsvText(join(dir, 'text.csv'), bad);
    expectOneLineError(cli(['check', '--baseline', profile, file]), /text\.csv:43: column "Flow Duration": expected a number, got "abc"/);
    // --coerce reads it as NaN and goes on
    const coerced = cli(['check', '--baseline', profile, file, '--coerce', '--json']);
    expect(coerced.code, coerced.stderr).toBe(0);
    expect(JSON.parse(coerced.stdout).current.coerced_values).toBe(1);
  });

  it('a Parquet file cut short (no footer), for baseline and check (the reader: test/engine/io/parquet.test.ts)', () => {
    const file = join(dir, 'cut.parquet');
    writeFileSync(file, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 0x15)]));
    const expected = /cut\.parquet: not a readable Parquet file \(no PAR1 at its end: truncated or not Parquet\)$/;
    expectOneLineError(cli(['baseline', file, '-o', join(dir, 'cut-profile.json')]), expected);
    expectOneLineError(cli(['check', '--baseline', profile, file]), expected);
    expect(existsSync(join(dir, 'cut-profile.json'))).toBe(false);
  });

  it('a feature of the baseline missing from the batch', () => {
    const csv = readCsvText(HEAD_9998);
    const names = csv.header.split(',');
    const drop = names.findIndex((n) => n.trim() === 'Flow IAT Std');
    const cut = (line: string) => line.split(',').filter((_, i) => i !== drop).join(',');
    const file = writeCsvText(join(dir, 'missing-feature.csv'), { ...csv, header: cut(csv.header), rows: csv.rows.slice(0, 20).map(cut) });
    expectOneLineError(cli(['check', '--baseline', profile, file]), /missing-feature\.csv.*feature "Flow IAT Std" of the baseline is missing/);
  });

  it('a profile file that is not a profile', () => {
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, 'hello');
    expectOneLineError(cli(['check', '--baseline', notJson, HEAD_9998]), /not-json\.json: not a driftcatcher profile: not JSON/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ format: 'something-else' }));
    expectOneLineError(cli(['check', '--baseline', wrong, HEAD_9998]), /wrong\.json: not a driftcatcher profile: expected "format"/);
  });

  it('bad usage: unknown option and bad numbers', () => {
    expect(cli(['check', '--baseline', profile, HEAD_9998, '--bogus']).code).toBe(2);
    expectOneLineError(cli(['check', '--baseline', profile, HEAD_9998, '--workers', 'many']), /--workers must be an integer/);
  });

  it('--debug adds the stack trace', () => {
    const result = cli(['check', '--debug', '--baseline', profile, join(dir, 'nope.csv')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });

  it('a failed baseline leaves no half-written profile', () => {
    const out = join(dir, 'never.json');
    const result = cli(['baseline', join(dir, 'nope.csv'), '-o', out]);
    expect(result.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

describe('output paths the tool cannot write: exit 2 naming the path, nothing half-written', () => {
  const out = join(dir, 'outputs');
  const folder = join(out, 'a-folder');
  const file = join(out, 'a-file');
  const models = join(out, 'models');
  const predictions = join(out, 'predictions.csv');
  const esc = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const isFolder = (path: string) => new RegExp(`${esc(path)}: is a folder, expected a file`);
  const underFile = (path: string) => new RegExp(`${esc(path)}: ${esc(file)} is a file, not a folder`);

  beforeAll(() => {
    mkdirSync(folder, { recursive: true });
    mkdirSync(join(out, 'a-folder.csv'));
    mkdirSync(join(out, 'a-folder.arrow'));
    writeFileSync(file, 'not a folder');
    const train = join(out, 'train.csv');
    expect(cli(['synth', '--rows', '1500', '--seed', '3', '-o', train]).code).toBe(0);
    const trained = cli(['train', train, '--registry', models, '--n-estimators', '3', '--workers', '0', '--no-record']);
    expect(trained.code, trained.stderr).toBe(0);
    const predicted = cli(['predict', '--model', models, train, '-o', predictions]);
    expect(predicted.code, predicted.stderr).toBe(0);
  });

  const noTempFiles = () => {
    for (const folderName of [out, folder]) expect(readdirSync(folderName).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  };

  it('baseline -o', () => {
    expectOneLineError(cli(['baseline', SAMPLE_10, '-o', folder]), isFolder(folder));
    expectOneLineError(cli(['baseline', SAMPLE_10, '-o', join(file, 'profile.json')]), underFile(join(file, 'profile.json')));
    noTempFiles();
  });

  it('synth -o (CSV and Arrow)', () => {
    for (const name of ['a-folder.csv', 'a-folder.arrow']) expectOneLineError(cli(['synth', '--rows', '100', '-o', join(out, name)]), isFolder(join(out, name)));
    for (const name of ['x.csv', 'x.arrow']) expectOneLineError(cli(['synth', '--rows', '100', '-o', join(file, name)]), underFile(join(file, name)));
    noTempFiles();
  });

  it('predict -o', () => {
    expectOneLineError(cli(['predict', '--model', models, SAMPLE_10, '-o', folder]), isFolder(folder));
    expectOneLineError(cli(['predict', '--model', models, SAMPLE_10, '-o', join(file, 'p.csv')]), underFile(join(file, 'p.csv')));
    noTempFiles();
  });

  it('train --out (a registry folder)', () => {
    const train = join(out, 'train.csv');
    expectOneLineError(cli(['train', train, '--registry', file, '--n-estimators', '2', '--workers', '0', '--no-record']), new RegExp(esc(file)));
    expectOneLineError(cli(['train', train, '--registry', join(file, 'models'), '--n-estimators', '2', '--workers', '0', '--no-record']), new RegExp(`${esc(file)} is a file, not a folder`));
  });

  it.runIf(existsSync('/proc/self'))('a folder the file system refuses (/proc): one line, not a spin (Node\'s recursive mkdir never returns there)', () => {
    const refused = '/proc/driftcatcher-no-such-folder';
    const run = (args: string[]) => cli(args, { timeoutMs: 30_000 });
    const cannot = (path: string, role = '') => new RegExp(`${esc(path)}: a folder cannot be made there${esc(role)}$`);
    expectOneLineError(run(['baseline', SAMPLE_10, '-o', join(refused, 'profile.json')]), cannot(join(refused, 'profile.json')));
    expectOneLineError(run(['check', '--baseline', profile, SAMPLE_10, '--ledger-dir', refused]), cannot(refused, ' (the run ledger)'));
    expectOneLineError(run(['check', '--baseline', profile, SAMPLE_10, '--no-record', '--html', join(refused, 'r.html')]), cannot(join(refused, 'r.html')));
  });

  it('--ledger-dir, --state-dir, --history', () => {
    expectOneLineError(cli(['check', '--baseline', profile, SAMPLE_10, '--ledger-dir', file]), new RegExp(`${esc(file)}: is a file, expected a folder \\(the run ledger\\)`));
    expectOneLineError(cli(['check', '--baseline', profile, SAMPLE_10, '--ledger-dir', join(file, 'ledger')]), new RegExp(`${esc(join(file, 'ledger'))}: ${esc(file)} is a file, not a folder \\(the run ledger\\)`));
    expectOneLineError(cli(['agent', 'check', '--data', SAMPLE_10, '--registry', models, '--state-dir', file, '--no-record', '--workers', '0']), new RegExp(`${esc(file)} is a file, not a folder`));
    expectOneLineError(cli(['monitor', predictions, '--registry', models, '--history', folder, '--ledger-dir', join(out, 'ledger')]), isFolder(folder));
    expectOneLineError(cli(['monitor', predictions, '--registry', models, '--history', join(file, 'h.jsonl'), '--ledger-dir', join(out, 'ledger')]), underFile(join(file, 'h.jsonl')));
    noTempFiles();
  });

  it('a full device: --history /dev/full', () => {
    expectOneLineError(cli(['monitor', predictions, '--registry', models, '--history', '/dev/full', '--ledger-dir', join(out, 'ledger')]), /^driftcatcher: \/dev\/full: no space left on the device$/);
  });

  it("the demo's --dir", () => {
    expectOneLineError(cli(['demo', '--dir', file, '--train-rows', '1000', '--batch-rows', '200']), new RegExp(`${esc(file)}: is a file, expected a folder \\(the demo folder\\)`));
  });
});

describe('--workers is bounded', () => {
  const bound = Math.min(256, Math.max(16, 4 * availableParallelism()));
  const above = new RegExp(`--workers ${bound + 1} is above the bound: at most ${bound} here \\(4 per core on \\d+ cores?, at least 16, at most 256\\)`);

  it('above the bound: exit 2 naming it, for every command that has the option', () => {
    expectOneLineError(cli(['check', '--baseline', profile, SAMPLE_10, '--workers', String(bound + 1)]), above);
    expectOneLineError(cli(['scan', '--baseline', profile, SAMPLE_10, '--workers', String(bound + 1)]), above);
    expectOneLineError(cli(['train', FLOWS_299, '--workers', String(bound + 1)]), above);
    expectOneLineError(cli(['demo', '--workers', String(bound + 1)]), above);
    expectOneLineError(cli(['agent', 'check', '--data', SAMPLE_10, '--train-workers', '1000']), /--train-workers 1000 is above the bound/);
    expectOneLineError(cli(['check', '--baseline', profile, SAMPLE_10, '--workers', '1000']), /--workers 1000 is above the bound/);
  });

  it('at the bound on a 5 KB file: one thread starts, quickly', () => {
    const started = Date.now();
    const result = cli(['scan', '--baseline', profile, SAMPLE_10, '--workers', String(bound), '--no-record']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ on 1 worker thread, /);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('--help states the bound', () => {
    for (const command of [['check'], ['scan'], ['train'], ['demo']]) {
      expect(cli([...command, '--help']).stdout.replace(/\s+/g, ' ')).toMatch(new RegExp(`at most ${bound} here \\(4 per core on \\d+ cores?, at least 16, at most 256\\)`));
    }
  });
});

describe('input through a pipe (/dev/stdin)', () => {
  // a shell pipe (a FIFO; node's own child stdin would be a socket): `cat file | driftcatcher ...`
  const piped = (file: string, args: string[]) => {
    const run = spawnSync('sh', ['-c', 'file=$1; shift; cat "$file" | "$@"', 'sh', file, process.execPath, ...cliArgs(), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it('a saved profile comes through; data is one line saying to save it to a file first', () => {
    const viaPipe = piped(profile, ['check', '--baseline', '/dev/stdin', HEAD_9998, '--no-record', '--json', '--workers', '0']);
    expect(viaPipe.code, viaPipe.stderr).toBe(0);
    const direct = cli(['check', '--baseline', profile, HEAD_9998, '--no-record', '--json', '--workers', '0']);
    const verdict = (stdout: string) => {
      const r = JSON.parse(stdout) as { action: string; overall_score: number; features: unknown[] };
      return [r.action, r.overall_score, r.features];
    };
    expect(verdict(viaPipe.stdout)).toEqual(verdict(direct.stdout));
    expectOneLineError(piped(SAMPLE_10, ['check', '--baseline', profile, '/dev/stdin', '--no-record']), /^driftcatcher: \/dev\/stdin: is a pipe or a socket, not a file: data is read by byte ranges, so save it to a file first$/);
    expectOneLineError(piped(SAMPLE_10, ['check', '--baseline', '/dev/stdin', SAMPLE_10, '--no-record']), /^driftcatcher: \/dev\/stdin: not a driftcatcher profile: not JSON/);
  });
});

describe('a reader that goes away early (`... --json | head -c 50`)', () => {
  it('exit 0, no stack trace, the run still recorded', () => {
    const ledger = join(dir, 'epipe-ledger');
    // a shell pipe (a FIFO of 64 KiB; node's own child stdout is a socket with room for the whole
    // report, where no write ever fails): `head` exits after 50 bytes of the ~90 KB report
    const run = spawnSync('sh', ['-c', '{ "$@"; echo "exit $?" >&2; } | head -c 50 > /dev/null', 'sh', process.execPath, ...cliArgs(), 'check', '--baseline', profile, HEAD_9998, '--json', '--workers', '0', '--ledger-dir', ledger], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    const stderr = run.stderr.replace(/\nexit \d+\n$/, '\n');
    const code = Number(/exit (\d+)\n$/.exec(run.stderr)?.[1]);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code, stderr).toBe(0);
    const runs = readdirSync(join(ledger, 'runs')).filter((name) => !name.startsWith('.'));
    expect(runs).toHaveLength(1);
  });
});

describe('an output that cannot be written (`> /dev/full`)', () => {
  it.runIf(existsSync('/dev/full'))('exit 3, no stack trace, the run still recorded', () => {
    const ledger = join(dir, 'enospc-ledger');
    const run = spawnSync('sh', ['-c', '"$@" > /dev/full', 'sh', process.execPath, ...cliArgs(), 'check', '--baseline', profile, HEAD_9998, '--json', '--workers', '0', '--ledger-dir', ledger], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/ENOSPC|\n\s+at /);
    expect(run.status, run.stderr).toBe(3);
    expect(readdirSync(join(ledger, 'runs')).filter((name) => !name.startsWith('.'))).toHaveLength(1);
  });
});

describe('a kernel forced but not built', () => {
  it('is a usage error with the fix, on the main thread and in workers', () => {
    // a copy of the package without build/: the compiled code, package.json and node_modules
    const pkg = join(dir, 'unbuilt');
    mkdirSync(join(pkg, 'engine'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(ROOT, 'dist', 'cli'), join(pkg, 'dist', 'cli'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'engine'), join(pkg, 'dist', 'engine'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    const run = (args: string[]) => cli(args, { main: join(pkg, 'dist', 'cli', 'main.js') });
    const fix = /kernel wasm is not available: .*unbuilt\/build\/(histogram|forest)\.wasm is missing; run `npm run build` to build the kernels$/;
    for (const workers of ['0', '2']) {
      expectOneLineError(run(['check', '--baseline', profile, HEAD_9998, '--kernel', 'wasm', '--workers', workers, '--no-record']), fix);
      expectOneLineError(run(['train', join(dir, 'outputs', 'train.csv'), '--registry', join(pkg, 'models'), '--kernel', 'wasm', '--n-estimators', '2', '--workers', workers, '--no-record']), fix);
    }
    // without --kernel the TypeScript kernels stand in
    const fallback = run(['check', '--baseline', profile, SAMPLE_10, '--no-record', '--json']);
    expect(fallback.code, fallback.stderr).toBe(0);
  });
});
