/**
 * Profile merge against numpy on the concatenated raw rows of the real CICIDS extract, split
 * into shards three ways (contiguous, uneven; interleaved rows; four random shards): the merged
 * deciles and compat edges lie within the stated rank error of numpy's (np.quantile on the
 * concatenation), counts, non-finite counts, min and max add exactly, mean and std match numpy,
 * and the counts on the merged edges equal np.searchsorted's where `counts_exact` says so.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createBaseline, type Profile } from '../../engine/index.js';
import { mergeProfiles } from '../../engine/profile/index.js';
import { HEAD_9998, readCsvText, rng, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-merge-ref-');

/** numpy on the concatenated shards: per feature the finite values' counts below / at most each value asked. */
const NUMPY = `
import csv, json, math, sys
import numpy as np
spec = json.load(sys.stdin)
rows = []
header = None
for path in spec["files"]:
    with open(path, newline="", encoding="latin-1") as handle:
        r = list(csv.reader(handle))
    header = r[0]
    rows += r[1:]
names, seen = [], {}
for raw in header:
    name = raw.strip()
    if name in seen:
        seen[name] += 1
        name = f"{name}.{seen[name]}"
    else:
        seen[name] = 0
    names.append(name)
out = {}
for j, name in enumerate(names):
    if name == "Label":
        continue
    values = np.array([float(row[j]) if row[j].strip() else math.nan for row in rows])
    finite = np.sort(values[np.isfinite(values)])
    ask = spec["ask"][name]
    out[name] = {
        "count": int(finite.size), "nan": int(np.isnan(values).sum()), "pos_inf": int(np.isposinf(values).sum()), "neg_inf": int(np.isneginf(values).sum()),
        "min": float(finite.min()), "max": float(finite.max()), "mean": float(np.mean(finite)), "std": float(np.std(finite)),
        "below": np.searchsorted(finite, ask, side="left").tolist(), "at_most": np.searchsorted(finite, ask, side="right").tolist(),
        "deciles": np.quantile(finite, np.arange(spec["bins"] + 1) / spec["bins"]).tolist(),
    }
print(json.dumps(out))
`;

function numpy(files: string[], ask: Record<string, number[]>, bins: number): Record<string, any> {
  const run = spawnSync(inject('pythonPath'), ['-c', NUMPY], { input: JSON.stringify({ files, ask, bins }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

function shardings(n: number): { name: string; shards: number[][] }[] {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const random = rng(3);
  const four: number[][] = [[], [], [], []];
  for (let r = 0; r < n; r++) four[Math.floor(random() * 4)]!.push(r);
  return [
    { name: 'contiguous 6000 + 2500 + the rest', shards: [range(0, 6000), range(6000, 8500), range(8500, n)] },
    { name: 'odd and even rows', shards: [range(0, n).filter((r) => r % 2 === 1), range(0, n).filter((r) => r % 2 === 0)] },
    { name: 'four random shards', shards: four },
  ];
}

describe('profile merge = numpy on the concatenated rows, within the stated rank error', () => {
  it('on the real extract split three ways', async () => {
    const csv = readCsvText(HEAD_9998);
    let worstRank = 0;
    let exactFeatures = 0;
    let compared = 0;
    for (const [s, split] of shardings(csv.rows.length).entries()) {
      const files = split.shards.map((rows, i) => writeCsvText(join(dir, `s${s}-${i}.csv`), { ...csv, rows: rows.map((r) => csv.rows[r]!) }));
      const profiles: Profile[] = [];
      for (const file of files) profiles.push(await createBaseline(file));
      const merged = mergeProfiles(profiles.map((profile, i) => ({ profile, file: files[i]! })));
      expect(merged.rows).toBe(csv.rows.length);
      const ask = Object.fromEntries(merged.features.map((f) => [f.name, [...f.quantiles, ...f.compat.edges, ...f.fine!.edges]]));
      const theirs = numpy(files, ask, merged.bins);
      for (const feature of merged.features) {
        const where = `${split.name}, ${feature.name}`;
        const ref = theirs[feature.name];
        expect({ count: feature.count, nan: feature.nan, pos_inf: feature.pos_inf, neg_inf: feature.neg_inf, min: feature.min, max: feature.max }, where).toEqual({ count: ref.count, nan: ref.nan, pos_inf: ref.pos_inf, neg_inf: ref.neg_inf, min: ref.min, max: ref.max });
        expect(Math.abs(feature.mean! - ref.mean), `${where}: mean`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(ref.mean)));
        expect(Math.abs(feature.std! - ref.std), `${where}: std`).toBeLessThanOrEqual(1e-7 * Math.max(1, ref.std));
        expect(feature.fine!.counts.reduce((a, b) => a + b, 0), where).toBe(ref.count);
        expect(feature.counts.reduce((a, b) => a + b, 0) + feature.missing, where).toBe(feature.count + feature.nan + feature.pos_inf + feature.neg_inf);
        const n = ref.count as number;
        const slack = feature.merged!.rank_error * n + 1e-9;
        // the value chosen for q lies between the order statistics around numpy's position q (n - 1), give or take rank_error n values
        const grid = [...Array.from({ length: merged.bins + 1 }, (_, i) => i / merged.bins), ...Array.from({ length: merged.bins + 1 }, (_, i) => (i === merged.bins ? 1 : i * (1 / merged.bins)))];
        grid.forEach((q, k) => {
          const h = q * (n - 1);
          expect(ref.below[k], `${where}: values below the quantile at ${q}`).toBeLessThanOrEqual(Math.ceil(h) + slack);
          expect(ref.at_most[k], `${where}: values at most the quantile at ${q}`).toBeGreaterThanOrEqual(Math.floor(h) + 1 - slack);
        });
        expect(feature.quantiles[0]).toBe(ref.deciles[0]);
        expect(feature.quantiles[merged.bins]).toBe(ref.deciles[merged.bins]);
        if (feature.merged!.counts_exact) {
          exactFeatures++;
          const offset = grid.length;
          const edges = feature.fine!.edges;
          const below = edges.map((_, t) => ref.below[offset + t]);
          const atMost = edges.map((_, t) => ref.at_most[offset + t]);
          expect(feature.fine!.counts, `${where}: fine counts`).toEqual([below[0], ...edges.slice(1).map((_, t) => below[t + 1] - below[t]), n - below[edges.length - 1]]);
          expect(feature.fine!.atoms, `${where}: fine atoms`).toEqual(edges.map((_, t) => atMost[t] - below[t]));
        }
        worstRank = Math.max(worstRank, feature.merged!.rank_error);
        compared++;
      }
    }
    console.log(`profile merge vs numpy: ${compared} features over 3 shardings; worst stated rank error ${worstRank.toExponential(2)}; counts exact on ${exactFeatures}`);
    expect(worstRank).toBeLessThan(0.01);
  }, 300_000);
});
