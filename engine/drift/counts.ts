/**
 * From the histogram kernel's count slots of a feature to the counts a drift method compares.
 *
 * The kernel (assembly/histogram.ts) counts a feature binned on n sorted edges into n + 3 slots
 * (`countSlots(n)`), named here (COUNT_SLOTS) so that no raw offset is read anywhere else:
 *   slots 0..n   finite values with exactly j edges at or below them (np.searchsorted 'right'):
 *                slot 0 is below the first edge, slot n at or above the last
 *   slot n + 1   non-finite values (NaN, +Infinity, -Infinity)
 *   slot n + 2   finite values equal to the last edge (np.histogram closes its last bin)
 * Both semantics derive from them: the default one's open bins are slots 0..n plus the missing
 * slot; np.histogram's bins (compat) are slots 1..n-1 with the last-edge count added to the last.
 */
import { categoryScanEdges, categorySlotCounts, fineScanCounts, fineScanEdges, nextUp, type FeatureProfile, type Profile } from '../profile/index.js';
import type { DriftInput, FineCounts } from './methods/index.js';

/** Names of the kernel's count slots of a feature binned on `nEdges` edges. */
export const COUNT_SLOTS = {
  /** finite values with exactly `j` edges at or below them, j = 0..nEdges */
  between: (j: number): number => j,
  /** non-finite values */
  nonFinite: (nEdges: number): number => nEdges + 1,
  /** finite values equal to the last edge (also counted in between(nEdges)) */
  atLastEdge: (nEdges: number): number => nEdges + 2,
} as const;

/** One feature's count slots, read by name. */
export interface FeatureSlots {
  /** finite values per open bin: between(0..nEdges), a view of the slots */
  finiteBins: Float64Array;
  /** their sum: every finite value */
  finite: number;
  nonFinite: number;
  atLastEdge: number;
}

export function readSlots(slots: Float64Array, nEdges: number): FeatureSlots {
  const finiteBins = slots.subarray(COUNT_SLOTS.between(0), COUNT_SLOTS.between(nEdges) + 1);
  let finite = 0;
  for (const c of finiteBins) finite += c;
  return { finiteBins, finite, nonFinite: slots[COUNT_SLOTS.nonFinite(nEdges)]!, atLastEdge: slots[COUNT_SLOTS.atLastEdge(nEdges)]! };
}

/** The counts of one feature on both sides, as a method receives them (plus what the report states). */
export interface FeatureCounts extends Pick<DriftInput, 'reference' | 'current' | 'referenceSize' | 'currentSize' | 'edges' | 'bins'> {
  /** current non-finite values */
  nonFinite: number;
  /** current finite values */
  finite: number;
  /**
   * current finite values below the training minimum and above the training maximum, when the
   * scan's edges bound the training range (rangeScanEdges, fineScanEdges; compat: the range of
   * its complete rows); null when they do not, or the baseline has no finite value
   */
  outOfRange: { below: number; above: number } | null;
  /** the largest count of current finite values in one of the scan's bins, and that bin [lo, hi) (a bin [v, nextUp(v)) holds only v) */
  topBin: { count: number; lo: number; hi: number; reference: number } | null;
}

/**
 * The edges the default semantics' PSI-path scan bins a feature on: its decile edges plus the
 * training minimum, nextUp(minimum) and nextUp(maximum) where they are not already among them,
 * so that the values outside the training range [min, max] are counted (the data-quality signal
 * out_of_range) and so are the values equal to the minimum, in [min, nextUp(min)) (the constant
 * signal: a column stuck at its minimum, 0 for most counters). The decile counts are sums of these
 * bins (featureCounts), equal to a scan on the deciles alone. Every one of these edges is also a
 * fine scan edge (fineScanEdges starts at min, nextUp(min) and ends at nextUp(max)).
 */
