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
import { categorySlotCounts, fineScanCounts, fineScanEdges, type FeatureProfile, type Profile } from '../profile/index.js';
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
}

/**
 * Baseline and current counts of one feature under the given semantics.
 * - default: the open bins and the missing bin; sizes are the baseline's rows and every current
 *   value counted (finite or not), so the shares of each side add up to 1;
 * - compat (the original tool): np.histogram's bins; sizes are the baseline's complete rows and the
 *   current finite values, those outside the edges included (so the current shares may add up to
 *   less than 1, as the original's do).
 */
export function featureCounts(profile: Profile, feature: FeatureProfile, slots: Float64Array, semantics: 'default' | 'compat:driftcatcher', fine = false): FeatureCounts {
  if (semantics === 'default') {
    const nEdges = feature.edges.length;
    const read = fine ? coarseFromFine(feature, slots) : readSlots(slots, nEdges);
    // the open bins, then the missing bin
    const current = new Float64Array(read.finiteBins.length + 1);
    current.set(read.finiteBins);
    current[read.finiteBins.length] = read.nonFinite;
    return {
      reference: Float64Array.from([...feature.counts, feature.missing]),
      current,
      referenceSize: profile.rows,
      currentSize: read.finite + read.nonFinite,
      edges: feature.edges,
      bins: 'open',
      nonFinite: read.nonFinite,
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
  };
}

/**
 * The decile slots of a feature counted on its fine edges: every decile edge is a fine edge
 * (profile version 2), so a decile bin is the sum of the fine bins between its edges. (The
 * last-edge slot, which only np.histogram's bins read, is not derived: compat never bins fine.)
 */
function coarseFromFine(feature: FeatureProfile, slots: Float64Array): FeatureSlots {
  const fineEdges = fineScanEdges(feature.fine!);
  const fine = readSlots(slots, fineEdges.length);
  const finiteBins = new Float64Array(feature.edges.length + 1);
  // fine slot t holds values with t fine edges <= v; those have as many decile edges <= v as decile edges sit below fine edge t
  let coarse = 0;
  for (let t = 0; t < fine.finiteBins.length; t++) {
    while (coarse < feature.edges.length && feature.edges[coarse]! <= fineEdges[t - 1]!) coarse++;
    finiteBins[coarse]! += fine.finiteBins[t]!;
  }
  return { finiteBins, finite: fine.finite, nonFinite: fine.nonFinite, atLastEdge: 0 };
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
  };
}
