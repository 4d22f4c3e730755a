/**
 * Input text in error messages: control bytes (CR/LF, ESC sequences, NUL, C1) are written as
 * visible escapes and long input is cut to a short, marked excerpt, so that a message is one line
 * of bounded length that cannot drive a terminal -- whether the text comes from a cell, a header
 * name, an option or the file name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DriftCatcherError, errorFromWire, escapeControls, excerpt, InputError, MAX_DETAIL_CHARS } from '../../../engine/util/errors.js';
import { readCsvTable } from '../../../engine/io/csv.js';
import { readTable } from '../../../engine/io/index.js';
import { tempDir, writeTemp } from './fixtures.js';

/** No C0/C1 control, DEL, line or paragraph separator, bidi override, zero-width character or BOM. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

async function messageOf(promise: Promise<unknown>): Promise<DriftCatcherError> {
  const err = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(err).toBeInstanceOf(DriftCatcherError);
  const error = err as DriftCatcherError;
  expect(error.message).not.toMatch(UNSAFE);
  return error;
}

describe('escapeControls and excerpt', () => {
  it('write control characters as visible escapes, once', () => {
    const text = 'a\nb\r\nc\td\x1b[2J\x00e\x7f\x9b\u2028\u202e\u200b\ufeff';
    const escaped = escapeControls(text);
    expect(escaped).toBe('a\\nb\\r\\nc\\td\\x1b[2J\\x00e\\x7f\\x9b\\u2028\\u202e\\u200b\\ufeff');
    expect(escaped).not.toMatch(UNSAFE);
    expect(escapeControls(escaped)).toBe(escaped);
    // printable text, non-ASCII letters and backslashes (paths) are kept
    expect(escapeControls('C:\\data\\Web Attack – Brute Force é')).toBe('C:\\data\\Web Attack – Brute Force é');
  });

  it('cut long input to 40 characters and say how many bytes were left out', () => {
    expect(excerpt('x'.repeat(300_000))).toBe(`${'x'.repeat(40)}…(+299960 bytes)`);
    expect(excerpt('short')).toBe('short');
    expect(excerpt('é'.repeat(50))).toBe(`${'é'.repeat(40)}…(+20 bytes)`);
    expect(excerpt('\x1b'.repeat(41))).toBe(`${'\\x1b'.repeat(40)}…(+1 bytes)`);
    const bytes = Buffer.from('Web Attack \x96 Brute Force'.padEnd(60, '!'), 'latin1');
    expect(excerpt(bytes)).toBe('Web Attack \\x96 Brute Force!!!!!!!!!!!!!!!!…(+20 bytes)');
    // a multi-byte character is not cut in two
    expect(excerpt(Buffer.from('a'.repeat(39) + '€€', 'utf8'))).toBe(`${'a'.repeat(39)}…(+6 bytes)`);
  });

  it('messages are one line of bounded length, and survive the trip through a worker', () => {
    const error = new InputError(`bad\n${'y'.repeat(5000)}`, { file: 'dir/\x1b]0;pwned\x07name\n.csv', line: 3, column: `col\r\n${'z'.repeat(500)}` });
    expect(error.message).not.toMatch(UNSAFE);
    expect(error.message.startsWith('dir/\\x1b]0;pwned\\x07name\\n.csv:3: column "col\\r\\n')).toBe(true);
    expect(error.message.length).toBeLessThan(MAX_DETAIL_CHARS + 200);
    const rebuilt = errorFromWire(error.toWire());
    expect(rebuilt.message).toBe(error.message);
    expect(rebuilt.detail).toBe(error.detail);
  });
});

describe('readers quote input safely', () => {
  it('a cell with CR, ESC sequences and NUL is escaped in the message', async () => {
    const file = writeTemp('control.csv', 'a,b\n1,2\n3,\x1b[31mred\x00\r4\r\n');
    const error = await messageOf(readCsvTable(file));
    expect(error.message).toBe(`${file}:3: column "b": expected a number, got "\\x1b[31mred\\x00\\r4"`);
  });

  it('a 300 kB cell is shown as a 40-character excerpt', async () => {
    const file = writeTemp('big-cell.csv', `a,b\n1,2\n3,${'q'.repeat(300_000)}\n`);
    const error = await messageOf(readCsvTable(file));
    expect(error.message).toBe(`${file}:3: column "b": expected a number, got "${'q'.repeat(40)}…(+299960 bytes)"`);
  });

  it('a 300 kB header name with control bytes is cut and escaped where it names the column', async () => {
    const name = `\x1b[1m${'n'.repeat(300_000)}`;
    const file = writeTemp('big-name.csv', `a,${name}\n1,2\n3,x\n`);
    const error = await messageOf(readCsvTable(file));
    expect(error.message).toBe(`${file}:3: column "\\x1b[1m${'n'.repeat(56)}…(+299944 bytes)": expected a number, got "x"`);
    // and where a message lists the file's columns
    const missing = await messageOf(readCsvTable(file, { label: 'Label\n' }));
    expect(missing.code).toBe('DC_ERR_SCHEMA');
    expect(missing.message).toBe(`${file}: column "Label": label column not found (the file has 2 columns: a, \\x1b[1m${'n'.repeat(36)}…(+299964 bytes))`);
  });

  it('a file name with control bytes is escaped', async () => {
    const file = path.join(tempDir(), 'evil\n\x1b[2Jname.csv');
    fs.writeFileSync(file, 'a,b\n1,2\n3,x\n');
    const error = await messageOf(readTable(file));
    expect(error.file).toBe(file);
    expect(error.message).toBe(`${path.dirname(file)}/evil\\n\\x1b[2Jname.csv:3: column "b": expected a number, got "x"`);
  });
});
