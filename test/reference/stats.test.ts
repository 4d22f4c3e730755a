/**
 * The statistical tests on the profile's summaries against scipy on the raw rows
 * (test/reference/stats_reference.py: ks_2samp method='auto' and 'asymp', wasserstein_distance, chisquare),
 * on the real CICIDS extract split many ways: contiguous and random subsets of 200 to 9,000 rows,
 * and drifted variants (scaled, shifted). Each number is asserted within the bound
 * docs/STATISTICS.md states for it; the worst error of each test is printed. The special
 * functions (incomplete gamma, Kolmogorov distribution) against scipy.special come first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { checkDrift, createBaseline, type DriftReport, type Profile } from '../../engine/index.js';
import { chiSquareSf, gammaQ, KS_EXACT_MAX_N, kolmogorovSf, ksTwoSampleExactP, ksTwoSampleP } from '../../engine/drift/index.js';
import { HEAD_9998, readCsvText, rng, tempDir, writeCsvText, type CsvText } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'stats_reference.py');
const dir = tempDir('dc-stats-ref-');

function python(code: string, input = ''): any {
  const run = spawnSync(inject('pythonPath'), ['-c', code], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe('the distributions against scipy.special', () => {
  it('gammaQ = gammaincc, chiSquareSf = chi2.sf, kolmogorovSf = kolmogorov, to 1e-12 relative (1e-300 absolute)', () => {
    const random = rng(7);
    const gamma = Array.from({ length: 400 }, (_, i) => [0.05 + random() * (i % 2 ? 5 : 500), random() * (i % 3 ? 10 : 700)] as const);
    const lambdas = Array.from({ length: 300 }, (_, i) => (i === 0 ? 0.05 : random() * 4));
    const chi = Array.from({ length: 200 }, () => [random() * 200, 1 + Math.floor(random() * 100)] as const);
    const theirs = python(
      'import json,sys\nfrom scipy import special, stats\nd=json.load(sys.stdin)\n' +
        'print(json.dumps({"gamma":[float(special.gammaincc(a,x)) for a,x in d["gamma"]],"kolmogorov":[float(special.kolmogorov(l)) for l in d["lambdas"]],"chi2":[float(stats.chi2.sf(x,k)) for x,k in d["chi"]]}))',
      JSON.stringify({ gamma, lambdas, chi }),
    );
    const close = (ours: number, ref: number, what: string) => expect(Math.abs(ours - ref), `${what}: ${ours} vs ${ref}`).toBeLessThanOrEqual(1e-12 * Math.abs(ref) + 1e-300);
    let worst = 0;
    gamma.forEach(([a, x], i) => {
      close(gammaQ(a, x), theirs.gamma[i], `gammaQ(${a}, ${x})`);
      worst = Math.max(worst, Math.abs(gammaQ(a, x) - theirs.gamma[i]) / Math.max(theirs.gamma[i], 1e-300));
    });
    lambdas.forEach((l, i) => close(kolmogorovSf(l), theirs.kolmogorov[i], `kolmogorovSf(${l})`));
    chi.forEach(([x, k], i) => close(chiSquareSf(x, k), theirs.chi2[i], `chiSquareSf(${x}, ${k})`));
    console.log(`gammaQ: worst relative error ${worst.toExponential(2)} on ${gamma.length} points`);
  });
});

interface Split {
  name: string;
  reference: number[];
  current: number[];
  transform?: (v: number) => number;
}

const shuffled = (n: number, seed: number) => {
  const random = rng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
};
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function splits(n: number): Split[] {
  const out: Split[] = [
    { name: 'halves', reference: range(0, 5000), current: range(5000, n) },
    { name: 'first 200 vs next 1000', reference: range(0, 200), current: range(200, 1200) },
    { name: 'first 1000 vs the rest', reference: range(0, 1000), current: range(1000, n) },
    { name: 'first 9000 vs the last 998', reference: range(0, 9000), current: range(9000, n) },
    { name: 'middle 3000 vs first 500', reference: range(4000, 7000), current: range(0, 500) },
  ];
  for (const [seed, refSize, curSize] of [[1, 500, 2000], [2, 2000, 2000], [3, 9000, 998], [4, 200, 5000]] as const) {
    const order = shuffled(n, seed);
    out.push({ name: `random ${refSize} vs ${curSize} (seed ${seed})`, reference: order.slice(0, refSize), current: order.slice(refSize, refSize + curSize) });
  }
  const order = shuffled(n, 5);
  // drifted sides of 3,000: the exact KS p-value of a large D walks the whole n x m lattice (scipy's too)
  out.push({ name: 'random 3000 vs 3000 scaled x1.2', reference: order.slice(0, 3000), current: order.slice(3000, 6000), transform: (v) => v * 1.2 });
  out.push({ name: 'random 3000 vs the other 3000 shifted +0.5', reference: order.slice(0, 3000), current: order.slice(6000, 9000), transform: (v) => v + 0.5 });
  out.push({ name: 'random 1000 vs 1000 scaled x0.9', reference: order.slice(0, 1000), current: order.slice(1000, 2000), transform: (v) => v * 0.9 });
  return out;
}

function subset(csv: CsvText, rows: number[], file: string, transform?: (v: number) => number): string {
  const lines = rows.map((r) => csv.rows[r]!);
  const edited = transform
    ? lines.map((line) => {
        const cells = line.split(',');
        // every numeric cell but the label (the last column); non-finite cells stay as they are
        for (let c = 0; c < cells.length - 1; c++) {
          const v = Number(cells[c]);
          if (cells[c]!.trim() !== '' && Number.isFinite(v)) cells[c] = String(transform(v));
        }
        return cells.join(',');
      })
    : lines;
  return writeCsvText(join(dir, file), { ...csv, rows: edited });
}

describe('ks, wasserstein, chisquare on the summaries = scipy on the raw rows, within the stated bounds', () => {
  it('on 12 splits of the real extract', async () => {
    const csv = readCsvText(HEAD_9998);
    const all = splits(csv.rows.length);
    const files = all.map((s, i) => ({ reference: subset(csv, s.reference, `ref-${i}.csv`), current: subset(csv, s.current, `cur-${i}.csv`, s.transform) }));
    const resolution = 1000;
    const ref = python(`import runpy, sys; sys.argv = ['x']; runpy.run_path(${JSON.stringify(SCRIPT)}, run_name='__main__')`, JSON.stringify({ splits: files, resolution })) as { splits: Array<{ features: Record<string, Record<string, number | null | number[]>> }> };
    const worst = { ksD: 0, ksDWidth: 0, ksP: 0, ksPExactOfD: 0, ksPWhereDExact: 0, ksPAsymptotic: 0, wNormed: 0, wRelative: 0, chiStat: 0, chiP: 0 };
    let compared = 0;
    let worstW = '';
    const wErrors: number[] = [];
    const ksPErrors: number[] = [];
    const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(0.99 * (values.length - 1))]!;
    for (let s = 0; s < all.length; s++) {
      const profile: Profile = await createBaseline(files[s]!.reference, { resolution });
      const byMethod: Record<string, DriftReport> = {};
      for (const method of ['ks', 'wasserstein', 'chisquare']) byMethod[method] = await checkDrift(profile, files[s]!.current, { method, workers: 0 });
      const feature = (method: string, name: string) => byMethod[method]!.features.find((f) => f.name === name)!;
      for (const [name, theirs] of Object.entries(ref.splits[s]!.features)) {
        const where = `${all[s]!.name}, ${name}`;
        const profileFeature = profile.features.find((f) => f.name === name)!;
        expect(profileFeature.count, where).toBe(theirs['n_ref']);
        if (s === 0) expect(profileFeature.fine!.edges, `${where}: fine edges = np.unique(np.quantile(ref, i / R))`).toEqual(theirs['fine_edges']);
        // KS: scipy's D within [D, D_hi]; the p-value within the p-values of those ends plus the asymptotic formula's stated error
        const ks = feature('ks', name);
        const [dLo, dHi] = ks.statistic_bounds!;
        const d = theirs['ks_statistic'] as number;
        expect(d, `${where}: ks D`).toBeGreaterThanOrEqual(dLo - 1e-12);
        expect(d, `${where}: ks D`).toBeLessThanOrEqual(dHi + 1e-12);
        const n = theirs['n_ref'] as number;
        const m = theirs['n_cur'] as number;
        const pScipy = theirs['ks_pvalue'] as number;
        const asymptotic = Math.abs(ksTwoSampleP(d, n, m) - pScipy);
        expect(asymptotic, `${where}: ks p-value of scipy's D, ours vs scipy's asymp`).toBeLessThanOrEqual(KS_P_ASYMPTOTIC_BOUND);
        // every split has at most 10,000 values a side: our p-value and scipy's `auto` one are exact,
        // so they differ only by where our D lies in its bounds (and by rounding: 1e-12)
        const pAuto = theirs['ks_pvalue_auto'] as number;
        // the exact p-value of the same D is asked up to four times (D, its bounds): computed once each
        const known = new Map<number, number>();
        const exact = (x: number) => known.get(x) ?? known.set(x, ksTwoSampleExactP(x, n, m)!).get(x)!;
        expect(Math.max(n, m)).toBeLessThanOrEqual(KS_EXACT_MAX_N);
        expect(Math.abs(exact(d) - pAuto), `${where}: exact p-value of scipy's D, ours vs scipy's auto`).toBeLessThanOrEqual(1e-12);
        const pSpan = exact(dLo) - exact(dHi);
        expect(Math.abs(ks.score - pAuto), `${where}: ks p-value`).toBeLessThanOrEqual(pSpan + 1e-12);
        worst.ksD = Math.max(worst.ksD, Math.abs(ks.statistic! - d));
        worst.ksDWidth = Math.max(worst.ksDWidth, dHi - dLo);
        worst.ksP = Math.max(worst.ksP, Math.abs(ks.score - pAuto));
        worst.ksPExactOfD = Math.max(worst.ksPExactOfD, Math.abs(exact(d) - pAuto));
        if (dHi === dLo) worst.ksPWhereDExact = Math.max(worst.ksPWhereDExact, Math.abs(ks.score - pAuto));
        worst.ksPAsymptotic = Math.max(worst.ksPAsymptotic, asymptotic);
        // Wasserstein: scipy's distance within [lo, hi]
        const w = feature('wasserstein', name);
        const raw = theirs['wasserstein'] as number;
        const [wLo, wHi] = w.statistic_bounds!;
        const slack = 1e-9 * Math.max(1, raw);
        expect(raw, `${where}: wasserstein`).toBeGreaterThanOrEqual(wLo - slack);
        expect(raw, `${where}: wasserstein`).toBeLessThanOrEqual(wHi + slack);
        const std = Math.max(theirs['ref_std'] as number, 0.001);
        wErrors.push(Math.abs(w.score - raw / std));
        ksPErrors.push(Math.abs(ks.score - pAuto));
        if (Math.abs(w.score - raw / std) > worst.wNormed) worstW = `${where}: ${w.statistic} vs ${raw} (std ${std}, bounds ${wLo}..${wHi})`;
        worst.wNormed = Math.max(worst.wNormed, Math.abs(w.score - raw / std));
        if (raw > 0) worst.wRelative = Math.max(worst.wRelative, Math.abs(w.statistic! - raw) / raw);
        // chi-squared: the same bins, so the same numbers (a categorical feature is counted on its categories: test/reference/categorical.test.ts)
        const chi = feature('chisquare', name);
        const x2 = theirs['chisquare_statistic'] as number | null;
        const pChi = theirs['chisquare_pvalue'] as number | null;
        if (profileFeature.categorical) expect(chi.categories, `${where}: chisquare on the categories`).toBeDefined();
        else if (x2 === null || pChi === null) expect(chi.score, where).toBeNaN();
        else {
          expect(Math.abs(chi.statistic! - x2), `${where}: chisquare X^2`).toBeLessThanOrEqual(1e-9 * Math.max(1, x2));
          expect(Math.abs(chi.score - pChi), `${where}: chisquare p`).toBeLessThanOrEqual(1e-12);
          worst.chiStat = Math.max(worst.chiStat, Math.abs(chi.statistic! - x2) / Math.max(1, x2));
          worst.chiP = Math.max(worst.chiP, Math.abs(chi.score - pChi));
        }
        compared++;
      }
    }
    console.log(
      `stats vs scipy on ${all.length} splits, ${compared} features: ks D worst error ${worst.ksD.toExponential(2)} (bounds at most ${worst.ksDWidth.toFixed(4)} wide), ` +
        `ks p-value (exact, vs scipy auto) worst ${worst.ksP.toExponential(2)} (where D is exact ${worst.ksPWhereDExact.toExponential(2)}; exact distribution at scipy's D ${worst.ksPExactOfD.toExponential(2)}; Stephens' asymptotic formula vs scipy asymp ${worst.ksPAsymptotic.toExponential(2)}); ` +
        `wasserstein normed worst ${worst.wNormed.toExponential(2)} (relative ${worst.wRelative.toExponential(2)}); chisquare X^2 worst relative ${worst.chiStat.toExponential(2)}, p ${worst.chiP.toExponential(2)}; 99th percentiles: ks p ${p99(ksPErrors).toExponential(2)}, wasserstein normed ${p99(wErrors).toExponential(2)}; worst wasserstein case ${worstW}`,
    );
    expect(compared).toBeGreaterThan(700);
  }, 600_000);
});

/** What Stephens' formula may differ from scipy's exact-distribution `asymp` p-value (docs/STATISTICS.md). */
const KS_P_ASYMPTOTIC_BOUND = 0.05;
