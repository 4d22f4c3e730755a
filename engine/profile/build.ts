import { createHash } from 'node:crypto';
import { lowerBound, upperBound, uniqueSorted, quantileGrid, quantileOf, type QuantileGrid } from './quantile.js';
import { DEFAULT_RESOLUTION, PROFILE_FORMAT, PROFILE_VERSION, type CategoricalSummary, type FeatureProfile, type FineSummary, type Profile } from './types.js';
import { InputError, UsageError, sortFloat64 } from '../util/index.js';
import { ExactSum, SUM_SCALE, roundRatio } from '../kernels/index.js';
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
  const file = input.path ?? input.source.file;
  const { resolution, named, maxCategories } = checkBuildOptions({ bins, resolution: input.resolution, categorical: input.categorical, maxCategories: input.maxCategories, featureNames: columns.map((c) => c.name), label: input.label, file, rows });
  const complete = completeRows(columns, rows);
  let completeCount = 0;
  for (let r = 0; r < rows; r++) completeCount += complete[r]!;
  const features = columns.map((column) => assembleFeature(columnData(column, complete, completeCount, named), bins, resolution, file, named, maxCategories));
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

/**
 * The options of a baseline, checked before any data is read (UsageError naming the option), and
 * the inputs a baseline refuses: no feature column, no rows (InputError naming the file).
 */
