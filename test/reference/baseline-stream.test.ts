/**
 * The streaming baseline's quantiles against numpy, bit for bit, on the real CICIDS rows
 * (test/fixtures/cicids2017): per feature np.quantile (method 'linear') of the finite values on
 * the default grid q = i / bins and on the fine grid q = i / resolution, and of the complete
 * rows' values on np.linspace(0, 1, bins + 1) (the compat baseline); the counts below the edges
 * with np.searchsorted; the mean and std within 1e-12 relative of numpy's (ours are the correctly
 * rounded mean and a correctly rounded mean square, numpy's are pairwise sums). Under several
 * worker counts and byte-range sizes.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { streamBaseline, type Profile } from '../../engine/profile/index.js';
import { HEAD_9998 } from '../helpers.js';

const NUMPY = `
import json, sys
import numpy as np
import pandas as pd
file, bins, resolution = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
df = pd.read_csv(file)
df.columns = [c.strip() for c in df.columns]
features = [c for c in df.columns if c != 'Label']
values = {c: df[c].to_numpy(dtype=np.float64) for c in features}
complete = np.ones(len(df), dtype=bool)
for c in features:
    complete &= np.isfinite(values[c])
out = {}
for c in features:
    v = values[c]
    finite = np.sort(v[np.isfinite(v)])
    comp = np.sort(v[complete])
    q = np.array([i / bins for i in range(bins + 1)])
    fq = np.array([i / resolution for i in range(resolution + 1)])
    fine = np.unique(np.quantile(finite, fq)) if len(finite) else np.array([])
    out[c] = {
        "quantiles": np.quantile(finite, q).tolist() if len(finite) else [],
        "fine": fine.tolist(),
        "fine_below": np.searchsorted(finite, fine, side='left').tolist(),
        "fine_at": (np.searchsorted(finite, fine, side='right') - np.searchsorted(finite, fine, side='left')).tolist(),
        "compat": np.quantile(comp, np.linspace(0, 1, bins + 1)).tolist() if len(comp) else [],
        "mean": float(finite.mean()) if len(finite) else None,
        "std": float(finite.std()) if len(finite) else None,
        "min": float(finite[0]) if len(finite) else None,
        "max": float(finite[-1]) if len(finite) else None,
    }
print(json.dumps({"complete_rows": int(complete.sum()), "rows": len(df), "features": out}))
`;

function numpyProfile(file: string, bins: number, resolution: number): any {
  const run = spawnSync(inject('pythonPath'), ['-c', NUMPY, file, String(bins), String(resolution)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

function expectNumpy(profile: Profile, reference: any, where: string): void {
  expect(profile.rows, where).toBe(reference.rows);
  expect(profile.complete_rows, where).toBe(reference.complete_rows);
  let worstMean = 0;
  for (const f of profile.features) {
    const r = reference.features[f.name];
    const at = `${where}, ${f.name}`;
    expect(f.quantiles, `${at}: quantiles`).toEqual(r.quantiles);
    expect(f.fine!.edges, `${at}: fine edges`).toEqual(r.fine);
    expect(f.fine!.atoms, `${at}: fine atoms`).toEqual(r.fine_at);
    const below = f.fine!.counts.slice(0, -1).map((_, i, c) => c.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(below, `${at}: values below each fine edge`).toEqual(r.fine_below);
    expect(f.compat.edges, `${at}: compat edges`).toEqual(r.compat);
    expect(f.min, `${at}: min`).toBe(r.min);
    expect(f.max, `${at}: max`).toBe(r.max);
    if (r.mean === null) continue;
    const scale = Math.max(Math.abs(r.mean), Math.abs(f.max!), 1e-300);
    worstMean = Math.max(worstMean, Math.abs(f.mean! - r.mean) / scale);
    expect(Math.abs(f.mean! - r.mean), `${at}: mean ${f.mean} vs ${r.mean}`).toBeLessThanOrEqual(1e-12 * scale);
    expect(Math.abs(f.std! - r.std), `${at}: std ${f.std} vs ${r.std}`).toBeLessThanOrEqual(1e-12 * Math.max(r.std, 1e-300) + 1e-300);
  }
  console.log(`${where}: quantiles bit-equal to numpy on ${profile.features.length} features; worst mean difference ${worstMean.toExponential(2)} of the range`);
}

describe('the streaming baseline against numpy on the real CICIDS rows', () => {
  const reference = numpyProfile(HEAD_9998, 10, 1000);

  it('bit-equal quantiles (default, fine and compat grids) and exact counts, inline and on 2 workers over many byte ranges', async () => {
    expectNumpy((await streamBaseline(HEAD_9998, { workers: 0 })).profile, reference, 'inline, one range');
    expectNumpy((await streamBaseline(HEAD_9998, { workers: 2, rangeBytes: 128 * 1024 })).profile, reference, '2 workers, 128 KiB ranges');
  });

  it('other bin counts and resolutions', async () => {
    const other = numpyProfile(HEAD_9998, 7, 700);
    expectNumpy((await streamBaseline(HEAD_9998, { workers: 1, bins: 7, resolution: 700, rangeBytes: 512 * 1024 })).profile, other, '7 bins, resolution 700');
  });
});
