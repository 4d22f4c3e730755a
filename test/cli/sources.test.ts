/** The built CLI on the embedded sources (DuckDB over Parquet written by DuckDB, JSON-lines logs): reference create/stats, check --from, --chunk, errors. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-sources-');
const logs = join(dir, 'logs');
mkdirSync(logs);
// 20 days, one line an hour; from day 15 feature a is shifted (drift)
const lines = Array.from({ length: 480 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), features: { a: (i % 24) + (i >= 360 ? 30 : 0), b: (i * 7) % 31 }, prediction: i % 2, probability: 0.5, label: i % 2 }));
writeFileSync(join(logs, 'p.jsonl'), lines.join('\n') + '\n');

describe('driftcatcher --from logs:', () => {
  it('reference create, reference stats, check --window with the drifted days, --chunk per day', () => {
    const reference = join(dir, 'reference.json');
    const created = cli(['reference', 'create', '--from', `logs:${logs}`, '--days', '10', '--until', '2026-01-11', '-o', reference]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe(`wrote ${reference}: 2 features, 240 rows of logs:${logs} in [2026-01-01T00:00:00.000Z, 2026-01-11T00:00:00.000Z) UTC\n`);
    const stats = cli(['reference', 'stats', reference]);
    expect(stats.stdout).toMatch(/rows: +240 \(240 with every feature finite\), 2 features, 10 bins/);
    expect(stats.stdout).toMatch(/\ba +240 +0 +0\.0000 +11\.\d+ +23\.0000/);
    const quiet = cli(['check', '--from', `logs:${logs}`, '--window', '2d', '--until', '2026-01-13', '--baseline', reference, '--json', '--no-record']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(JSON.parse(quiet.stdout).action).toBe('wait');
    const drifted = cli(['check', '--from', `logs:${logs}`, '--window', '2d', '--until', '2026-01-20', '--baseline', reference, '--fail-on', 'alert', '--no-record']);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/^window \[2026-01-18T00:00:00.000Z, 2026-01-20T00:00:00.000Z\) UTC: 48 rows of logs:/);
    const chunks = cli(['check', '--from', `logs:${logs}`, '--window', '4d', '--chunk', '1d', '--until', '2026-01-18', '--reference-days', '10', '--json', '--no-record']);
    expect(chunks.code, chunks.stderr).toBe(0);
    const result = JSON.parse(chunks.stdout);
    expect(result.chunks.map((c: { report: { action: string } }) => c.report.action)).toEqual(['wait', 'wait', 'retrain', 'retrain']);
  });

  it('check --workers 0 and 2 give the same report; a bad line read by a worker is one line naming file:line and field, exit 2', () => {
    const reference = join(dir, 'reference-workers.json');
    expect(cli(['reference', 'create', '--from', `logs:${logs}`, '--days', '10', '--until', '2026-01-11', '-o', reference]).code).toBe(0);
    const split = join(dir, 'split');
    mkdirSync(split);
    // the same lines in four files, so that two workers share them
    for (let f = 0; f < 4; f++) writeFileSync(join(split, `p-${f}.jsonl`), lines.slice(f * 120, (f + 1) * 120).join('\n') + '\n');
    const reports = [0, 2].map((workers) => cli(['check', '--from', `logs:${split}`, '--window', '4d', '--until', '2026-01-20', '--baseline', reference, '--json', '--no-record', '--workers', String(workers)]));
    for (const result of reports) expect(result.code, result.stderr).toBe(0);
    const report = (text: string) => ({ ...JSON.parse(text), timestamp: null, current: { ...JSON.parse(text).current, files: null } });
    expect(report(reports[1]!.stdout)).toEqual(report(reports[0]!.stdout));
    const bad = (line: string) => {
      writeFileSync(join(split, 'p-2.jsonl'), [...lines.slice(240, 300), line, ...lines.slice(301, 360)].join('\n') + '\n');
      return cli(['check', '--from', `logs:${split}`, '--window', '4d', '--until', '2026-01-20', '--baseline', reference, '--no-record', '--workers', '2']);
    };
    const cases: [string, RegExp][] = [
      ['{"timestamp": "2026-01-13T12:00:00Z", "features": {"a": 1, "b": }', /p-2\.jsonl:61: not a JSON object: \{"timestamp": "2026-01-13T12:00:00Z", "f/],
      ['{"timestamp": "2026-01-18T12:00:00Z", "features": {"a": "high", "b": 2}}', /p-2\.jsonl:61: column "a": expected a number, true\/false, null, NaN or Infinity, got "high"/],
      ['{"timestamp": "13/01/2026", "features": {"a": 1, "b": 2}}', /p-2\.jsonl:61: column "timestamp": expected an ISO 8601 time or Unix seconds, got "13\/01\/2026"/],
    ];
    for (const [line, pattern] of cases) {
      const result = bad(line);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    }
  });

  it('boolean fields are not features (docs/SOURCES.md): the reference leaves them out, and the workers\' scan and the rows pulled (--pull) give one report', () => {
    const flags = join(dir, 'flags');
    mkdirSync(flags);
    // feature b a boolean: true on odd hours, and on every hour from day 15 (drift)
    const flagLines = Array.from({ length: 480 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), features: { a: i % 24, b: i % 2 === 1 || i >= 360 }, label: i % 2 === 1 }));
    writeFileSync(join(flags, 'p.jsonl'), flagLines.join('\n') + '\n');
    const reference = join(dir, 'reference-flags.json');
    const created = cli(['reference', 'create', '--from', `logs:${flags}`, '--days', '10', '--until', '2026-01-11', '-o', reference]);
    expect(created.code, created.stderr).toBe(0);
    const check = (extra: string[]) => cli(['check', '--from', `logs:${flags}`, '--window', '4d', '--until', '2026-01-20', '--baseline', reference, '--json', '--no-record', ...extra]);
    const runs = [check(['--workers', '0']), check(['--workers', '2']), check(['--pull'])];
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const report = (text: string) => ({ ...JSON.parse(text), timestamp: null, current: { ...JSON.parse(text).current, files: null } });
    expect(report(runs[1]!.stdout)).toEqual(report(runs[0]!.stdout));
    expect(report(runs[2]!.stdout).features).toEqual(report(runs[0]!.stdout).features);
    expect(created.stdout).toMatch(/: 1 feature, 240 rows of logs:/);
    expect((JSON.parse(runs[0]!.stdout) as { features: { name: string }[] }).features.map((f) => f.name)).toEqual(['a']);
  });

  it('check --max-line-bytes raises the line limit of the logs, read by the workers and for the reference', () => {
    const long = join(dir, 'long');
    mkdirSync(long);
    // a line of the reference period and one of the window, each over the default 1 MiB limit
    const padded = (i: number) => JSON.stringify({ ...JSON.parse(lines[i]!), note: 'x'.repeat(1_200_000) });
    writeFileSync(join(long, 'p.jsonl'), lines.map((line, i) => (i === 200 || i === 400 ? padded(i) : line)).join('\n') + '\n');
    const args = ['check', '--from', `logs:${long}`, '--window', '4d', '--until', '2026-01-20', '--reference-days', '10', '--json', '--no-record'];
    const refused = cli([...args, '--workers', '2']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/p\.jsonl:201: line longer than 1048576 bytes \(the line limit\)/);
    for (const workers of ['0', '2']) {
      const result = cli([...args, '--workers', workers, '--max-line-bytes', '2000000']);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).current.rows).toBe(96);
    }
    // reference create (and monitor, agent watch --from) take the flag too
    const create = ['reference', 'create', '--from', `logs:${long}`, '--days', '10', '--until', '2026-01-11', '-o', join(dir, 'reference-long.json')];
    expect(cli(create).stderr).toMatch(/p\.jsonl:201: line longer than 1048576 bytes/);
    const created = cli([...create, '--max-line-bytes', '2000000']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/240 rows of logs:/);
  });

  it('bad usage and bad sources are one line, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['check', '--from', `logs:${logs}`, '--window', '1d'], /with --from, give --baseline <reference.json> or --reference-days <n>/],
      [['check', '--from', `logs:${logs}`, '--window', '1x', '--reference-days', '3'], /--window must be a duration such as 30m/],
      [['check', '--from', `logs:${logs}`, '--until', 'tomorrow', '--reference-days', '3'], /--until must be an ISO 8601 date/],
      [['check', join(dir, 'x.csv'), '--chunk', '1d', '--baseline', 'x.json'], /--chunk goes with --from <source>/],
      [['reference', 'create', '--from', `logs:${join(dir, 'none')}`, '--days', '3', '-o', join(dir, 'r.json')], /none: no such folder/],
      [['reference', 'create', '--from', `duckdb:${join(dir, 'none.duckdb')}`, '--days', '3', '-o', join(dir, 'r.json')], /none\.duckdb: no such DuckDB database file/],
      [['reference', 'create', '--from', `logs:${logs}`, '--days', '3', '--until', '2030-01-01', '-o', join(dir, 'r.json')], /no rows in the window \[2029-12-29T00:00:00.000Z, 2030-01-01T00:00:00.000Z\)/],
      [['reference', 'create', '--from', `logs:${logs}`, '--days', '10', '--until', '2026-01-11', '--max-rows', '100', '-o', join(dir, 'r.json')], /has 240 rows, more than the 100 a reference pulls \(raise --max-rows/],
    ];
    for (const [args, pattern] of cases) {
      const result = cli(args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