export function checkBuildOptions(input: { bins: number; resolution?: number | undefined; categorical?: readonly string[] | undefined; maxCategories?: number | undefined; featureNames: readonly string[]; label: string | null; file: string; rows?: number }): { resolution: number; named: Set<string>; maxCategories: number } {
  const { bins, file } = input;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new UsageError(`must be an integer from 1 to 1000, got ${bins}`, { option: 'bins' });
  const resolution = resolveResolution(bins, input.resolution);
  if (input.rows === 0) throw new InputError('no data rows after the header', { file });
  if (input.featureNames.length === 0) {
    // a profile without features is one `check` refuses: say so here instead of writing it
    const detail = 'no feature column: every column is the label or excluded (a baseline needs at least one numeric feature)';
    throw new InputError(detail, input.label === null ? { file } : { file, column: input.label });
  }
  const named = namedCategorical(input.categorical ?? [], input.featureNames, file);
  const maxCategories = resolveMaxCategories(input.maxCategories);
  return { resolution, named, maxCategories };
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
function namedCategorical(names: readonly string[], featureNames: readonly string[], file: string): Set<string> {
  const features = new Set(featureNames);
  for (const name of names) {
    if (!features.has(name)) throw new UsageError(`column ${JSON.stringify(name)} is not a feature column of ${file} (absent, the label or excluded)`, { option: 'categorical' });
  }
  return new Set(names);
}

/**
 * A feature's finite values in sorted order, as far as a profile needs them: the value at a
 * rank, and how many values are below (or at or below) a number. The in-memory baseline answers
 * from the sorted column (sortedValues), the streaming one from the buckets it selected
 * (stream.ts); the same fields follow from either (assembleFeature).
 */
export interface OrderStatistics {
  readonly n: number;
  at(rank: number): number;
  /** values < x (np.searchsorted side 'left') */
  below(x: number): number;
  /** values <= x (side 'right') */
  atOrBelow(x: number): number;
}

/** OrderStatistics of a sorted array. */
export function sortedValues(sorted: Float64Array): OrderStatistics {
  return { n: sorted.length, at: (rank) => sorted[rank]!, below: (x) => lowerBound(sorted, x), atOrBelow: (x) => upperBound(sorted, x) };
}

/** What a profile's feature is made of, from whichever builder. */
export interface FeatureData {
  name: string;
  /** the column's values, finite or not (the profile's rows) */
  total: number;
  nan: number;
  posInf: number;
  negInf: number;
  /** finite values, and those of complete rows (the compat baseline) */
  all: OrderStatistics;
  complete: OrderStatistics;
  /** exact sums of the finite values and of their squares (units of 2^-1074), squares that overflow */
  sum: bigint;
  squares: bigint;
  squareOverflow: number;
  /** the mean and the divisor of the deviations (momentDivisor), and the exact sum of ((v - mean) / divisor)^2 */
  mean: number;
  divisor: number;
  deviations: bigint;
  /** distinct finite values, counted up to DISTINCT_COUNT_LIMIT (DISTINCT_COUNT_LIMIT + 1: more) */
  distinct: number;
  /** exact value counts of the finite values (for a categorical summary), null when not kept (too many distinct values) */
  valueCounts: () => Map<number, number> | null;
}

/** fine.distinct counts distinct values up to this many; a column with more says DISTINCT_COUNT_LIMIT + 1 ("more"). */
export const DISTINCT_COUNT_LIMIT = 1000;
/** the most distinct values a named categorical column may have (its exact value counts are kept in memory) */
export const NAMED_DISTINCT_LIMIT = 100_000;

/** The mean of n finite values from their exact sum: correctly rounded. */
export function exactMean(n: number, sum: bigint): number {
  return n === 0 ? NaN : roundRatio(sum, BigInt(n) * SUM_SCALE);
}

/**
 * The deviations (v - mean) are divided by the largest one when its square could overflow
 * float64 (above 1e150), else by 1: the standard deviation is then divisor * sqrt(mean square).
 */
export function momentDivisor(min: number, max: number, mean: number): number {
  const scale = Math.max(Math.abs(min - mean), Math.abs(max - mean));
  return scale > 1e150 ? scale : 1;
}

/** A feature of the profile from its data (the same fields whichever builder made the data). */
export function assembleFeature(data: FeatureData, bins: number, resolution: number, file: string, named: ReadonlySet<string>, maxCategories: number): FeatureProfile {
  const { all, complete } = data;
  const quantiles = quantilesOf(all, bins, 'i/bins');
  const edges = uniqueSorted(quantiles.subarray(1, bins));
  const counts = openBinCounts(all, edges);

  const compatEdges = quantilesOf(complete, bins, 'linspace');
  const compatCounts = histogramCountsOf(complete, compatEdges);

  const stats = moments(data);
  const fine = fineSummary(data, resolution);
  refuseOverflow(data.name, file, stats, quantiles, compatEdges, fine);
  const kind = categoricalKind(data.name, fine.distinct, all.n, named);
  const missing = data.nan + data.posInf + data.negInf;
  let categorical: CategoricalSummary | undefined;
  if (kind !== null) {
    const valueCounts = data.valueCounts();
    if (valueCounts === null) throw new InputError(`has more than ${NAMED_DISTINCT_LIMIT} distinct values, more than a categorical column may have (its value counts are kept in memory); leave it out of --categorical`, { file, column: data.name });
    categorical = categoricalSummary(valueCounts, missing, data.total, kind, maxCategories);
  }
  return {
    name: data.name,
    count: all.n,
    nan: data.nan,
    pos_inf: data.posInf,
    neg_inf: data.negInf,
    ...stats,
    quantiles: Array.from(quantiles),
    edges: Array.from(edges),
    counts,
    missing,
    fine,
    ...(categorical ? { categorical } : {}),
    compat: { edges: Array.from(compatEdges), counts: compatCounts },
  };
}

/** The data of a whole column (the in-memory baseline). */
function columnData(column: FeatureColumn, complete: Uint8Array, completeCount: number, named: ReadonlySet<string>): FeatureData {
  const { values } = column;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  const finite = new Float64Array(values.length);
  const finiteComplete = new Float64Array(completeCount);
  let nFinite = 0;
  let nComplete = 0;
  const sum = new ExactSum();
  const squares = new ExactSum();
  let squareOverflow = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r]!;
    if (Number.isFinite(v)) {
      finite[nFinite++] = v;
      if (complete[r]) finiteComplete[nComplete++] = v;
      sum.add(v);
      const square = v * v;
      if (Number.isFinite(square)) squares.add(square);
      else squareOverflow++;
    } else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else nan++;
  }
  const sorted = sortFloat64(finite.subarray(0, nFinite));
  const sortedComplete = sortFloat64(finiteComplete.subarray(0, nComplete));
  const total = sum.toBigInt();
  const mean = exactMean(nFinite, total);
  const divisor = nFinite === 0 ? 1 : momentDivisor(sorted[0]!, sorted[nFinite - 1]!, mean);
  const deviations = new ExactSum();
  for (let i = 0; i < nFinite; i++) {
    const d = (sorted[i]! - mean) / divisor;
    const square = d * d;
    if (Number.isFinite(square)) deviations.add(square);
  }
  let distinct = 0;
  for (let i = 0; i < nFinite; i++) if (i === 0 || sorted[i - 1] !== sorted[i]) distinct++;
  const valueCounts = named.has(column.name) && distinct > NAMED_DISTINCT_LIMIT ? null : sortedValueCounts(sorted);
  return {
    name: column.name,
    total: values.length,
    nan,
    posInf,
    negInf,
    all: sortedValues(sorted),
    complete: sortedValues(sortedComplete),
    sum: total,
    squares: squares.toBigInt(),
    squareOverflow,
    mean,
    divisor,
    deviations: deviations.toBigInt(),
    distinct: Math.min(distinct, DISTINCT_COUNT_LIMIT + 1),
    valueCounts: () => valueCounts,
  };
}

