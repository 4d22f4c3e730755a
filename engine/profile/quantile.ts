/**
 * Quantiles exactly like numpy's default (`method='linear'`, numpy >= 1.22) on a sorted array
 * of finite values: virtual index (n - 1) * q, then numpy's `_lerp`, which interpolates from the
 * lower neighbour below the midpoint and from the upper one at or above it.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const virtualIndex = (n - 1) * q;
  let below = Math.floor(virtualIndex);
  let above = below + 1;
  if (below < 0) below = 0;
  if (below > n - 1) below = n - 1;
  if (above > n - 1) above = n - 1;
  if (above < 0) above = 0;
  const gamma = virtualIndex - Math.floor(virtualIndex);
  return lerp(sorted[below]!, sorted[above]!, gamma);
}

function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The bins + 1 edges at q = i / bins, i = 0..bins (deciles for bins = 10), repeated edges kept. */
export function quantileEdges(sorted: Float64Array, bins: number): Float64Array {
  if (sorted.length === 0) return new Float64Array(0); // no finite values: no bins
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = quantileSorted(sorted, i / bins);
  return edges;
}

/** Number of elements < x (side='left') in a sorted array. */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements <= x (side='right') in a sorted array. */
export function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Distinct values of a sorted list, in order (`np.unique`). Treats -0 and 0 as one value. */
export function uniqueSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  }
  return Float64Array.from(out);
}
