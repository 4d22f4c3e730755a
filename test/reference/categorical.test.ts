/**
 * Categorical columns against numpy/scipy on the raw rows (test/reference/categorical_reference.py),
 * on the real CICIDS extract split many ways (contiguous and random subsets, drifted variants that
 * move the values off the baseline's categories): which columns the rule makes categorical, their
 * categories and counts, the scan's counts of the current values on them, chi-squared (statistic
 * and p-value, scipy.stats.chisquare), PSI on the category shares of a named column, and the new
 * categories' share. `Destination Port` is named (`--categorical`) with 30 categories kept, so its
 * baseline has an "other" bucket.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { checkDrift, createBaseline, type DriftReport } from '../../engine/index.js';
import { HEAD_9998, readCsvText, rng, tempDir, writeCsvText, type CsvText } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'categorical_reference.py');
const dir = tempDir('dc-categorical-ref-');
const NAMED = ['Destination Port'];
const MAX_CATEGORIES = 30;

interface Split {
  name: string;
  reference: number[];
  current: number[];
  transform?: (v: number) => number;
  /** transform only every `every`-th current row (default: every row) */
  every?: number;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const shuffled = (n: number, seed: number) => {
  const random = rng(seed);
  const order = range(0, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
};

function splits(n: number): Split[] {
  const out: Split[] = [
    { name: 'halves', reference: range(0, 5000), current: range(5000, n) },
    { name: 'first 1000 vs the rest', reference: range(0, 1000), current: range(1000, n) },
    { name: 'middle 3000 vs first 500', reference: range(4000, 7000), current: range(0, 500) },
  ];
  for (const [seed, refSize, curSize] of [[1, 500, 2000], [2, 2000, 2000], [3, 9000, 998]] as const) {
    const order = shuffled(n, seed);
    out.push({ name: `random ${refSize} vs ${curSize} (seed ${seed})`, reference: order.slice(0, refSize), current: order.slice(refSize, refSize + curSize) });
  }
  const order = shuffled(n, 5);
  out.push({ name: 'random 5000 vs the rest, every 7th value +1 (new categories)', reference: order.slice(0, 5000), current: order.slice(5000), transform: (v) => v + 1, every: 7 });
  out.push({ name: 'random 5000 vs the rest scaled x2', reference: order.slice(0, 5000), current: order.slice(5000), transform: (v) => v * 2 });
  return out;
}

function subset(csv: CsvText, rows: number[], file: string, transform?: (v: number) => number, every = 1): string {
  const lines = rows.map((r, i) => {
    if (!transform || i % every !== 0) return csv.rows[r]!;
    const cells = csv.rows[r]!.split(',');
    for (let c = 0; c < cells.length - 1; c++) {
      const v = Number(cells[c]);
      if (cells[c]!.trim() !== '' && Number.isFinite(v)) cells[c] = String(transform(v));
    }
    return cells.join(',');
  });
  return writeCsvText(join(dir, file), { ...csv, rows: lines });
}

interface Theirs {
  kind: string;
  values: number[];
  reference_counts: number[];
  current_counts: number[];
  distinct: number;
  chisquare_statistic: number | null;
  chisquare_pvalue: number | null;
  psi: number;
  new_category_share: number;
}

describe('categorical columns = numpy/scipy on the raw rows', () => {
  it('on 8 splits of the real extract: the rule, the categories, the counts, chi-squared, PSI on the shares, the new categories\' share', async () => {
    const csv = readCsvText(HEAD_9998);
    const all = splits(csv.rows.length);
    const files = all.map((s, i) => ({ reference: subset(csv, s.reference, `ref-${i}.csv`), current: subset(csv, s.current, `cur-${i}.csv`, s.transform, s.every) }));
    const run = spawnSync(inject('pythonPath'), [SCRIPT], { input: JSON.stringify({ splits: files, named: NAMED, max_categories: MAX_CATEGORIES }), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(run.stderr);
    const ref = JSON.parse(run.stdout) as { splits: Array<{ features: Record<string, Theirs> }> };
    let compared = 0;
    let worstStat = 0;
    let worstP = 0;
    let worstPsi = 0;
    let drifted = 0;
    for (let s = 0; s < all.length; s++) {
      const where = all[s]!.name;
      const profile = await createBaseline(files[s]!.reference, { categorical: NAMED, maxCategories: MAX_CATEGORIES });
      const theirs = ref.splits[s]!.features;
      // the rule: the same columns, the same categories and counts
      const ours = profile.features.filter((f) => f.categorical);
      expect(ours.map((f) => f.name).sort(), `${where}: categorical columns`).toEqual(Object.keys(theirs).sort());
      for (const f of ours) {
        const t = theirs[f.name]!;
        const k = t.values.length;
        expect(f.categorical, `${where}, ${f.name}: summary`).toEqual({ kind: t.kind, values: t.values, counts: t.reference_counts.slice(0, k), other: t.reference_counts[k], missing: t.reference_counts[k + 1], distinct: t.distinct });
      }
      if (s === 0) console.log(`categorical by the rule (${where}): ${ours.filter((f) => f.categorical!.kind === 'few_distinct').map((f) => `${f.name} (${f.categorical!.distinct})`).join(', ')}`);
      // the scan, on the main thread and (one split) on workers
      const chi: DriftReport = await checkDrift(profile, files[s]!.current, { method: 'chisquare', workers: s === 0 ? 2 : 0 });
      const psi: DriftReport = await checkDrift(profile, files[s]!.current, { method: 'psi', workers: 0 });
      for (const f of ours) {
        const t = theirs[f.name]!;
        const label = `${where}, ${f.name}`;
        const c = chi.features.find((x) => x.name === f.name)!;
        expect(c.method).toBe('chisquare');
        const size = t.current_counts.reduce((a, b) => a + b, 0);
        expect(c.count, `${label}: current values`).toBe(size);
        // the shares compared are the raw counts' (actual = count / size, zeros as epsilon)
        expect(c.actual, `${label}: current shares`).toEqual(t.current_counts.map((x) => (x / size === 0 ? 1e-4 : x / size)));
        expect(c.categories!.new_category_share, `${label}: new categories' share`).toBe(t.new_category_share);
        if (t.chisquare_statistic === null || t.chisquare_pvalue === null) expect(c.score, label).toBeNaN();
        else {
          const statError = Math.abs(c.statistic! - t.chisquare_statistic) / Math.max(1, t.chisquare_statistic);
          expect(statError, `${label}: X^2 ${c.statistic} vs ${t.chisquare_statistic}`).toBeLessThanOrEqual(1e-9);
          expect(Math.abs(c.score - t.chisquare_pvalue), `${label}: p ${c.score} vs ${t.chisquare_pvalue}`).toBeLessThanOrEqual(1e-12);
          worstStat = Math.max(worstStat, statError);
          worstP = Math.max(worstP, Math.abs(c.score - t.chisquare_pvalue));
          if (c.drifted) drifted++;
        }
        // PSI compares category shares for a named column; a column the rule found keeps its deciles under PSI
        const p = psi.features.find((x) => x.name === f.name)!;
        if (t.kind === 'named') {
          expect(Math.abs(p.score - t.psi), `${label}: psi ${p.score} vs ${t.psi}`).toBeLessThanOrEqual(1e-12 * Math.max(1, t.psi));
          worstPsi = Math.max(worstPsi, Math.abs(p.score - t.psi));
        } else expect(p.categories, `${label}: psi on deciles`).toBeUndefined();
        compared++;
      }
    }
    console.log(`categorical vs scipy on ${all.length} splits, ${compared} features: chisquare X^2 worst relative ${worstStat.toExponential(2)}, p worst ${worstP.toExponential(2)}; psi (named) worst ${worstPsi.toExponential(2)}; ${drifted} drifted by chisquare`);
    expect(compared).toBeGreaterThan(100);
    expect(drifted).toBeGreaterThan(0);
  }, 600_000);
});
