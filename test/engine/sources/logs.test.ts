/** The JSON-lines logs source: the same rows as CSV files, nested or flat, ISO times with an offset or Unix seconds; one-line errors naming file:line. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openSource, parseLogTime } from '../../../engine/sources/index.js';
import { tempDir } from '../../helpers.js';
import { predictionRows, writeLogs } from './dataset.js';
import { assertBoundaries, assertSameAsCsv, DRIFTED, REFERENCE } from './equivalence.js';
import { referenceFromSource } from '../../../engine/sources/index.js';

const rows = predictionRows();

describe('a logs source', () => {
  it('gives the reference and the verdicts of the same rows as CSV files (nested features, times with a +02:00 offset)', async () => {
    const dir = tempDir();
    const source = await openSource(`logs:${writeLogs(rows, join(dir, 'logs'))}`);
    await assertSameAsCsv(source, rows, dir);
    await assertBoundaries(source);
  });

  it('reads flat lines with Unix-second times the same way', async () => {
    const dir = tempDir();
    const source = await openSource(`logs:${writeLogs(rows, join(dir, 'logs'), { flat: true, unixSeconds: true })}`);
    await assertSameAsCsv(source, rows, dir);
  });

  it('takes a time without an offset as UTC', () => {
    expect(parseLogTime('2026-01-31T00:00:00')).toBe(Date.UTC(2026, 0, 31));
    expect(parseLogTime('2026-01-31 02:00:00+02:00')).toBe(Date.UTC(2026, 0, 31));
    expect(parseLogTime('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseLogTime(1769817600)).toBe(Date.UTC(2026, 0, 31));
    expect(parseLogTime('yesterday')).toBeNaN();
    // a day past the month's end is no date (Date.parse alone rolls it over into the next month)
    expect(parseLogTime('2026-02-30T12:00:00Z')).toBeNaN();
    expect(parseLogTime('2026-04-31')).toBeNaN();
    expect(parseLogTime('2026-13-01')).toBeNaN();
    expect(parseLogTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('names file, line and field of a bad line, in one line', async () => {
    const dir = join(tempDir(), 'logs');
    mkdirSync(dir);
    const good = JSON.stringify({ timestamp: '2026-01-01T00:00:00Z', features: { a: 1, b: 2 }, prediction: 0 });
    const cases: [string, RegExp][] = [
      [`${good}\n{"timestamp": "2026-01-01T00:01:00Z", "features": {"a": "x\\u0007y", "b": 2}}\n`, /a\.jsonl:2: column "a": expected a number, true\/false, null, NaN or Infinity, got "x\\u0007y"/],
      [`${good}\nnot json\n`, /a\.jsonl:2: not a JSON object: not json/],
      [`${good}\n{"a": "\u0007"}\n`, /a\.jsonl:2: not a JSON object: \{"a": "\\x07"\}$/],
      [`${good}\n{"features": {"a": 1}}\n`, /a\.jsonl:2: column "timestamp": expected an ISO 8601 time or Unix seconds, got none/],
    ];
    for (const [text, pattern] of cases) {
      writeFileSync(join(dir, 'a.jsonl'), text);
      const source = await openSource(`logs:${dir}`);
      const error = (await referenceFromSource(source, REFERENCE).catch((e: Error) => e)) as Error;
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain('\n');
    }
    await expect(openSource(`logs:${join(dir, 'nope')}`).then((s) => s.countRows(DRIFTED))).rejects.toThrow(/nope: no such folder/);
  });
});
