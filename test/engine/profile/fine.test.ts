/**
 * Profile version 2's fine summary on the real CICIDS extract: the decile edges are among the
 * fine edges (the same doubles), the fine counts add up to the decile counts, so that the coarse
 * PSI bins are sums of fine bins; the resolution's rules; version 1 profiles still load. The
 * fine quantiles against numpy: test/reference/stats.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBaseline, loadProfile, saveProfile } from '../../../engine/index.js';
import { resolveResolution, type Profile } from '../../../engine/profile/index.js';
import { HEAD_9998, tempDir } from '../../helpers.js';

const dir = tempDir('dc-fine-');

describe('profile version 2: the fine summary', () => {
  it('decile edges are fine edges, bit for bit; fine counts sum to the decile counts', async () => {
    const profile = await createBaseline(HEAD_9998);
    expect(profile.version).toBe(2);
    expect(profile.resolution).toBe(1000);
    for (const feature of profile.features) {
      const fine = feature.fine!;
      expect(fine.counts.reduce((a, b) => a + b, 0), feature.name).toBe(feature.count);
      expect(fine.edges[0]).toBe(feature.min);
      expect(fine.edges[fine.edges.length - 1]).toBe(feature.max);
      // each decile edge is at a fine edge; the open bins between give the decile counts
      const at = feature.edges.map((e) => fine.edges.indexOf(e));
      expect(at.every((k) => k >= 0), feature.name).toBe(true);
      const coarse = new Array<number>(feature.edges.length + 1).fill(0);
      fine.counts.forEach((c, t) => {
        coarse[at.filter((k) => k < t).length]! += c;
      });
      expect(coarse, feature.name).toEqual(feature.counts);
      fine.atoms.forEach((a, k) => expect(a, feature.name).toBeLessThanOrEqual(fine.counts[k + 1]!));
      expect(fine.distinct).toBeGreaterThanOrEqual(1);
      expect(fine.distinct).toBeLessThanOrEqual(feature.count);
    }
    const flags = profile.features.find((f) => f.name === 'FIN Flag Count')!;
    expect(flags.fine!.distinct).toBeLessThanOrEqual(2);
  });

  it('the resolution: a whole multiple of bins, by default the first at or above 1000', async () => {
    expect(resolveResolution(10)).toBe(1000);
    expect(resolveResolution(7)).toBe(1001);
    expect(resolveResolution(10, 100)).toBe(100);
    expect(() => resolveResolution(10, 105)).toThrow('resolution: must be a whole multiple of bins (10) from 10 to 100000, got 105');
    const coarse = await createBaseline(HEAD_9998, { resolution: 20 });
    expect(coarse.resolution).toBe(20);
    expect(coarse.features[0]!.fine!.edges.length).toBeLessThanOrEqual(21);
  });

  it('a version 1 profile (no fine summary) still loads; version 3 does not', async () => {
    const profile = await createBaseline(HEAD_9998);
    const file = join(dir, 'v2.json');
    await saveProfile(profile, file);
    const v1 = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    v1.version = 1;
    delete v1.resolution;
    for (const f of v1.features) delete f.fine;
    writeFileSync(join(dir, 'v1.json'), JSON.stringify(v1));
    const loaded = await loadProfile(join(dir, 'v1.json'));
    expect(loaded.version).toBe(1);
    writeFileSync(join(dir, 'v3.json'), JSON.stringify({ ...v1, version: 3 }));
    await expect(loadProfile(join(dir, 'v3.json'))).rejects.toThrow('unsupported version 3, expected 1 or 2');
    // version 2 without its fine summary is broken
    writeFileSync(join(dir, 'v2-broken.json'), JSON.stringify({ ...v1, version: 2, resolution: 1000 }));
    await expect(loadProfile(join(dir, 'v2-broken.json'))).rejects.toThrow(/version 2 needs "fine"/);
  });
});
