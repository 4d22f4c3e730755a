/**
 * Merge of baseline profiles built on separate shards of the training data (`driftcatcher
 * profile merge`; docs/PROFILE.md "Merged profiles"). What adds, adds exactly: counts, missing
 * and non-finite counts, rows, complete rows, min/max, sums and sums of squares (mean and std
 * from them, by Chan's pairwise formula). Quantiles do not merge: a shard's fine summary knows
 * its values' ranks exactly AT its own fine edges (values below, values equal) and only within
 * bounds between them. The merged quantile at q is therefore chosen among the union of the
 * shards' fine edges as the candidate whose rank is provably closest to numpy's (`linear`) rank
 * q (N - 1) on the concatenated data, and each feature states the worst such rank error,
 * `merged.rank_error` (a share of N): the value chosen for q has between (q - rank_error) N and
 * (q + rank_error) N values below it, as numpy's would (test/engine/profile/merge.test.ts).
 * Counts on the merged edges are exact where each edge is a fine edge of every shard (or
 * outside its range): `merged.counts_exact`; otherwise a shard's count below an edge inside one
 * of its fine bins is placed linearly by value within the bin's bounds.
 *
 * A categorical summary (value counts with an "other" bucket) merges by adding the counts of
 * each value (mergeCategorical says when that is exact).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { ProfileError } from '../util/index.js';
import { CATEGORICAL_DEFAULTS, categoricalSummary } from './categorical.js';
import { PROFILE_FORMAT, PROFILE_VERSION, type CategoricalKind, type CategoricalSummary, type FeatureProfile, type FineSummary, type MergeInfo, type Profile } from './types.js';

/** The profiles to merge, each with the path it came from (for the messages). */
export interface MergeInput {
  profile: Profile;
  file: string;
}

/**
 * One profile of the union of the shards' training data. A merge of one profile is that
 * profile. The result does not depend on the order of the inputs (they are taken in the order
 * of their ids). Refuses, with a one-line ProfileError naming the file, a version 1 profile (no fine
 * summary) and profiles of other bins, resolution, label or features.
 */
export function mergeProfiles(given: readonly MergeInput[]): Profile {
  if (given.length === 0) throw new ProfileError('no profiles to merge');
  // one order whatever the order given (by id, then rows), so that the float sums come out the same
  const inputs = [...given].sort((a, b) => (a.profile.id < b.profile.id ? -1 : a.profile.id > b.profile.id ? 1 : a.profile.rows - b.profile.rows));
  const first = inputs[0]!;
  for (const { profile, file } of inputs) {
    if (profile.version < 2 || profile.resolution === undefined || profile.features.some((f) => !f.fine)) {
      throw new ProfileError(`profile version ${profile.version} has no fine summary to merge; rebuild it with \`driftcatcher baseline\``, { file });
    }
  }
  if (inputs.length === 1) return structuredClone(first.profile);
  const names = first.profile.features.map((f) => f.name);
  for (const { profile, file } of inputs.slice(1)) {
    const differs = (what: string, theirs: unknown, ours: unknown): never => {
      throw new ProfileError(`cannot merge: its ${what} ${JSON.stringify(theirs)}, ${basename(first.file)}'s ${JSON.stringify(ours)}; merge profiles built with the same --bins, --resolution, --label and columns`, { file });
    };
    if (profile.bins !== first.profile.bins) differs('bins are', profile.bins, first.profile.bins);
    if (profile.resolution !== first.profile.resolution) differs('resolution is', profile.resolution, first.profile.resolution);
    if (profile.label !== first.profile.label) differs('label is', profile.label, first.profile.label);
    const theirs = profile.features.map((f) => f.name);
    if (theirs.length !== names.length || theirs.some((n, i) => n !== names[i])) {
      const i = theirs.findIndex((n, k) => n !== names[k]);
      const at = i < 0 ? names.length : i;
      differs(`${theirs.length} features, ${at + 1}. being`, theirs[at] ?? null, names[at] ?? null);
    }
  }
  const bins = first.profile.bins;
  const resolution = first.profile.resolution!;
  const features = names.map((_, f) => {
    const shards = inputs.map((x) => x.profile.features[f]!);
    const merged = mergeFeature(shards, bins, resolution);
    delete merged.categorical;
    const categorical = mergeCategorical(shards);
    return categorical ? { ...merged, categorical } : merged;
  });
  const formats = [...new Set(inputs.map((x) => x.profile.source.format))];
  const bytes = inputs.every((x) => x.profile.source.bytes !== null) ? inputs.reduce((a, x) => a + x.profile.source.bytes!, 0) : null;
  const id = createHash('sha256').update(JSON.stringify({ bins, resolution, features })).digest('hex');
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    id,
    created: new Date().toISOString(),
    source: { file: inputs.map((x) => x.profile.source.file).join(' + '), bytes, format: formats.length === 1 ? formats[0]! : formats.join('+') },
    bins,
    resolution,
    quantile_grids: { default: 'i/bins', compat: 'linspace' },
    label: first.profile.label,
    rows: inputs.reduce((a, x) => a + x.profile.rows, 0),
    complete_rows: inputs.reduce((a, x) => a + x.profile.complete_rows, 0),
    merged_from: inputs.map((x) => ({ file: x.profile.source.file, id: x.profile.id, rows: x.profile.rows })),
    features,
  };
}

