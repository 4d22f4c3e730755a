/**
 * Partial histograms and their merge. Counts are additive: partial counts from byte ranges,
 * batches, files or machines merge by summing, so a scan can be split anywhere.
 */
import { countSlots } from '../kernels/index.js';

export interface Histograms {
  featureNames: string[];
  /** number of edges per feature; feature f has countSlots(nEdges[f]) counters */
  nEdges: Int32Array;
  /** per feature: the kernel's count slots (see assembly/histogram.ts), as f64 totals */
  counts: Float64Array[];
  rows: number;
  /** per feature: nan, +inf, -inf, coerced (4 numbers each) */
  quality: Float64Array;
}

export function emptyHistograms(featureNames: string[], nEdges: Int32Array): Histograms {
  return {
    featureNames,
    nEdges,
    counts: Array.from(nEdges, (n) => new Float64Array(countSlots(n))),
    rows: 0,
    quality: new Float64Array(4 * featureNames.length),
  };
}

/** Add `from` into `into` (same features and edges). */
export function mergeHistograms(into: Histograms, from: Histograms): Histograms {
  if (into.counts.length !== from.counts.length) throw new Error('merging histograms of different plans');
  for (let f = 0; f < into.counts.length; f++) {
    const a = into.counts[f]!;
    const b = from.counts[f]!;
    for (let i = 0; i < a.length; i++) a[i]! += b[i]!;
  }
  for (let i = 0; i < into.quality.length; i++) into.quality[i]! += from.quality[i]!;
  into.rows += from.rows;
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
