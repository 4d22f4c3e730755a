/**
 * Categorical columns in the profile (engine/profile/categorical.ts), pure logic: the detection
 * rule, the summary from value counts (the most frequent values, "other", missing), the scan
 * edges and the slots read back, the profile built with named columns, and the store's checks.
 * Against numpy on the real extract: test/reference/categorical.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBaseline, loadProfile, saveProfile } from '../../../engine/index.js';
import { CATEGORICAL_DEFAULTS, categoricalKind, categoricalSummary, categoryScanEdges, categorySlotCounts, nextUp, sortedValueCounts } from '../../../engine/profile/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-categorical-');

describe('the rule (categoricalKind)', () => {
  const none = new Set<string>();
  it('named columns are categorical whatever their values; else 1 to 64 distinct values with at least 5 values each on average', () => {
    expect(categoricalKind('port', 5000, 9000, new Set(['port']))).toBe('named');
    expect(categoricalKind('flag', 2, 10, none)).toBe('few_distinct');
    expect(categoricalKind('proto', 64, 320, none)).toBe('few_distinct');
    expect(categoricalKind('proto', 64, 319, none)).toBeNull(); // a small sample of a continuous column
    expect(categoricalKind('x', 65, 1_000_000, none)).toBeNull();
    expect(categoricalKind('empty', 0, 0, none)).toBeNull();
    expect(CATEGORICAL_DEFAULTS).toMatchObject({ maxDistinct: 64, minCountPerValue: 5, maxCategories: 100 });
  });
});

describe('the summary (categoricalSummary)', () => {
  it('keeps the most frequent values (ties: the smaller first), ascending; the rest is other; counts add up', () => {
    const counts = new Map([[443, 30], [80, 50], [22, 15], [8080, 15], [21, 2]]);
    const summary = categoricalSummary(counts, 3, 115, 'named', 3);
    expect(summary).toEqual({ kind: 'named', values: [22, 80, 443], counts: [15, 50, 30], other: 17, missing: 3, distinct: 5 });
    expect(categoricalSummary(counts, 3, 115, 'few_distinct', 100).other).toBe(0);
    expect(() => categoricalSummary(counts, 0, 115, 'named', 3)).toThrow(/add up to 112, not the total 115/);
  });

  it('value counts of sorted values', () => {
    expect([...sortedValueCounts([-1, 0, 0, 2, 2, 2])]).toEqual([[-1, 1], [0, 2], [2, 3]]);
    expect(sortedValueCounts([]).size).toBe(0);
  });
});

describe('the scan edges (categoryScanEdges, categorySlotCounts)', () => {
  it('each value and the next double: odd slots are the categories, even slots "other", also when two categories touch', () => {
    const v = 1;
    const edges = categoryScanEdges({ values: [v, nextUp(v), 5] });
    expect(edges).toEqual([v, nextUp(v), nextUp(v), nextUp(nextUp(v)), 5, nextUp(5)]);
    // np.searchsorted(edges, x, 'right') for x = 0, 1, nextUp(1), 3, 5, 7
    const slotOf = (x: number) => edges.filter((e) => e <= x).length;
    expect([0, v, nextUp(v), 3, 5, 7].map(slotOf)).toEqual([0, 1, 3, 4, 5, 6]);
    const slots = [4, 10, 0, 20, 6, 30, 2]; // below 1, =1, -, =nextUp(1), between, =5, above
    expect(categorySlotCounts(slots, 3)).toEqual({ counts: Float64Array.from([10, 20, 30]), other: 12 });
  });
});

describe('a profile with categorical columns', () => {
  /** port: 80 x50, 443 x30, 22 x15, 8080 x5, 2 missing; flag: 0/1; x: continuous */
  function train(): string {
    const ports = [...Array(50).fill(80), ...Array(30).fill(443), ...Array(15).fill(22), ...Array(5).fill(8080), '', 'Infinity'];
    const lines = ['port,flag,x,Label', ...ports.map((p, i) => `${p},${i % 3 === 0 ? 1 : 0},${i * 1.5 + 0.25},BENIGN`)];
    writeFileSync(join(dir, 'train.csv'), lines.join('\n') + '\n');
    return join(dir, 'train.csv');
  }

  it('named columns get the most frequent values, the rule finds the flag, a continuous column stays numeric; saved and loaded', async () => {
    const profile = await createBaseline(train(), { categorical: ['port'], maxCategories: 3 });
    const byName = Object.fromEntries(profile.features.map((f) => [f.name, f]));
    expect(byName['port']!.categorical).toEqual({ kind: 'named', values: [22, 80, 443], counts: [15, 50, 30], other: 5, missing: 2, distinct: 4 });
    expect(byName['flag']!.categorical).toEqual({ kind: 'few_distinct', values: [0, 1], counts: [68, 34], other: 0, missing: 0, distinct: 2 });
    expect(byName['x']!.categorical).toBeUndefined();
    // the numeric summary is kept
    expect(byName['port']!.fine!.distinct).toBe(4);
    const file = join(dir, 'profile.json');
    await saveProfile(profile, file);
    expect((await loadProfile(file)).features[0]!.categorical).toEqual(byName['port']!.categorical);
  });

  it('refuses a named column that is not a feature, and a bad maxCategories, naming the option', async () => {
    await expect(createBaseline(train(), { categorical: ['Label'] })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'categorical', message: expect.stringContaining('"Label" is not a feature column') });
    await expect(createBaseline(train(), { maxCategories: 0 })).rejects.toMatchObject({ code: 'DC_ERR_USAGE', option: 'maxCategories' });
  });

  it('the store refuses categorical counts that do not add up, or values out of order', async () => {
    const profile = await createBaseline(train(), { categorical: ['port'], maxCategories: 3 });
    const file = join(dir, 'tampered.json');
    await saveProfile(profile, file);
    const text = readFileSync(file, 'utf8');
    const edit = (change: (p: any) => void) => {
      const data = JSON.parse(text);
      change(data);
      writeFileSync(file, JSON.stringify(data));
      return loadProfile(file);
    };
    await expect(edit((p) => (p.features[0].categorical.other = 4))).rejects.toMatchObject({ code: 'DC_ERR_PROFILE', message: expect.stringContaining('"categorical.counts" and "other" must add up to "count" (100)') });
    await expect(edit((p) => (p.features[0].categorical.values = [80, 22, 443]))).rejects.toMatchObject({ code: 'DC_ERR_PROFILE', message: expect.stringContaining('"categorical.values" must be increasing') });
    await expect(edit((p) => (p.features[0].categorical.missing = 0))).rejects.toMatchObject({ code: 'DC_ERR_PROFILE', message: expect.stringContaining('"categorical.missing" must equal "missing" (2)') });
    await expect(edit((p) => (p.features[0].categorical.kind = 'text'))).rejects.toMatchObject({ code: 'DC_ERR_PROFILE' });
  });
});

describe('a version 1 profile', () => {
  it('has no categorical columns: a "categorical" field in one is dropped on load', async () => {
    const lines = ['flag,Label', ...Array.from({ length: 40 }, (_, i) => `${i % 2},BENIGN`)];
    writeFileSync(join(dir, 'flags.csv'), lines.join('\n') + '\n');
    const profile = await createBaseline(join(dir, 'flags.csv'));
    expect(profile.features[0]!.categorical).toBeDefined();
    const v1 = JSON.parse(JSON.stringify(profile));
    v1.version = 1;
    delete v1.resolution;
    for (const f of v1.features) delete f.fine;
    writeFileSync(join(dir, 'v1.json'), JSON.stringify(v1));
    expect((await loadProfile(join(dir, 'v1.json'))).features[0]!.categorical).toBeUndefined();
  });
});