/** A shard's ranks at the candidates: values below and values at most each one, as bounds (exact at its own fine edges). */
interface Ranks {
  ltLo: Float64Array;
  ltHi: Float64Array;
  leLo: Float64Array;
  leHi: Float64Array;
  /** estimates (linear within a fine bin), and whether each is exact */
  lt: Float64Array;
  le: Float64Array;
  exact: Uint8Array;
}

function shardRanks(fine: FineSummary, count: number, candidates: Float64Array): Ranks {
  const c = candidates.length;
  const r: Ranks = { ltLo: new Float64Array(c), ltHi: new Float64Array(c), leLo: new Float64Array(c), leHi: new Float64Array(c), lt: new Float64Array(c), le: new Float64Array(c), exact: new Uint8Array(c) };
  const e = fine.edges;
  const m = e.length;
  // below[t] = values < e[t]
  const below = new Float64Array(m);
  for (let t = 1; t < m; t++) below[t] = below[t - 1]! + fine.counts[t]!;
  let t = 0; // e[t - 1] < x <= e[t] as x walks up
  for (let k = 0; k < c; k++) {
    const x = candidates[k]!;
    while (t < m && e[t]! < x) t++;
    let ltLo: number, ltHi: number, leLo: number, leHi: number, lt: number, exact: boolean;
    if (m === 0 || count === 0) {
      ltLo = ltHi = leLo = leHi = lt = 0;
      exact = true;
    } else if (t < m && e[t] === x) {
      ltLo = ltHi = lt = below[t]!;
      leLo = leHi = below[t]! + fine.atoms[t]!;
      exact = true;
    } else if (t === 0) {
      ltLo = ltHi = leLo = leHi = lt = 0;
      exact = true;
    } else if (t === m) {
      ltLo = ltHi = leLo = leHi = lt = count;
      exact = true;
    } else {
      // strictly inside the fine bin (e[t-1], e[t]): between the values at most e[t-1] and those below e[t]
      ltLo = leLo = below[t - 1]! + fine.atoms[t - 1]!;
      ltHi = leHi = below[t]!;
      lt = Math.round(ltLo + ((ltHi - ltLo) * (x - e[t - 1]!)) / (e[t]! - e[t - 1]!));
      exact = ltLo === ltHi;
    }
    r.ltLo[k] = ltLo;
    r.ltHi[k] = ltHi;
    r.leLo[k] = leLo;
    r.leHi[k] = leHi;
    r.lt[k] = lt;
    r.le[k] = exact ? leLo : lt; // inside a bin: no value is known to equal x
    r.exact[k] = exact ? 1 : 0;
  }
  return r;
}

/** The quantile grid q = i / resolution (as buildProfile takes it) and the compat linspace grid. */
function grids(bins: number, resolution: number): { fine: number[]; compat: number[] } {
  const fine = Array.from({ length: resolution + 1 }, (_, i) => i / resolution);
  // np.linspace(0, 1, bins + 1): i * step, the last exactly 1
  const step = 1 / bins;
  const compat = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? 1 : i * step));
  return { fine, compat };
}

