import { createHash } from 'node:crypto';
import { quantileEdges, lowerBound, upperBound, uniqueSorted } from './quantile.js';
import { DEFAULT_RESOLUTION, PROFILE_FORMAT, PROFILE_VERSION, type FeatureProfile, type FineSummary, type Profile } from './types.js';
import { InputError, UsageError } from '../util/index.js';
import { categoricalKind, categoricalSummary, resolveMaxCategories, sortedValueCounts } from './categorical.js';

export interface FeatureColumn {
  name: string;
  values: Float64Array;
}

export interface BuildProfileInput {
  columns: FeatureColumn[];
  rows: number;
  bins: number;
  /** the fine summary's resolution, a multiple of bins (default: resolveResolution(bins)) */
  resolution?: number;
  label: string | null;
  source: Profile['source'];
  /** the path errors name (default: `source.file`, the file name alone) */
  path?: string;
  /** columns named categorical (BaselineOptions.categorical); each must be one of `columns` */
  categorical?: readonly string[];
  /** categories a categorical summary keeps (BaselineOptions.maxCategories) */
  maxCategories?: number;
}

/** Build a baseline profile from whole feature columns (all of the same length). */
export function buildProfile(input: BuildProfileInput): Profile {
  const { columns, rows, bins } = input;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new UsageError(`must be an integer from 1 to 1000, got ${bins}`, { option: 'bins' });
  const resolution = resolveResolution(bins, input.resolution);
  const file = input.path ?? input.source.file;
  if (rows === 0) throw new InputError('no data rows after the header', { file });
  if (columns.length === 0) {
    // a profile without features is one `check` refuses: say so here instead of writing it
    const detail = 'no feature column: every column is the label or excluded (a baseline needs at least one numeric feature)';
    throw new InputError(detail, input.label === null ? { file } : { file, column: input.label });
  }
  const complete = completeRows(columns, rows);
  let completeCount = 0;
  for (let r = 0; r < rows; r++) completeCount += complete[r]!;
  const named = namedCategorical(input.categorical ?? [], columns, file);
  const maxCategories = resolveMaxCategories(input.maxCategories);
  const features = columns.map((column) => profileFeature(column, bins, resolution, complete, completeCount, file, named, maxCategories));
  const id = createHash('sha256').update(JSON.stringify({ bins, resolution, features })).digest('hex');
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    id,
    created: new Date().toISOString(),
    source: input.source,
    bins,
    resolution,
    quantile_grids: { default: 'i/bins', compat: 'linspace' },
    label: input.label,
    rows,
    complete_rows: completeCount,
    features,
  };
}

/** 1 where every feature of the row is finite (the original tool drops the other rows). */
function completeRows(columns: FeatureColumn[], rows: number): Uint8Array {
  const complete = new Uint8Array(rows).fill(1);
  for (const { values } of columns) {
    for (let r = 0; r < rows; r++) if (!Number.isFinite(values[r]!)) complete[r] = 0;
  }
  return complete;
}

/**
 * The fine summary's resolution: the one given (an integer multiple of bins, at most 100,000, so
 * that the decile edges are among the fine ones), else the smallest multiple of bins at or
 * above DEFAULT_RESOLUTION (1000 for deciles).
 */
export function resolveResolution(bins: number, resolution?: number): number {
  if (resolution === undefined) return bins * Math.ceil(DEFAULT_RESOLUTION / bins);
  if (!Number.isInteger(resolution) || resolution < bins || resolution > 100_000 || resolution % bins !== 0) {
    throw new UsageError(`must be a whole multiple of bins (${bins}) from ${bins} to 100000, got ${resolution}`, { option: 'resolution' });
  }
  return resolution;
}

/** The named categorical columns, each a feature column, or a UsageError naming the one that is not. */
function namedCategorical(names: readonly string[], columns: FeatureColumn[], file: string): Set<string> {
  const features = new Set(columns.map((c) => c.name));
  for (const name of names) {
    if (!features.has(name)) throw new UsageError(`column ${JSON.stringify(name)} is not a feature column of ${file} (absent, the label or excluded)`, { option: 'categorical' });
  }
  return new Set(names);
}

function profileFeature(column: FeatureColumn, bins: number, resolution: number, complete: Uint8Array, completeCount: number, file: string, named: ReadonlySet<string>, maxCategories: number): FeatureProfile {
  const { values } = column;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  const finite = new Float64Array(values.length);
  const finiteComplete = new Float64Array(completeCount);
  let nFinite = 0;
  let nComplete = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (Number.isFinite(v)) {
      finite[nFinite++] = v;
      if (complete[r]) finiteComplete[nComplete++] = v;
    } else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else nan++;
  }
  const sorted = finite.subarray(0, nFinite).sort();
  const quantiles = quantileEdges(sorted, bins, 'i/bins');
  const edges = uniqueSorted(quantiles.subarray(1, bins));
  const counts = openBinCounts(sorted, edges);

  const sortedComplete = finiteComplete.sort();
  const compatEdges = quantileEdges(sortedComplete, bins, 'linspace');
  const compatCounts = histogramCounts(sortedComplete, compatEdges);

  const stats = moments(sorted);
  const fine = fineSummary(sorted, resolution);
  refuseOverflow(column.name, file, sorted, quantiles, compatEdges, stats, fine);
  const kind = categoricalKind(column.name, fine.distinct, nFinite, named);
  const missing = nan + posInf + negInf;
  const categorical = kind === null ? undefined : categoricalSummary(sortedValueCounts(sorted), missing, values.length, kind, maxCategories);
  return {
    name: column.name,
    count: nFinite,
    nan,
    pos_inf: posInf,
    neg_inf: negInf,
    ...stats,
    quantiles: Array.from(quantiles),
    edges: Array.from(edges),
    counts,
    missing: nan + posInf + negInf,
    fine,
    ...(categorical ? { categorical } : {}),
    compat: { edges: Array.from(compatEdges), counts: compatCounts },
  };
}

