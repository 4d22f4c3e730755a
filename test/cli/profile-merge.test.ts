/**
 * `driftcatcher profile merge` on the real extract in two shards: the merged profile checks like
 * a baseline (and a check against it of its own data drifts nowhere), a merge of one profile is
 * that profile byte for byte but for its write, profiles of other bins are refused in one line
 * (exit 2), and nothing is written then.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEAD_9998, cli, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-merge-');
const shards: string[] = [];
const profiles: string[] = [];

beforeAll(() => {
  const csv = readCsvText(HEAD_9998);
  for (const [i, [from, to]] of [[0, 4000], [4000, csv.rows.length]].entries()) {
    shards.push(writeCsvText(join(dir, `shard-${i}.csv`), { ...csv, rows: csv.rows.slice(from, to) }));
    profiles.push(join(dir, `shard-${i}.json`));
    const made = cli(['baseline', shards[i]!, '-o', profiles[i]!]);
    expect(made.code, made.stderr).toBe(0);
  }
});

describe('profile merge', () => {
  it('writes a merged profile that states its rank error and checks like any baseline', () => {
    const out = join(dir, 'all.json');
    const run = cli(['profile', 'merge', ...profiles, '-o', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ profile: out, shards: 2, rows: 9998, features: 78 });
    expect(summary.worst_rank_error).toBeLessThan(0.01);
    const merged = JSON.parse(readFileSync(out, 'utf8'));
    expect(merged.merged_from).toHaveLength(2);
    expect(merged.features[0].merged).toMatchObject({ shards: 2 });
    const check = cli(['check', '--baseline', out, HEAD_9998, '--json', '--no-record', '--workers', '0']);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ n_drifted_features: 0, action: 'wait' });
  });

  it('a merge of one profile is that profile', () => {
    const out = join(dir, 'one.json');
    expect(cli(['profile', 'merge', profiles[0]!, '-o', out]).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(readFileSync(profiles[0]!, 'utf8')));
  });

  it('profiles of other bins: one line, exit 2, nothing written', () => {
    const five = join(dir, 'five.json');
    expect(cli(['baseline', shards[1]!, '--bins', '5', '-o', five]).code).toBe(0);
    const out = join(dir, 'refused.json');
    const run = cli(['profile', 'merge', profiles[0]!, five, '-o', out]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^driftcatcher: .*cannot merge: its bins are (5|10), (shard-0|five)\.json's (5|10); merge profiles built with the same --bins, --resolution, --label and columns\n$/);
    expect(existsSync(out)).toBe(false);
  });
});