/**
 * A categorical summary of the merged data, exact, when every shard's feature is categorical:
 * with every shard's value counts complete (no "other"), the counts add per value and the
 * `maxCategories` most frequent are kept again (the largest list a shard kept, at least the
 * default); else the categories every shard lists keep their added counts and everything else
 * is "other" (a value one shard lists and another counts in its "other" has no exact total).
 * `distinct` is exact in the first case, the largest shard's (a lower bound) in the second. A
 * feature categorical in some shards only is not categorical merged (its rule needs the whole).
 */
function mergeCategorical(shards: FeatureProfile[]): CategoricalSummary | undefined {
  const summaries = shards.map((s) => s.categorical);
  if (!summaries.every((c): c is CategoricalSummary => c !== undefined)) return undefined;
  const kind: CategoricalKind = summaries.some((c) => c.kind === 'named') ? 'named' : 'few_distinct';
  const missing = summaries.reduce((a, c) => a + c.missing, 0);
  const finite = shards.reduce((a, s) => a + s.count, 0);
  const added = new Map<number, number>();
  for (const c of summaries) c.values.forEach((v, i) => added.set(v, (added.get(v) ?? 0) + c.counts[i]!));
  if (summaries.every((c) => c.other === 0)) {
    const keep = Math.max(CATEGORICAL_DEFAULTS.maxCategories, ...summaries.map((c) => c.values.length));
    return categoricalSummary(added, missing, finite + missing, kind, keep);
  }
  const everywhere = [...added.keys()].filter((v) => summaries.every((c) => c.values.includes(v))).sort((a, b) => a - b);
  const counts = everywhere.map((v) => added.get(v)!);
  const listed = counts.reduce((a, c) => a + c, 0);
  return { kind, values: everywhere, counts, other: finite - listed, missing, distinct: Math.max(...summaries.map((c) => c.distinct)) };
}

