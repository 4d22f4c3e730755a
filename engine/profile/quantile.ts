/**
 * Quantiles exactly like numpy's default (`method='linear'`, numpy >= 1.22) on a sorted array
 * of finite values: virtual index (n - 1) * q, then numpy's `_lerp`, which interpolates from the
 * lower neighbour below the midpoint and from the upper one at or above it.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  return quantileOf(sorted.length, q, (rank) => sorted[rank]!);
}

/** The two ranks numpy's `linear` quantile at q reads among n values (below, above; clamped). */
export function quantileRanks(n: number, q: number): [number, number] {
  const virtualIndex = (n - 1) * q;
  let below = Math.floor(virtualIndex);
  let above = below + 1;
  if (below < 0) below = 0;
  if (below > n - 1) below = n - 1;
  if (above > n - 1) above = n - 1;
  if (above < 0) above = 0;
  return [below, above];
}

/** quantileSorted over n sorted values that `at(rank)` gives (the streaming baseline selects them). */
export function quantileOf(n: number, q: number, at: (rank: number) => number): number {
  if (n === 0) return NaN;
  const [below, above] = quantileRanks(n, q);
  const virtualIndex = (n - 1) * q;
  const gamma = virtualIndex - Math.floor(virtualIndex);
  return lerp(at(below), at(above), gamma);
}

function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Where the bins + 1 quantiles are taken. `i/bins`: q = i / bins (the default binning's grid, exact
 * fractions). `linspace`: q as `np.linspace(0, 1, bins + 1)` gives them, i * (1 / bins) and
 * exactly 1 at the end (the original tool's `np.linspace(0, 1, 11)`: 0.30000000000000004,
 * 0.6000000000000001, 0.7000000000000001 for three of the deciles), for `--compat driftcatcher`.
 */
export type QuantileGrid = 'i/bins' | 'linspace';

/** The bins + 1 probabilities of a grid, bit for bit. */
export function quantileGrid(bins: number, grid: QuantileGrid): Float64Array {
  const q = new Float64Array(bins + 1);
  const step = 1 / bins;
  for (let i = 0; i <= bins; i++) q[i] = i === bins ? 1 : grid === 'linspace' ? i * step : i / bins;
  return q;
}

/** The bins + 1 quantile edges on a grid (deciles for bins = 10), repeated edges kept. */
export function quantileEdges(sorted: Float64Array, bins: number, grid: QuantileGrid = 'i/bins'): Float64Array {
  if (sorted.length === 0) return new Float64Array(0); // no finite values: no bins
  return quantileGrid(bins, grid).map((q) => quantileSorted(sorted, q));
}

/** Number of elements < x (side='left') in a sorted array. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
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
export function upperBound(sorted: ArrayLike<number>, x: number): number {
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