/**
 * The fine summary of sorted finite values: their distinct quantiles at q = i / resolution
 * (the decile edges among them, bit for bit, since i / bins and (i R / bins) / R are the same
 * double), the counts of the open bins on those edges, the distinct values and the moments.
 */
function fineSummary(sorted: Float64Array, resolution: number): FineSummary {
  const edges = uniqueSorted(quantileEdges(sorted, resolution, 'i/bins'));
  let distinct = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (i === 0 || sorted[i - 1] !== v) distinct++;
    sum += v;
    sumSquares += v * v;
  }
  // values so large that the sums overflow float64 (which the mean and std survive, see moments) leave them null
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
  const atoms = Array.from(edges, (e) => upperBound(sorted, e) - lowerBound(sorted, e));
  return { edges: Array.from(edges), counts: openBinCounts(sorted, edges), atoms, distinct, sum: finiteOrNull(sum), sum_squares: finiteOrNull(sumSquares) };
}

/**
 * Finite values so far apart (-1e308 next to +1e308) that the difference of two of them overflows
 * make non-finite quantiles (numpy's interpolation takes the difference of neighbours) and
 * statistics: a profile no check could use. Refused, naming the column.
 */
function refuseOverflow(name: string, file: string, sorted: Float64Array, quantiles: Float64Array, compatEdges: Float64Array, stats: Pick<FeatureProfile, 'mean' | 'std'>, fine: FineSummary): void {
  const allFinite = (values: ArrayLike<number>): boolean => {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
    return true;
  };
  let what: string;
  if (!allFinite(quantiles) || !allFinite(compatEdges) || !allFinite(fine.edges)) what = 'its quantiles overflow (numpy interpolates between neighbouring values)';
  else if (!allFinite([stats.mean ?? 0, stats.std ?? 0])) what = 'its standard deviation overflows';
  else return;
  const range = `${sorted[0]} to ${sorted[sorted.length - 1]}`;
  throw new InputError(`values from ${range} are too far apart for float64: ${what}; rescale the column or exclude it from the features`, { file, column: name });
}

/** Counts of the open-ended bins (-inf, e0), [e0, e1), ..., [ek-1, +inf) over sorted values. */
function openBinCounts(sorted: Float64Array, edges: Float64Array): number[] {
  const counts: number[] = [];
  let previous = 0;
  for (const edge of edges) {
    const below = lowerBound(sorted, edge);
    counts.push(below - previous);
    previous = below;
  }
  counts.push(sorted.length - previous);
  return counts;
}

/**
 * np.histogram(values, edges) over sorted values: bin i holds e[i] <= v < e[i+1], the last bin
 * is closed on the right, values outside [e0, ek] are dropped, repeated edges give empty bins.
 */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): number[] {
  const k = edges.length - 1;
  if (k < 1 || sorted.length === 0) return new Array<number>(Math.max(k, 0)).fill(0);
  const cumulative: number[] = [];
  for (let i = 0; i < k; i++) cumulative.push(lowerBound(sorted, edges[i]!));
  cumulative.push(upperBound(sorted, edges[k]!));
  const counts: number[] = [];
  for (let i = 0; i < k; i++) counts.push(cumulative[i + 1]! - cumulative[i]!);
  return counts;
}

/**
 * Mean and population standard deviation. Values so large that their sum or squares overflow
 * float64 are summed over n and scaled by the largest deviation instead (same result for any
 * data that does not overflow, which takes the plain loop).
 */
function moments(sorted: Float64Array): Pick<FeatureProfile, 'min' | 'max' | 'mean' | 'std'> {
  const n = sorted.length;
  if (n === 0) return { min: null, max: null, mean: null, std: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  let mean = sum / n;
  if (!Number.isFinite(mean)) {
    mean = 0;
    for (let i = 0; i < n; i++) mean += sorted[i]! / n;
  }
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i]! - mean) ** 2;
  let std = Math.sqrt(squares / n);
  if (!Number.isFinite(std)) {
    const scale = Math.max(Math.abs(sorted[0]! - mean), Math.abs(sorted[n - 1]! - mean));
    let scaled = 0;
    for (let i = 0; i < n; i++) scaled += ((sorted[i]! - mean) / scale) ** 2;
    std = scale * Math.sqrt(scaled / n);
  }
  return { min: sorted[0]!, max: sorted[n - 1]!, mean, std };
}
