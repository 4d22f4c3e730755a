/**
 * Bad input gets one line on stderr naming the file, line and column and what was expected,
 * exit status 2, and no stack trace (unless --debug).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { HEAD_9998, cli, readCsvText, tempDir, writeCsvText, editColumns } from '../helpers.js';

const dir = tempDir('dc-cli-errors-');
let profile: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', HEAD_9998, '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
});

function expectOneLineError(result: ReturnType<typeof cli>, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^driftcatcher: /);
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
