/**
 * Binning of features for the histogram forest: at most 255 bins per feature, so that a row's
 * bin fits in a u8. A feature with at most 255 distinct training values gets one bin per value
 * (edges halfway between neighbours, as scikit-learn's HistGradientBoosting does); otherwise the
 * edges are its 1/255 .. 254/255 quantiles (numpy's `linear` method, engine/profile/quantile.ts)
 * over at most 100,000 of its values taken at even steps, repeated edges merged. A value's bin is the number of edges <= it, so "bin <= b" is the same
 * test as "value < edges[b]": a split found on bins is stored as that real threshold.
 */
import { quantileSorted, uniqueSorted } from '../profile/index.js';

/** Most bins a feature gets (bins 0..254: a u8, with 255 left unused). */
export const MAX_BINS = 255;
/** Values a feature's quantile edges are computed from, at most. */
export const QUANTILE_SAMPLE = 100_000;

/** Sorted edges of one feature from its finite training values (any order; not modified). */
export function binEdges(values: Float64Array, maxBins = MAX_BINS): Float64Array {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) throw new RangeError(`maxBins must be an integer from 2 to ${MAX_BINS}, got ${maxBins}`);
  // few distinct values (flags, ports, counts): one pass with a set, no sort of the column
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size <= maxBins; i++) seen.add(values[i]!);
  if (seen.size <= maxBins) {
    const distinct = Float64Array.from(seen).sort();
    const edges = new Float64Array(Math.max(0, distinct.length - 1));
    for (let i = 0; i + 1 < distinct.length; i++) {
      const low = distinct[i]!;
      const high = distinct[i + 1]!;
      const middle = low + (high - low) / 2;
      // neighbouring doubles: the middle rounds onto `low`, so split at `high` itself
      edges[i] = middle > low && middle <= high ? middle : high;
    }
    return edges;
  }
  // many distinct values: quantiles of at most QUANTILE_SAMPLE values taken at even steps
  // (scikit-learn's HistGradientBoosting bins from a 200,000-value subsample too)
  const m = Math.min(values.length, QUANTILE_SAMPLE);
  const sample = new Float64Array(m);
  for (let i = 0; i < m; i++) sample[i] = values[Math.floor((i * values.length) / m)]!;
  const sorted = sample.sort();
  const quantiles: number[] = [];
  for (let i = 1; i < maxBins; i++) quantiles.push(quantileSorted(sorted, i / maxBins));
  // edges equal to the smallest value would leave bin 0 empty; drop them with the repeats
  return uniqueSorted(quantiles.filter((edge) => edge > sorted[0]!));
}

/** The bin of one value: the number of edges <= v (what the kernels compute). */
export function binOf(edges: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Training rows already binned into a shared memory (engine/model/stream.ts writes them), where a
 * forest or a boosting reads them in place: u8 bins feature-major at `binsPtr` (stride `rows`),
 * the labels at `labelsPtr`.
 */
export interface BinnedData {
  featureNames: string[];
  rows: number;
  /** each feature's edges (binEdges with `maxBins`) */
  edges: Float64Array[];
  maxBins: number;
  /** the labels (a view of the memory) */
  labels: Uint8Array;
  memory: WebAssembly.Memory;
  binsPtr: number;
  labelsPtr: number;
}

export function isBinned(data: object): data is BinnedData {
  return 'edges' in data && 'memory' in data;
}
