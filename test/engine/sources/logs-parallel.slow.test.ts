/**
 * The logs source's scan on the worker pool: a folder of several log files gives the same check
 * whatever the workers (0, 1, 2, 3) and wherever the byte ranges cut the files, the same as the
 * sequential reader (the `pull` path: every line through JSON.parse) and as the CSV file of the
 * same rows; lines the fast scanner leaves to JSON.parse (escapes, non-ASCII text, arrays,
 * booleans, CRLF, blank lines, exponents) change nothing; an error in a worker names file:line
 * and the field, the first in file order.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { checkDrift } from '../../../engine/drift/index.js';
import { checkSourceWindow, openSource, type SourceOptions } from '../../../engine/sources/index.js';
import { tempDir } from '../../helpers.js';
import { predictionRows, windowCsv, writeLogs } from './dataset.js';
import { csvReference, DRIFTED, QUIET, verdict } from './equivalence.js';

const rows = predictionRows();

/** The same lines written as a serving API might: spacing, key order, exponents, escapes, text and arrays the features do not use, CRLF, blank lines, no final line end. */
function awkwardCopy(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  const names = readdirSync(from).sort();
  names.forEach((name, n) => {
    const lines = readFileSync(join(from, name), 'utf8').split('\n').filter((l) => l !== '');
    const out = lines.map((text, r) => {
      const line = JSON.parse(text) as { timestamp: string; features: Record<string, unknown> };
      const features = Object.entries(line.features).map(([key, value]) => {
        let v = value;
        if (typeof v === 'number' && r % 3 === 0) v = v.toExponential();
        else if (v === 'Infinity' && r % 2 === 0) v = ' INF ';
        const shownKey = r % 17 === 0 && key === 'Flow Duration' ? '"Flow\\u0020Duration"' : JSON.stringify(key);
        return `${shownKey}${r % 4 === 0 ? ' : ' : ':'}${typeof v === 'string' && r % 3 === 0 && v !== ' INF ' && !/^[A-Za-z]/.test(v) ? v : JSON.stringify(v)}`;
      });
      if (r % 2 === 1) features.reverse();
      const extra = r === 0 ? [] : [r % 11 === 0 ? '"note": "café ✓"' : '', r % 13 === 0 ? '"tags": [1, true, {"x": null}]' : '', r % 19 === 0 ? '"ok": false' : ''].filter((e) => e !== '');
      const rest = Object.entries(line).filter(([key]) => key !== 'features').map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
      const body = `{${[...rest, ...extra, `"features": {${features.join(r % 4 === 0 ? ' , ' : ',')}}`].join(', ')}}`;
      return (r % 5 === 0 ? `  ${body}\t` : body) + (r % 7 === 0 ? '\r' : '') + (r % 23 === 0 ? '\n   ' : '');
    });
    writeFileSync(join(to, name), out.join('\n') + (n === names.length - 1 ? '' : '\n'));
  });
  return to;
}

async function check(dir: string, window: typeof DRIFTED, options: SourceOptions & { pull?: boolean; method?: 'wasserstein' }) {
  const source = await openSource(`logs:${dir}`, options);
  try {
    return (await checkSourceWindow(source, profile!, window, options)).report;
  } finally {
    await source.close();
  }
}

let profile: Awaited<ReturnType<typeof csvReference>> | undefined;