export function rangeScanEdges(feature: Pick<FeatureProfile, 'edges' | 'min' | 'max'>): number[] {
  if (feature.min === null || feature.max === null) return [...feature.edges];
  const all = [feature.min, nextUp(feature.min), ...feature.edges, nextUp(feature.max)].sort((x, y) => x - y);
  return all.filter((e, i) => i === 0 || e !== all[i - 1]);
}

/**
 * Baseline and current counts of one feature under the given semantics, from its count slots
 * binned on `scanEdges` (default: the feature's own edges; a superset of them, rangeScanEdges or
 * fineScanEdges, gives the same counts by summation).
 * - default: the open bins and the missing bin; sizes are the baseline's rows and every current
 *   value counted (finite or not), so the shares of each side add up to 1;
 * - compat (the original tool): np.histogram's bins; sizes are the baseline's complete rows and the
 *   current finite values, those outside the edges included (so the current shares may add up to
 *   less than 1, as the original's do).
 */
export function featureCounts(profile: Profile, feature: FeatureProfile, slots: Float64Array, semantics: 'default' | 'compat:driftcatcher', scanEdges?: ArrayLike<number>): FeatureCounts {
  if (semantics === 'default') {
    const edges = scanEdges ?? feature.edges;
    const scan = readSlots(slots, edges.length);
    const read = edges === feature.edges ? scan : coarseFromScan(feature.edges, edges, scan);
    // the open bins, then the missing bin
    const current = new Float64Array(read.finiteBins.length + 1);
    current.set(read.finiteBins);
    current[read.finiteBins.length] = read.nonFinite;
    const bounded = feature.min !== null && feature.max !== null && edges.length > 0 && edges[0] === feature.min && edges[edges.length - 1] === nextUp(feature.max);
    return {
      reference: Float64Array.from([...feature.counts, feature.missing]),
      current,
      referenceSize: profile.rows,
      currentSize: read.finite + read.nonFinite,
      edges: feature.edges,
      bins: 'open',
      nonFinite: read.nonFinite,
      finite: read.finite,
      outOfRange: bounded ? { below: scan.finiteBins[0]!, above: scan.finiteBins[edges.length]! } : null,
      topBin: topBin(scan, edges, edges === feature.edges ? Float64Array.from(feature.counts) : referenceOnScan(feature, edges)),
    };
  }
  const nEdges = feature.compat.edges.length;
  const read = readSlots(slots, nEdges);
  // np.histogram's bin i is [e[i], e[i+1]): the values with i + 1 edges at or below them
  const k = Math.max(0, nEdges - 1);
  const current = read.finiteBins.slice(1, 1 + k);
  if (k > 0) current[k - 1]! += read.atLastEdge;
  return {
    reference: Float64Array.from(feature.compat.counts),
    current,
    referenceSize: profile.complete_rows,
    currentSize: read.finite,
    edges: feature.compat.edges,
    bins: 'histogram',
    nonFinite: read.nonFinite,
    finite: read.finite,
    // the original's edges run from the complete rows' minimum to their maximum (its last bin closed)
    outOfRange: nEdges > 0 ? { below: read.finiteBins[0]!, above: read.finiteBins[nEdges]! - read.atLastEdge } : null,
    topBin: null,
  };
}

/**
 * The open bins of `coarseEdges` from slots counted on `scanEdges`, a sorted superset of them: a
 * coarse bin is the sum of the scan's bins between its edges. (The last-edge slot, which only
 * np.histogram's bins read, is not derived: compat never bins on a superset.)
 */
function coarseFromScan(coarseEdges: readonly number[], scanEdges: ArrayLike<number>, scan: FeatureSlots): FeatureSlots {
  return { finiteBins: sumBins(coarseEdges, scanEdges, scan.finiteBins), finite: scan.finite, nonFinite: scan.nonFinite, atLastEdge: 0 };
}

/**
 * The baseline's finite counts on the scan's open bins, from the fine summary (every range or fine
 * scan edge is a fine scan edge: sums of its bins); null for a version 1 profile, whose decile
 * counts do not split at nextUp(min).
 */
