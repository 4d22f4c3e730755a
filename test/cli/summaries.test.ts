/**
 * Batch summaries from the command line, on the real CICIDS extract split into shards:
 * `scan <shard> --summary-out part.json` on each shard, then `check --summaries part*.json`
 * gives the report `scan` gives of all the shards at once, field for field (PSI on the deciles,
 * KS and auto on the fine edges, compat driftcatcher on its edges); a fine summary also serves
 * PSI; a summary of another baseline, of the deciles for a method that needs the fine counts,
 * or a file that is not a summary is refused in one line (exit 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_9998, cli, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-summaries-');
let profile: string;
let other: string;
const shards: string[] = [];

beforeAll(() => {
  const csv = readCsvText(HEAD_9998);
  const train = writeCsvText(join(dir, 'train.csv'), { ...csv, rows: csv.rows.slice(0, 3000) });
  // the rest in three shards of uneven size
  for (const [i, [from, to]] of [[3000, 5500], [5500, 6100], [6100, csv.rows.length]].entries()) shards.push(writeCsvText(join(dir, `shard-${i}.csv`), { ...csv, rows: csv.rows.slice(from, to) }));
  profile = join(dir, 'profile.json');
  other = join(dir, 'other.json');
  for (const [data, out] of [[train, profile], [shards[0]!, other]] as const) {
    const made = cli(['baseline', data, '-o', out]);
    expect(made.code, made.stderr).toBe(0);
  }
});

const common = ['--no-record', '--workers', '0'];

function summarise(method: string[], tag: string): string[] {
  return shards.map((shard, i) => {
    const out = join(dir, `${tag}-part-${i}.json`);
    const run = cli(['scan', shard, '--baseline', profile, ...method, '--summary-out', out, '--json', ...common]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`written to ${out}`);
    return out;
  });
}


describe('scan --summary-out, check --summaries', () => {
  for (const [tag, method] of [['psi', []], ['ks', ['--method', 'ks']], ['auto', ['--method', 'auto']], ['compat', ['--compat', 'driftcatcher']]] as const) {
    it(`${tag}: the summaries of the shards added = a scan of all the shards at once`, () => {
      const parts = summarise([...method], tag);
      const summary = JSON.parse(readFileSync(parts[0]!, 'utf8'));
      expect(summary).toMatchObject({ format: 'driftcatcher-summary', version: 1, rows: 2500, files: [shards[0]], edges: tag === 'psi' ? 'deciles' : tag === 'compat' ? 'compat' : 'fine' });
      expect(summary.baseline.id).toBe(JSON.parse(readFileSync(profile, 'utf8')).id);
      const checked = cli(['check', '--baseline', profile, '--summaries', ...parts, ...method, '--json', ...common]);
      expect(checked.code, checked.stderr).toBe(0);
      const all = cli(['scan', ...shards, '--baseline', profile, ...method, '--json', ...common]);
      expect(all.code, all.stderr).toBe(0);
      const combined = JSON.parse(all.stdout).combined;
      expect(JSON.stringify(JSON.parse(checked.stdout))).toBe(JSON.stringify(combined));
      expect(combined.current.rows).toBe(9998 - 3000);
    });
  }

  it('fine summaries serve psi: the same scores and verdict as a PSI scan of all the shards', () => {
    const parts = summarise(['--method', 'ks'], 'fine-for-psi');
    const checked = JSON.parse(cli(['check', '--baseline', profile, '--summaries', ...parts, '--json', ...common]).stdout);
    const all = JSON.parse(cli(['scan', ...shards, '--baseline', profile, '--json', ...common]).stdout).combined;
    expect(checked.settings.fine).toBe(true);
    // the constant signal looks at the scan's most crowded bin, finer on the fine edges (docs/STATISTICS.md): the rest is the same
    type Report = { features: Array<{ quality: { constant: unknown } }> };
    const withoutTopBin = (r: Report) => ({ ...r, features: r.features.map((f) => ({ ...f, quality: { ...f.quality, constant: null } })) });
    expect(withoutTopBin({ ...checked, settings: { ...checked.settings, fine: false } })).toEqual(withoutTopBin(all));
  });

  it('refuses, in one line (exit 2): another baseline, deciles for ks, not a summary, data and --summaries both or neither', () => {
    const parts = summarise([], 'refusals');
    const one = (args: string[]) => {
      const run = cli([...args, ...common]);
      expect(run.code, run.stderr).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      return lines[0]!;
    };
    expect(one(['check', '--baseline', other, '--summaries', ...parts])).toMatch(/^driftcatcher: .*summary refusals-part-0\.json was counted on baseline [0-9a-f]{12} \(train\.csv\), not on this one, [0-9a-f]{12} \(shard-0\.csv\); rescan its files with this baseline$/);
    expect(one(['check', '--baseline', profile, '--summaries', ...parts, '--method', 'ks'])).toMatch(/summary refusals-part-0\.json holds counts on the deciles edges, and this check bins on the fine edges; method ks needs the fine counts: rescan with `scan --method ks --summary-out`$/);
    const notSummary = join(dir, 'not-a-summary.json');
    writeFileSync(notSummary, JSON.stringify({ format: 'driftcatcher-summary', version: 1, baseline: { id: 'x', file: 'y', bins: 10, resolution: 1000 }, edges: 'deciles', files: [], rows: 5, features: [{ name: 'a\u0007', counts: [1, -2] }] }));
    expect(one(['check', '--baseline', profile, '--summaries', notSummary])).toMatch(/not-a-summary\.json.*not a valid driftcatcher summary: features\[0\] \(a\\x07\): counts: expected a non-empty list of whole numbers, 0 or more$/);
    expect(one(['check', '--baseline', profile, shards[0]!, '--summaries', ...parts])).toMatch(/give the current data or --summaries, not both$/);
    expect(one(['check', '--baseline', profile])).toMatch(/give the current data, or --summaries$/);
  });
});