/** The bins + 1 quantiles on a grid (quantileEdges over OrderStatistics); none without values. */
function quantilesOf(values: OrderStatistics, bins: number, grid: QuantileGrid): Float64Array {
  if (values.n === 0) return new Float64Array(0);
  return quantileGrid(bins, grid).map((q) => quantileOf(values.n, q, (rank) => values.at(rank)));
}

/**
 * The fine summary: the distinct quantiles at q = i / resolution (the decile edges among them,
 * bit for bit, since i / bins and (i R / bins) / R are the same double), the counts of the open
 * bins on those edges, the values equal to each edge, the distinct values and the sums.
 */
function fineSummary(data: FeatureData, resolution: number): FineSummary {
  const { all } = data;
  const edges = uniqueSorted(quantilesOf(all, resolution, 'i/bins'));
  // values so large that the sums overflow float64 (which the mean and std survive, see moments) leave them null
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
  const atoms = Array.from(edges, (e) => all.atOrBelow(e) - all.below(e));
  const sum = all.n === 0 ? 0 : finiteOrNull(roundRatio(data.sum, SUM_SCALE));
  const sumSquares = data.squareOverflow > 0 ? null : finiteOrNull(roundRatio(data.squares, SUM_SCALE));
  return { edges: Array.from(edges), counts: openBinCounts(all, edges), atoms, distinct: data.distinct, sum, sum_squares: sumSquares };
}

/**
 * Finite values so far apart (-1e308 next to +1e308) that the difference of two of them overflows
 * make non-finite quantiles (numpy's interpolation takes the difference of neighbours) and
 * statistics: a profile no check could use. Refused, naming the column.
 */
function refuseOverflow(name: string, file: string, stats: Pick<FeatureProfile, 'min' | 'max' | 'mean' | 'std'>, quantiles: Float64Array, compatEdges: Float64Array, fine: FineSummary): void {
  const allFinite = (values: ArrayLike<number>): boolean => {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
    return true;
  };
  let what: string;
  if (!allFinite(quantiles) || !allFinite(compatEdges) || !allFinite(fine.edges)) what = 'its quantiles overflow (numpy interpolates between neighbouring values)';
  else if (!allFinite([stats.mean ?? 0, stats.std ?? 0])) what = 'its standard deviation overflows';
  else return;
  const range = `${stats.min} to ${stats.max}`;
  throw new InputError(`values from ${range} are too far apart for float64: ${what}; rescale the column or exclude it from the features`, { file, column: name });
}

/** Counts of the open-ended bins (-inf, e0), [e0, e1), ..., [ek-1, +inf) over the values. */
function openBinCounts(values: OrderStatistics, edges: Float64Array): number[] {
  const counts: number[] = [];
  let previous = 0;
  for (const edge of edges) {
    const below = values.below(edge);
    counts.push(below - previous);
    previous = below;
  }
  counts.push(values.n - previous);
  return counts;
}

/**
 * np.histogram(values, edges) over sorted values: bin i holds e[i] <= v < e[i+1], the last bin
 * is closed on the right, values outside [e0, ek] are dropped, repeated edges give empty bins.
 */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): number[] {
  return histogramCountsOf(sortedValues(sorted), edges);
}

function histogramCountsOf(values: OrderStatistics, edges: Float64Array): number[] {
  const k = edges.length - 1;
  if (k < 1 || values.n === 0) return new Array<number>(Math.max(k, 0)).fill(0);
  const cumulative: number[] = [];
  for (let i = 0; i < k; i++) cumulative.push(values.below(edges[i]!));
  cumulative.push(values.atOrBelow(edges[k]!));
  const counts: number[] = [];
  for (let i = 0; i < k; i++) counts.push(cumulative[i + 1]! - cumulative[i]!);
  return counts;
}

/**
 * Min, max, mean and population standard deviation. The mean is the exact sum divided by n,
 * correctly rounded; the standard deviation divisor * sqrt(m), m the exact sum of
 * ((v - mean) / divisor)^2 over n, correctly rounded (momentDivisor): exact sums do not depend
 * on the order of the values, so that a streaming baseline, whose workers see the rows in any
 * order, gives the same doubles as the in-memory one.
 */
function moments(data: FeatureData): Pick<FeatureProfile, 'min' | 'max' | 'mean' | 'std'> {
  const n = data.all.n;
  if (n === 0) return { min: null, max: null, mean: null, std: null };
  const std = data.divisor * Math.sqrt(roundRatio(data.deviations, BigInt(n) * SUM_SCALE));
  return { min: data.all.at(0), max: data.all.at(n - 1), mean: data.mean, std };
}
