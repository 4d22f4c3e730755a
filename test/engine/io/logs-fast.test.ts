/**
 * The fast scanner of log lines (engine/io/logs/fast.ts) against JSON.parse and parseLogTime: on
 * every line it reads it gives the time and values they give, and it leaves to them (FALLBACK)
 * whatever it does not read, never a different answer. Numbers: the doubles of the real CICIDS
 * rows and their neighbours, written as JSON.stringify, toExponential and toFixed write them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BLANK, FALLBACK, FastLogScanner, PARSED } from '../../../engine/io/logs/fast.js';
import { parseLogRecord, parseLogTime } from '../../../engine/io/index.js';
import { HEAD_9998 } from './fixtures.js';

const fields = { timeColumn: 'timestamp', featuresField: 'features' };
const encoder = new TextEncoder();

/** What the scanner says of a line, beside what JSON.parse (parseLogRecord) says. */
function both(text: string, features: string[]) {
  const scanner = new FastLogScanner(features, fields);
  const bytes = encoder.encode(text);
  const parsed = scanner.parse(bytes, 0, bytes.length);
  let record: ReturnType<typeof parseLogRecord> | Error;
  try {
    record = parseLogRecord(text, fields, { file: 'x' });
  } catch (err) {
    record = err as Error;
  }
  return { parsed, scanner, record };
}

function expectSame(text: string, features: string[]) {
  const { parsed, scanner, record } = both(text, features);
  if (parsed === FALLBACK) return false;
  if (parsed === BLANK) {
    expect(record, text).toBeNull();
    return true;
  }
  expect(parsed).toBe(PARSED);
  if (record instanceof Error || record === null) throw new Error(`the scanner read ${text}, JSON.parse did not: ${String(record)}`);
  expect(scanner.time, text).toBe(record.time);
  features.forEach((name, f) => {
    const value = scanner.value(f);
    const expected = record.values[name];
    if (value === undefined) expect(typeof expected, `${text}: ${name}`).toBe('string');
    else if (expected === null || expected === undefined) expect(value, `${text}: ${name}`).toBeNaN();
    else if (typeof expected === 'string') expect(Object.is(value, parseFloat(expected.trim().replace(/^(\+|-)?inf(inity)?$/i, '$1Infinity')))).toBe(true);
    else expect(Object.is(value, expected), `${text}: ${name}: ${value} vs ${String(expected)}`).toBe(true);
  });
  return true;
}

describe('the fast log-line scanner', () => {
  it('reads every number of the CICIDS rows (and its neighbours, in three notations) to the bits JSON.parse gives', () => {
    const cells = readFileSync(HEAD_9998, 'latin1').split('\n').slice(1, 801).flatMap((line) => line.split(',').slice(0, -1));
    const numbers = [...new Set(cells.map(Number).filter(Number.isFinite))];
    const texts = numbers.flatMap((v) => [JSON.stringify(v), JSON.stringify(v * 1.000001), JSON.stringify(-v / 7), v.toExponential(), (v / 3).toFixed(6), (v / 1e9).toExponential(3).toUpperCase()]);
    texts.push('0', '-0', '-0.0', '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '0.1e-22', '9007199254740993', '4.35e-15', '1E+22', '1e23');
    let read = 0;
    for (let i = 0; i < texts.length; i += 8) {
      const chunk = texts.slice(i, i + 8);
      const line = `{"timestamp": 1767225600, "features": {${chunk.map((t, k) => `"f${k}": ${t}`).join(', ')}}}`;
      if (expectSame(line, chunk.map((_, k) => `f${k}`))) read++;
    }
    expect(read).toBe(Math.ceil(texts.length / 8));
  });

  it('reads times as parseLogTime does, and leaves it the ones it does not read', () => {
    const times = ['2026-01-01T00:00:00Z', '2026-03-01T12:34:56.789Z', '2026-03-01T12:34:56.789+02:00', '2026-03-01T12:34:56-05:30', '2026-03-01T12:34:56', '2026-02-28T23:59:59.999Z',
      '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '2026-01-01T00:00:00.1Z', '2026-01-01 00:00:00Z', '2026-01-01', '2026-01-01T00:00Z', '2026-13-01T00:00:00Z', '0999-01-01T00:00:00Z', '2026-01-01T00:00:00z', '2026-01-01T00:00:00+0200', 'soon'];
    let fast = 0;
    for (const time of times) {
      const line = `{"timestamp": ${JSON.stringify(time)}, "features": {"a": 1}}`;
      const { parsed, scanner } = both(line, ['a']);
      if (parsed === PARSED) {
        fast++;
        expect(scanner.time, time).toBe(parseLogTime(time));
      } else expect(parsed).toBe(FALLBACK);
      expectSame(line, ['a']);
    }
    expect(fast).toBeGreaterThanOrEqual(6);
    expect(both('{"timestamp": 1767225600.5, "features": {"a": 1}}', ['a']).scanner.time).toBe(1767225600500);
  });

  it('merges the features object over the top-level fields, the last of a repeated key winning, as the sources read a line', () => {
    const lines = [
      '{"timestamp": 1, "a": 1, "features": {"a": 2, "b": null}}',
      '{"timestamp": 1, "a": 1, "b": 5}',
      '{"timestamp": 1, "features": {"a": 2, "a": 3}, "b": "NaN", "c": " -INF "}',
      '{"timestamp": 1, "features": 7, "a": "Infinity"}',
      '{"timestamp": 1, "features": {}, "a": "high"}',
      '  {"timestamp" : 1 , "features" : { "a" : -0 } }\r',
      ' \t\r',
      '{"timestamp": 1, "timestamp": 2, "features": {"a": 1}}',
    ];
    for (const line of lines) expect(expectSame(line, ['a', 'b', 'c']), line).toBe(true);
  });

  it('leaves escapes, non-ASCII text, arrays, booleans, deeper objects, bad JSON and bad times to JSON.parse', () => {
    const lines = ['{"timestamp": 1, "features": {"\\u0061": 1}}', '{"timestamp": 1, "note": "café"}', '{"timestamp": 1, "t": [1]}', '{"timestamp": 1, "ok": true}', '{"timestamp": 1, "m": {"n": 1}}',
      '{"timestamp": 1, "a": 01}', '{"timestamp": 1, "a": 1,}', '{"timestamp": 1} x', '[1]', 'not json', '{"a": 1}', '{"timestamp": null}', '{"timestamp": "x"}', '{"timestamp": 1, "__proto__": {"a": 1}}', '{"timestamp": 1, "features": {"a": 1}, "features": {"a": 2}}', '\u000b{"timestamp": 1}'];
    for (const line of lines) expect(both(line, ['a']).parsed, line).toBe(FALLBACK);
  });
});
