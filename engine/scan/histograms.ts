/**
 * Partial histograms and their merge. Counts are additive: partial counts from byte ranges,
 * batches, files or machines merge by summing, so a scan can be split anywhere.
 *
 * Named layouts: a feature's counters are the kernel's count slots (`binSlot`, `missingSlot`,
 * `lastEdgeSlot`); its data-quality counters are engine/io's QUALITY layout (`featureQuality`,
 * `nonFinite`, `coerced`).
 */
import { countSlots } from '../kernels/index.js';
import { clearQuality, emptyQuality, nonFiniteCount, QUALITY, qualityIndex, qualityOf, type ColumnQuality } from '../io/index.js';
import { internalError } from '../util/index.js';

export interface Histograms {
  featureNames: string[];
  /** number of edges per feature; feature f has countSlots(nEdges[f]) counters */
  nEdges: Int32Array;
  /** per feature: the kernel's count slots (binSlot, missingSlot, lastEdgeSlot), as f64 totals */
  counts: Float64Array[];
  rows: number;
  /** per feature: engine/io's QUALITY counters (nan, +inf, -inf, coerced) */
  quality: Float64Array;
  /** the input's column names, when its scan plan knows them (ScanPlan.columns; merged: the union, in first-seen order) */
  columns?: string[];
  /** when the plan asked for them (MemoryPlan.tails): per feature f, [2f] sum of (first edge - v) below the first edge, [2f + 1] sum of (v - last edge) above the last */
  tails?: Float64Array;
}

// The count slots of a feature with nEdges edges (assembly/histogram.ts), countSlots(nEdges) of them.
/** Finite values with exactly j edges <= v (np.searchsorted(edges, v, 'right')), j in [0, nEdges]. */
export function binSlot(j: number): number {
  return j;
}
/** Non-finite values (NaN, +Inf, -Inf). */
export function missingSlot(nEdges: number): number {
  return nEdges + 1;
}
/** Finite values equal to the last edge (np.histogram closes its last bin). */
export function lastEdgeSlot(nEdges: number): number {
  return nEdges + 2;
}

export function emptyHistograms(featureNames: string[], nEdges: Int32Array, options: { tails?: boolean } = {}): Histograms {
  return {
    featureNames,
    nEdges,
    counts: Array.from(nEdges, (n) => new Float64Array(countSlots(n))),
    rows: 0,
    quality: emptyQuality(featureNames.length),
    ...(options.tails ? { tails: new Float64Array(2 * featureNames.length) } : {}),
  };
}

/** Feature f's data-quality counts. */
export function featureQuality(histograms: Histograms, f: number): ColumnQuality {
  return qualityOf(histograms.quality, f);
}

/** Feature f's NaN and infinite values. */
export function nonFinite(histograms: Histograms, f: number): number {
  return nonFiniteCount(histograms.quality, f);
}

/** Feature f's non-numeric text read as NaN (`coerce`). */
export function coerced(histograms: Histograms, f: number): number {
  return histograms.quality[qualityIndex(f, QUALITY.coerced)]!;
}

/** Zero feature f's counts and quality (a feature the input lacks). */
export function clearFeature(histograms: Histograms, f: number): void {
  histograms.counts[f]!.fill(0);
  clearQuality(histograms.quality, f);
  if (histograms.tails) histograms.tails[2 * f] = histograms.tails[2 * f + 1] = 0;
}

/** Add `from` into `into` (same features and edges). */
export function mergeHistograms(into: Histograms, from: Histograms): Histograms {
  if (into.counts.length !== from.counts.length) throw internalError('merging histograms of different plans');
  for (let f = 0; f < into.counts.length; f++) {
    const a = into.counts[f]!;
    const b = from.counts[f]!;
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  }
  for (let i = 0; i < into.quality.length; i++) into.quality[i]! += from.quality[i]!;
  if (into.tails || from.tails) {
    if (!into.tails || !from.tails) throw internalError('merging histograms with and without tails');
    for (let i = 0; i < into.tails.length; i++) into.tails[i]! += from.tails[i]!;
  }
  into.rows += from.rows;
  if (from.columns) into.columns = [...new Set([...(into.columns ?? []), ...from.columns])];
  return into;
}

/** Add a slot's u32 counters (laid out by countsOffset) into the totals. */
export function addSlotCounts(into: Histograms, slotCounts: Uint32Array, countsOffset: Int32Array): void {
  for (let f = 0; f < into.counts.length; f++) {
    const totals = into.counts[f]!;
    const base = countsOffset[f]!;
    for (let i = 0; i < totals.length; i++) totals[i]! += slotCounts[base + i]!;
  }
}

/**
 * Count `n` values of feature f into `into` on its sorted `edges`, in this thread: the kernel's
 * slots (countBinsJs), the QUALITY counters and, when `into` has them, the tail sums (the scan
 * tasks' addTails). For values that never reach the workers (prediction drift's y_prob, a
 * source's pulled rows). Rows are the caller's to add.
 */
export function countValuesInto(into: Histograms, f: number, values: ArrayLike<number>, n: number, edges: ArrayLike<number>): void {
  const counts = into.counts[f]!;
  const k = edges.length;
  const last = k > 0 ? edges[k - 1]! : NaN;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      counts[k + 1]!++;
      into.quality[qualityIndex(f, Number.isNaN(v) ? QUALITY.nan : v > 0 ? QUALITY.posInf : QUALITY.negInf)]!++;
      continue;
    }
    // np.searchsorted(edges, v, 'right')
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
    if (v === last) counts[k + 2]!++;
    if (into.tails && k > 0) {
      if (v < edges[0]!) into.tails[2 * f]! += edges[0]! - v;
      else if (v > last) into.tails[2 * f + 1]! += v - last;
    }
  }
}