function referenceOnScan(feature: FeatureProfile, scanEdges: ArrayLike<number>): Float64Array | null {
  if (!feature.fine) return null;
  return sumBins(scanEdges, fineScanEdges(feature.fine), fineScanCounts(feature.fine));
}

/** Open-bin counts on `edges` from open-bin counts on `finer`, a sorted superset of them. */
function sumBins(edges: ArrayLike<number>, finer: ArrayLike<number>, counts: ArrayLike<number>): Float64Array {
  const out = new Float64Array(edges.length + 1);
  // finer bin t holds values with t finer edges <= v; those have as many coarse edges <= v as coarse edges sit at or below finer edge t - 1
  let coarse = 0;
  for (let t = 0; t < counts.length; t++) {
    while (coarse < edges.length && edges[coarse]! <= finer[t - 1]!) coarse++;
    out[coarse]! += counts[t]!;
  }
  return out;
}

/** The scan bin holding the most current finite values, with the baseline's count there (when known) */
function topBin(scan: FeatureSlots, scanEdges: ArrayLike<number>, reference: Float64Array | null): FeatureCounts['topBin'] {
  if (scan.finite === 0) return null;
  let best = 0;
  for (let t = 1; t < scan.finiteBins.length; t++) if (scan.finiteBins[t]! > scan.finiteBins[best]!) best = t;
  return {
    count: scan.finiteBins[best]!,
    lo: best === 0 ? -Infinity : scanEdges[best - 1]!,
    hi: best === scanEdges.length ? Infinity : scanEdges[best]!,
    reference: reference ? reference[best]! : NaN,
  };
}

/** Both sides' fine counts of feature f (finite values), for the methods that need them. */
export function fineCounts(feature: FeatureProfile, slots: Float64Array, tails: Float64Array | undefined, f: number): FineCounts {
  const edges = fineScanEdges(feature.fine!);
  const read = readSlots(slots, edges.length);
  return {
    edges,
    reference: Float64Array.from(fineScanCounts(feature.fine!)),
    current: Float64Array.from(read.finiteBins),
    currentTails: { below: tails?.[2 * f] ?? 0, above: tails?.[2 * f + 1] ?? 0 },
  };
}

/** One categorical feature's counts on both sides: the categories, then "other", then missing (bins `categories`). */
export interface CategoryCounts extends FeatureCounts {
  bins: 'categories';
  /** the category values (`edges`) */
  edges: readonly number[];
}

/**
 * A categorical feature counted on its categories (categoryScanEdges): per category its count,
 * then "other" (finite values not among the baseline's categories: new ones, and in a truncated
 * baseline also the values in its own "other"), then the non-finite values. Sizes: the
 * baseline's rows and every current value counted, so each side's shares add up to 1.
 */
export function categoryCounts(profile: Profile, feature: FeatureProfile, slots: Float64Array): CategoryCounts {
  const summary = feature.categorical!;
  const k = summary.values.length;
  const read = readSlots(slots, 2 * k);
  const { counts, other } = categorySlotCounts(read.finiteBins, k);
  const current = new Float64Array(k + 2);
  current.set(counts);
  current[k] = other;
  current[k + 1] = read.nonFinite;
  return {
    reference: Float64Array.from([...summary.counts, summary.other, summary.missing]),
    current,
    referenceSize: profile.rows,
    currentSize: read.finite + read.nonFinite,
    edges: summary.values,
    bins: 'categories',
    nonFinite: read.nonFinite,
    finite: read.finite,
    // a value beyond the training range is in "other" here, with the new categories (their own signal)
    outOfRange: null,
    // the baseline's count per scan slot: each category's; the "other" slots between them are not known apart
    topBin: topBin(read, categoryScanEdges(summary), Float64Array.from({ length: 2 * k + 1 }, (_, s) => (s % 2 === 1 ? summary.counts[(s - 1) / 2]! : NaN))),
  };
}