describe('the logs source on the worker pool', () => {
  it('gives the same check with 0 to 3 workers and byte ranges cut anywhere, as the sequential reader and the CSV file do', async () => {
    const dir = tempDir();
    const plain = writeLogs(rows, join(dir, 'logs'));
    const awkward = awkwardCopy(plain, join(dir, 'awkward'));
    expect(readdirSync(awkward).length).toBe(6);
    profile = await csvReference(rows, dir);
    // every way on the drifted window, a few on the quiet one (each check reads the whole folder)
    const ways = (window: typeof DRIFTED, folder: string) =>
      window === QUIET ? [{ workers: 2 }] : [0, 1, 2, 3].flatMap((workers) => (folder === plain || workers % 3 === 0 ? [undefined, 16_381, 65_537] : [16_381]).map((rangeBytes) => ({ workers, rangeBytes })));
    for (const window of [DRIFTED, QUIET]) {
      const file = windowCsv(rows, window.from.getTime(), window.until.getTime(), join(dir, `window-${window.from.getTime()}.csv`));
      const expected = verdict(await checkDrift(profile, file, { workers: 0 }));
      for (const folder of [plain, awkward]) {
        const sequential = await check(folder, window, { pull: true });
        expect(verdict(sequential)).toEqual(expected);
        for (const way of ways(window, folder)) {
          const report = await check(folder, window, way);
          expect(verdict(report), `${folder}, ${JSON.stringify(way)}`).toEqual(expected);
          expect(report).toEqual(sequential);
        }
      }
    }
  });

  it("gives a fine-grid check's tail sums the same bits whatever the workers", async () => {
    const dir = tempDir();
    const logs = writeLogs(rows, join(dir, 'logs'), { flat: true, unixSeconds: true });
    profile ??= await csvReference(rows, dir);
    const reports = [];
    for (const workers of [0, 2, 3, 1]) reports.push(await check(logs, DRIFTED, { workers, rangeBytes: 20_011, method: 'wasserstein' }));
    expect(reports[0]!.features.some((f) => f.score > 0)).toBe(true);
    for (const report of reports) expect(report).toEqual(reports[0]);
  });

  it('names file, line and field of the first bad line in file order (a line over the limit too), whichever worker read it', async () => {
    const dir = join(tempDir(), 'logs');
    mkdirSync(dir);
    profile ??= await csvReference(rows, tempDir());
    const feature = profile.features[0]!.name;
    const line = (minute: number, value: unknown) => JSON.stringify({ timestamp: new Date(DRIFTED.from.getTime() + minute * 60_000).toISOString(), features: Object.fromEntries(profile!.features.map((f, i) => [f.name, i === 0 ? value : 1])) });
    const good = Array.from({ length: 400 }, (_, i) => line(i, i));
    const cases: Array<[string, RegExp]> = [
      [line(500, 'x\u0007y'), new RegExp(`b\\.jsonl:251: column "${feature}": expected a number, true/false, null, NaN or Infinity, got "x\\\\u0007y"`)],
      ['{"timestamp": "2026-03-01", oops}', /b\.jsonl:251: not a JSON object: \{"timestamp": "2026-03-01", oops\}/],
      [JSON.stringify({ timestamp: 'soon', features: {} }), /b\.jsonl:251: column "timestamp": expected an ISO 8601 time or Unix seconds, got "soon"/],
      // longer than the line limit (1 MiB), which the range that holds its start reports
      [`{"timestamp": 1, "pad": "${'x'.repeat(1_100_000)}"}`, /b\.jsonl:251: line longer than 1048576 bytes \(the line limit\)/],
    ];
    for (const [bad, pattern] of cases) {
      writeFileSync(join(dir, 'a.jsonl'), good.join('\n') + '\n');
      // the bad line, and a later one in the same file and one in a later file, which must not win
      writeFileSync(join(dir, 'b.jsonl'), [...good.slice(0, 250), bad, ...good.slice(250), '[1]'].join('\n') + '\n');
      writeFileSync(join(dir, 'c.jsonl'), 'not json\n');
      for (const workers of [0, 2, 3]) {
        for (const rangeBytes of [undefined, 997]) {
          const error = (await check(dir, DRIFTED, { workers, rangeBytes }).catch((e: Error) => e)) as Error;
          expect(error.message, `${workers} workers, ${rangeBytes ?? 'default'} bytes per task`).toMatch(pattern);
          expect(error.message).not.toContain('\n');
        }
      }
    }
  });
});