function mergeFeature(shards: FeatureProfile[], bins: number, resolution: number): FeatureProfile {
  const name = shards[0]!.name;
  const add = (key: 'count' | 'nan' | 'pos_inf' | 'neg_inf' | 'missing') => shards.reduce((a, s) => a + s[key], 0);
  const n = add('count');
  const withValues = shards.filter((s) => s.count > 0);
  const nan = add('nan');
  const posInf = add('pos_inf');
  const negInf = add('neg_inf');
  const missing = add('missing');
  const info: MergeInfo = { shards: shards.length, rank_error: 0, counts_exact: true };
  if (n === 0 || withValues.length === 1) {
    // no finite value anywhere, or all of them in one shard: its summary is the merged one, counts exact
    const source = withValues[0] ?? shards[0]!;
    return { ...structuredClone(source), nan, pos_inf: posInf, neg_inf: negInf, missing, merged: info };
  }
  // candidates: the union of the shards' fine edges, sorted
  const candidates = Float64Array.from(new Set(withValues.flatMap((s) => s.fine!.edges))).sort();
  const ranks = withValues.map((s) => shardRanks(s.fine!, s.count, candidates));
  const c = candidates.length;
  const sum = (key: keyof Ranks) => {
    const out = new Float64Array(c);
    for (const r of ranks) {
      const v = r[key];
      for (let k = 0; k < c; k++) out[k]! += v[k]!;
    }
    return out;
  };
  const ltHi = sum('ltHi');
  const leLo = sum('leLo');
  const lt = sum('lt');
  const le = sum('le');
  const exact = new Uint8Array(c).fill(1);
  for (const r of ranks) for (let k = 0; k < c; k++) exact[k]! &= r.exact[k]!;
  const midRank = sum('ltLo');
  const leHi = sum('leHi');
  for (let k = 0; k < c; k++) midRank[k] = (midRank[k]! + leHi[k]!) / 2;

  let worst = 0;
  /** The candidate whose rank is provably closest to numpy's at q: x_(floor h) <= x <= x_(ceil h), h = q (n - 1). */
  const select = (q: number): number => {
    const h = q * (n - 1);
    const fl = Math.floor(h);
    const ce = Math.ceil(h);
    const err = (k: number) => Math.max(0, ltHi[k]! - ce, fl + 1 - leLo[k]!);
    // first candidate with at least fl + 1 values at most it (err's second term <= 0); err falls before it and rises after
    let lo = 0;
    let hi = c - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (leLo[mid]! >= fl + 1) hi = mid;
      else lo = mid + 1;
    }
    let best = lo;
    const score = (k: number) => err(k) * 4 * n + Math.abs(midRank[k]! - (h + 0.5));
    for (let k = Math.max(0, lo - 1); k < Math.min(c, lo + 64); k++) {
      if (score(k) < score(best)) best = k;
      if (ltHi[k]! > ce && k > lo) break;
    }
    worst = Math.max(worst, err(best));
    return best;
  };
  const { fine: fineGrid, compat: compatGrid } = grids(bins, resolution);
  const fineChosen = fineGrid.map(select);
  const quantileChosen = Array.from({ length: bins + 1 }, (_, i) => fineChosen[(i * resolution) / bins]!);
  const compatChosen = compatGrid.map(select);
  const fineIndex = [...new Set(fineChosen)].sort((a, b) => a - b);
  const decileIndex = [...new Set(quantileChosen.slice(1, bins))].sort((a, b) => a - b);
  info.rank_error = worst / n;
  info.counts_exact = [...fineIndex, ...compatChosen].every((k) => exact[k] === 1);

  // counts on the merged fine edges: (-inf, e0), [e0, e1), ..., [e_last, +inf)
  const openCounts = (index: number[]) => {
    const counts = [lt[index[0]!]!];
    for (let t = 1; t < index.length; t++) counts.push(Math.max(0, lt[index[t]!]! - lt[index[t - 1]!]!));
    counts.push(n - lt[index[index.length - 1]!]!);
    return counts;
  };
  const fineCounts = openCounts(fineIndex);
  const atoms = fineIndex.map((k, t) => Math.min(le[k]! - lt[k]!, fineCounts[t + 1]!));
  // np.histogram on the compat edges: [c0, c1), ..., [c_{k-1}, c_k] (last closed); repeated edges give empty bins
  const compatCounts = compatChosen.slice(1).map((k, i) => {
    const from = compatChosen[i]!;
    const last = i === compatChosen.length - 2;
    return from === k && !last ? 0 : Math.max(0, (last ? le[k]! : lt[k]!) - lt[from]!);
  });

  const sums = shards.map((s) => s.fine!);
  const fineSum = sums.every((s) => s.sum !== null) ? sums.reduce((a, s) => a + s.sum!, 0) : null;
  const fineSquares = sums.every((s) => s.sum_squares !== null) ? sums.reduce((a, s) => a + s.sum_squares!, 0) : null;
  // mean and std (ddof 0) of the union, from each shard's count, mean and std (Chan et al.)
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (const s of withValues) {
    const delta = s.mean! - mean;
    const total = count + s.count;
    mean += (delta * s.count) / total;
    m2 += s.std! * s.std! * s.count + (delta * delta * count * s.count) / total;
    count = total;
  }
  return {
    name,
    count: n,
    nan,
    pos_inf: posInf,
    neg_inf: negInf,
    min: Math.min(...withValues.map((s) => s.min!)),
    max: Math.max(...withValues.map((s) => s.max!)),
    mean,
    std: Math.sqrt(Math.max(0, m2 / n)),
    quantiles: quantileChosen.map((k) => candidates[k]!),
    edges: decileIndex.map((k) => candidates[k]!),
    counts: openCounts(decileIndex),
    missing,
    fine: {
      edges: fineIndex.map((k) => candidates[k]!),
      counts: fineCounts,
      atoms,
      distinct: mergedDistinct(withValues),
      sum: fineSum !== null && Number.isFinite(fineSum) ? fineSum : null,
      sum_squares: fineSquares !== null && Number.isFinite(fineSquares) ? fineSquares : null,
    },
    compat: { edges: compatChosen.map((k) => candidates[k]!), counts: compatCounts },
    merged: info,
  };
}

/**
 * Distinct values of the union: exact when every shard's values all sit at its fine edges (its
 * atoms add up to its count: the few-valued columns `auto` treats as categorical), the number of
 * distinct values with an atom; else a lower bound, the largest of the shards' counts and that.
 */
function mergedDistinct(shards: FeatureProfile[]): number {
  const atomValues = new Set<number>();
  let allAtEdges = true;
  for (const s of shards) {
    const fine = s.fine!;
    let atoms = 0;
    fine.edges.forEach((e, t) => {
      if (fine.atoms[t]! > 0) atomValues.add(e);
      atoms += fine.atoms[t]!;
    });
    if (atoms !== s.count) allAtEdges = false;
  }
  return allAtEdges ? atomValues.size : Math.max(atomValues.size, ...shards.map((s) => s.fine!.distinct));
}
