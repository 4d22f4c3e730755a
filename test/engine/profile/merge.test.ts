/**
 * mergeProfiles' rules on real rows (the CICIDS extract in shards): a merge of one profile is
 * that profile; the order of the inputs does not matter; what adds, adds; profiles of other
 * bins, resolution, features or version 1 are refused in one line naming the file. The numbers
 * against numpy on the concatenated rows: test/reference/profile-merge.test.ts.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBaseline, type Profile } from '../../../engine/index.js';
import { mergeProfiles } from '../../../engine/profile/index.js';
import { HEAD_9998, readCsvText, tempDir, writeCsvText } from '../../helpers.js';

const dir = tempDir('dc-merge-');
let files: string[];
let profiles: Profile[];

beforeAll(async () => {
  const csv = readCsvText(HEAD_9998);
  files = [[0, 1500], [1500, 2500], [2500, 4000]].map(([from, to], i) => writeCsvText(join(dir, `shard-${i}.csv`), { ...csv, rows: csv.rows.slice(from, to) }));
  profiles = [];
  for (const file of files) profiles.push(await createBaseline(file, { resolution: 200 }));
  whole = await createBaseline(writeCsvText(join(dir, 'whole.csv'), { ...csv, rows: csv.rows.slice(0, 4000) }), { resolution: 200 });
});
let whole: Profile;

const inputs = (order: number[]) => order.map((i) => ({ profile: profiles[i]!, file: files[i]! }));

describe('mergeProfiles', () => {
  it('categorical features: the value counts add, equal to the profile of all the rows at once', () => {
    const merged = mergeProfiles(inputs([0, 1, 2]));
    const both = merged.features.filter((f) => f.categorical && whole.features.find((w) => w.name === f.name)!.categorical);
    expect(both.length).toBeGreaterThan(5);
    for (const f of both) expect(f.categorical, f.name).toEqual(whole.features.find((w) => w.name === f.name)!.categorical);
    // categorical in every shard, or not at all
    for (const f of merged.features) expect(f.categorical !== undefined, f.name).toBe(profiles.every((p) => p.features.find((g) => g.name === f.name)!.categorical !== undefined));
  });

  it('categorical features with an "other" bucket keep only the categories every shard lists, with exact counts', async () => {
    const named = async (file: string) => createBaseline(file, { resolution: 200, categorical: ['Destination Port'], maxCategories: 5 });
    const shards: Profile[] = [];
    for (const file of files) shards.push(await named(file));
    const merged = mergeProfiles(shards.map((profile, i) => ({ profile, file: files[i]! })));
    const port = (p: Profile) => p.features.find((f) => f.name === 'Destination Port')!.categorical!;
    const c = port(merged);
    const listedEverywhere = port(shards[0]!).values.filter((v) => shards.every((p) => port(p).values.includes(v)));
    expect(c.values).toEqual(listedEverywhere);
    const csv = readCsvText(HEAD_9998);
    const column = csv.header.split(',').findIndex((h) => h.trim() === 'Destination Port');
    const ports = csv.rows.slice(0, 4000).map((r) => Number(r.split(',')[column]));
    c.values.forEach((v, i) => expect(c.counts[i]).toBe(ports.filter((p) => p === v).length));
    expect(c.counts.reduce((a, b) => a + b, 0) + c.other + c.missing).toBe(4000);
    expect(c.kind).toBe('named');
  });

  it('a merge of one profile is that profile', () => {
    expect(mergeProfiles(inputs([1]))).toEqual(profiles[1]);
  });

  it('does not depend on the order of the inputs; counts and rows add; every feature states its rank error', () => {
    const a = mergeProfiles(inputs([0, 1, 2]));
    const b = mergeProfiles(inputs([2, 0, 1]));
    expect({ ...b, created: a.created }).toEqual(a);
    expect(a.rows).toBe(4000);
    expect(a.merged_from!.map((m) => m.rows).sort()).toEqual([1000, 1500, 1500]);
    a.features.forEach((f, i) => {
      expect(f.count).toBe(profiles.reduce((n, p) => n + p.features[i]!.count, 0));
      expect(f.missing).toBe(profiles.reduce((n, p) => n + p.features[i]!.missing, 0));
      expect(f.fine!.counts.reduce((x, y) => x + y, 0)).toBe(f.count);
      expect(f.merged!.shards).toBe(3);
      expect(f.merged!.rank_error).toBeGreaterThanOrEqual(0);
      expect(f.merged!.rank_error).toBeLessThan(0.05);
    });
  });

  it('refuses other bins, resolution, features and version 1 profiles in one line naming the file', async () => {
    const other = await createBaseline(files[0]!, { resolution: 100 });
    const line = (run: () => unknown) => {
      try {
        run();
      } catch (err) {
        const text = String((err as Error).message);
        expect(text.split('\n')).toHaveLength(1);
        return { text, code: (err as { code?: string }).code, file: (err as { file?: string }).file };
      }
      throw new Error('not refused');
    };
    const resolution = line(() => mergeProfiles([...inputs([1]), { profile: other, file: 'other.json' }]));
    expect(resolution.code).toBe('DC_ERR_PROFILE');
    expect(resolution.text).toMatch(/cannot merge: its resolution is (100|200), shard-1\.csv's (100|200)|cannot merge: its resolution is (100|200), other\.json's (100|200)/);
    const fewer = { ...profiles[2]!, id: 'f', features: profiles[2]!.features.slice(1) };
    expect(line(() => mergeProfiles([...inputs([0]), { profile: fewer, file: 'fewer.json' }])).text).toMatch(/cannot merge: its 7[78] features/);
    const v1 = { ...profiles[2]!, version: 1, features: profiles[2]!.features.map(({ fine: _, ...rest }) => rest) } as Profile;
    const old = line(() => mergeProfiles([...inputs([0]), { profile: v1, file: 'v1.json' }]));
    expect(old).toMatchObject({ file: 'v1.json' });
    expect(old.text).toMatch(/profile version 1 has no fine summary to merge; rebuild it with `driftcatcher baseline`/);
  });
});
