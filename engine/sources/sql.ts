/**
 * The SQL a database source runs, generated in one place for every dialect (PostgreSQL and
 * DuckDB today; the plan is plain aggregate SQL, so Spark SQL or Trino are a dialect away).
 *
 * A window's histogram is ONE aggregate query over the rows of [from, until). PostgreSQL: every
 * value gets a code, its bin on the feature's scan edges (the kernel's slot: edges at or below it,
 * width_bucket) or NaN/NULL, +Infinity, -Infinity, the last edge; GROUPING SETS count each
 * feature's codes in one scan; the Wasserstein method's tail sums take a second aggregate query.
 * DuckDB: its `histogram(x, boundaries)` aggregate (a binary search in the engine) counts each
 * feature's finite values on the edges, with the quality counts and the tail sums in the same
 * query (histogramAggregateQuery): a binary search written as nested CASE costs DuckDB a pass per
 * CASE node over every vector, far too slow on the fine grid (~2,000 edges a feature) of ks and
 * wasserstein. Rows never leave the database for a check. docs/SOURCES.md shows the generated SQL.
 */
import { emptyHistograms, type Histograms } from '../scan/index.js';
import { QUALITY, qualityIndex } from '../io/index.js';
import { internalError } from '../util/index.js';
import { nextUp } from '../profile/index.js';
import type { TimeWindow } from './window.js';

export interface SqlDialect {
  name: 'postgres' | 'duckdb';
  /** the column type of a float64 */
  double: string;
  /** a list of expressions as one value */
  list(items: string[]): string;
  /** `count(*) FILTER (WHERE ...)` (else sum(CASE ...)) */
  filter: boolean;
  /** a timestamp expression as float64 Unix milliseconds */
  epochMs(expr: string): string;
  /** how a window's histograms are counted: GROUPING SETS over codes (histogramQuery, tailsQuery), or one row of `histogram()` aggregates (histogramAggregateQuery) */
  histogram: 'grouping-sets' | 'aggregate';
}

export const POSTGRES: SqlDialect = {
  name: 'postgres',
  double: 'DOUBLE PRECISION',
  list: (items) => `ARRAY[${items.join(', ')}]`,
  filter: true,
  epochMs: (expr) => `CAST(extract(epoch FROM ${expr}) * 1000 AS DOUBLE PRECISION)`,
  histogram: 'grouping-sets',
};
export const DUCKDB: SqlDialect = {
  name: 'duckdb',
  double: 'DOUBLE',
  list: (items) => `list_value(${items.join(', ')})`,
  filter: true,
  epochMs: (expr) => `CAST(epoch_ms(${expr}) AS DOUBLE)`,
  histogram: 'aggregate',
};
export const DIALECTS = { postgres: POSTGRES, duckdb: DUCKDB } as const;

/** A quoted identifier: `"a""b"`; `schema.table` quotes each part when `qualified`. */
export function quoteIdent(name: string, qualified = false): string {
  const parts = qualified ? name.split('.') : [name];
  return parts.map((part) => `"${part.replace(/"/g, '""')}"`).join('.');
}

/** A string literal with its quotes doubled. */
export function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A float64 literal that parses back to the same double (shortest round-trip text, cast from a string so no dialect reads it as a decimal). */
export function doubleLiteral(dialect: SqlDialect, value: number): string {
  const text = Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
  return `CAST('${text}' AS ${dialect.double})`;
}

/** A UTC instant: `TIMESTAMPTZ '2026-03-01T00:00:00.000Z'` (both dialects compare it with timestamp and timestamptz columns; the session's time zone is UTC). */
export function timestampLiteral(_dialect: SqlDialect, instant: Date): string {
  return `TIMESTAMPTZ '${instant.toISOString()}'`;
}

function sumWhere(dialect: SqlDialect, value: string, condition: string): string {
  return dialect.filter ? `coalesce(sum(${value}) FILTER (WHERE ${condition}), 0)` : `coalesce(sum(CASE WHEN ${condition} THEN ${value} END), 0)`;
}

/** `"ts" >= TIMESTAMPTZ '…' AND "ts" < TIMESTAMPTZ '…'`: the half-open window. */
export function windowPredicate(dialect: SqlDialect, timeColumn: string, window: TimeWindow): string {
  const t = quoteIdent(timeColumn);
  return `${t} >= ${timestampLiteral(dialect, window.from)} AND ${t} < ${timestampLiteral(dialect, window.until)}`;
}

export interface HistogramFeature {
  name: string;
  /** the scan edges, sorted, distinct, finite */
  edges: ArrayLike<number>;
}

/** The codes of the values that are not a bin: NaN or NULL, +Infinity, -Infinity, and the last edge (the kernel's last-edge slot; its bin is n). */
export const CODE = { nan: -1, posInf: -2, negInf: -3, lastEdge: -4 } as const;

/**
 * A value's bin: the number of edges at or below it (np.searchsorted 'right', the kernel's slot),
 * as PostgreSQL's width_bucket over the edge array, else a binary search written as nested CASE.
 */
function binExpression(dialect: SqlDialect, x: string, edges: string[], lo = 0, hi = edges.length): string {
  if (dialect.name === 'postgres') return edges.length === 0 ? '0' : `width_bucket(${x}, ARRAY[${edges.join(', ')}])`;
  if (lo >= hi) return String(lo);
  const mid = (lo + hi) >>> 1;
  return `CASE WHEN ${x} < ${edges[mid]} THEN ${binExpression(dialect, x, edges, lo, mid)} ELSE ${binExpression(dialect, x, edges, mid + 1, hi)} END`;
}

/** A value's code: its bin (binExpression), or a CODE for NaN/NULL, +Inf, -Inf and the last edge. */
export function codeExpression(dialect: SqlDialect, column: string, edges: ArrayLike<number>): string {
  const x = `CAST(${quoteIdent(column)} AS ${dialect.double})`;
  const literals = Array.from(edges, (e) => doubleLiteral(dialect, e));
  const whens = [
    `WHEN ${x} IS NULL OR ${x} = ${doubleLiteral(dialect, NaN)} THEN ${CODE.nan}`,
    `WHEN ${x} = ${doubleLiteral(dialect, Infinity)} THEN ${CODE.posInf}`,
    `WHEN ${x} = ${doubleLiteral(dialect, -Infinity)} THEN ${CODE.negInf}`,
    ...(literals.length > 0 ? [`WHEN ${x} = ${literals[literals.length - 1]} THEN ${CODE.lastEdge}`] : []),
  ];
  return `CASE ${whens.join(' ')} ELSE ${binExpression(dialect, x, literals)} END`;
}

/**
 * The one aggregate query of a window's histograms. `relation` is the FROM clause (a quoted
 * table, or DuckDB's read_parquet(...)). Each row of the window gets one code per feature
 * (codeExpression); GROUP BY GROUPING SETS ((c0), (c1), ...) counts every feature's codes in one
 * scan. Result: per feature f the rows where `c{f}` is not NULL (its code, `n` the count).
 */
export function histogramQuery(dialect: SqlDialect, relation: string, timeColumn: string, window: TimeWindow, features: readonly HistogramFeature[]): string {
  const codes = features.map((feature, f) => `${codeExpression(dialect, feature.name, feature.edges)} AS "c${f}"`);
  const names = features.map((_, f) => `"c${f}"`);
  return [
    `SELECT ${names.join(', ')}, count(*) AS "n"`,
    `FROM (SELECT
    ${codes.join(',\n    ')}
  FROM ${relation}
  WHERE ${windowPredicate(dialect, timeColumn, window)}) AS "coded"`,
    `GROUP BY GROUPING SETS (${names.map((n) => `(${n})`).join(', ')})`,
  ].join('\n');
}

/**
 * The tail sums the Wasserstein method reads (MemoryPlan.tails), a second aggregate query (only
 * for that method): per feature f a list `t{f}`: the sum of e_0 - v over finite v below the first
 * edge, of v - e_last over finite v above the last.
 */
export function tailsQuery(dialect: SqlDialect, relation: string, timeColumn: string, window: TimeWindow, features: readonly HistogramFeature[]): string {
  const select = features.map((feature, f) => `${tailSums(dialect, `CAST(${quoteIdent(feature.name)} AS ${dialect.double})`, feature.edges)} AS "t${f}"`);
  return `SELECT\n  ${select.join(',\n  ')}\nFROM ${relation}\nWHERE ${windowPredicate(dialect, timeColumn, window)}`;
}

/**
 * The one aggregate query of a window's histograms in DuckDB: one result row. Per feature f, over
 * `x{f}` (the column as DOUBLE): `h{f}` = histogram(x, [b0, b1, ...]) over the finite values, with
 * b_i the double below edge e_i, so that the bucket keyed b_i holds b_{i-1} < x <= b_i, i.e.
 * e_{i-1} <= x < e_i: slot i, the kernel's count of edges at or below x (values at or above the
 * last edge fall in its overflow bucket, key +Infinity: slot n); the NaN/NULL, +Infinity, -Infinity and
 * last-edge counts; with `tails`, `t{f}` the tail sums as in tailsQuery.
 */
export function histogramAggregateQuery(dialect: SqlDialect, relation: string, timeColumn: string, window: TimeWindow, features: readonly HistogramFeature[], tails: boolean): string {
  const inf = doubleLiteral(dialect, Infinity);
  const negInf = doubleLiteral(dialect, -Infinity);
  const columns = features.map((feature, f) => `CAST(${quoteIdent(feature.name)} AS ${dialect.double}) AS "x${f}"`);
  const select = features.flatMap((feature, f) => {
    const x = `"x${f}"`;
    const count = (condition: string) => `count(*) FILTER (WHERE ${condition})`;
    const k = feature.edges.length;
    const out = [
      k === 0 ? `${count(`isfinite(${x})`)} AS "h${f}"` : `histogram(${x}, ${dialect.list(Array.from(feature.edges, (e) => doubleLiteral(dialect, nextDown(e))))}) FILTER (WHERE isfinite(${x})) AS "h${f}"`,
      `${count(`${x} IS NULL OR isnan(${x})`)} AS "nan${f}"`,
      `${count(`${x} = ${inf}`)} AS "pinf${f}"`,
      `${count(`${x} = ${negInf}`)} AS "ninf${f}"`,
      `${k === 0 ? '0' : count(`${x} = ${doubleLiteral(dialect, feature.edges[k - 1]!)}`)} AS "last${f}"`,
    ];
    if (tails) out.push(`${tailSums(dialect, x, feature.edges)} AS "t${f}"`);
    return out;
  });
  return [
    `SELECT count(*) AS "rows",
  ${select.join(',\n  ')}`,
    `FROM (SELECT ${columns.join(', ')}
  FROM ${relation}
  WHERE ${windowPredicate(dialect, timeColumn, window)}) AS "w"`,
  ].join('\n');
}

/** The largest double below a finite x. */
function nextDown(x: number): number {
  return -nextUp(-x);
}

/** The one row of histogramAggregateQuery -> the scan's Histograms (the same slots and counters as histogramsFromRows). */
export function histogramsFromAggregate(features: readonly HistogramFeature[], row: Record<string, unknown>, tails: boolean): Histograms {
  const histograms = emptyHistograms(features.map((f) => f.name), Int32Array.from(features, (f) => f.edges.length), { tails });
  histograms.rows = Number(row['rows']);
  features.forEach((feature, f) => {
    const k = feature.edges.length;
    const slots = histograms.counts[f]!;
    const h = row[`h${f}`];
    if (k === 0) slots[0] = Number(h ?? 0);
    else if (h !== null && h !== undefined) {
      // the buckets by their key (b_i, the boundary sent); the overflow bucket (at or above the last edge) has the key +Infinity (NULL in older DuckDB)
      const slotOf = new Map(Array.from(feature.edges, (e, i) => [nextDown(e), i] as const));
      for (const { key, value } of h as { key: number | null; value: number | bigint }[]) {
        const slot = key === null || key === Infinity ? k : slotOf.get(Number(key));
        if (slot === undefined) throw internalError(`the histogram query gave a bucket ${key} that is no boundary of ${feature.name}`);
        slots[slot]! += Number(value);
      }
    }
    const quality: [number, string][] = [[QUALITY.nan, 'nan'], [QUALITY.posInf, 'pinf'], [QUALITY.negInf, 'ninf']];
    for (const [kind, name] of quality) {
      const n = Number(row[`${name}${f}`]);
      slots[k + 1]! += n;
      histograms.quality[qualityIndex(f, kind)]! += n;
    }
    slots[k + 2]! += Number(row[`last${f}`]);
    if (tails) setTails(histograms, f, row);
  });
  return histograms;
}

/** Feature f's tail sums from the list `t{f}` of a result row. */
function setTails(histograms: Histograms, f: number, row: Record<string, unknown>): void {
  const t = row[`t${f}`] as number[];
  histograms.tails![2 * f] = Number(t[0]);
  histograms.tails![2 * f + 1] = Number(t[1]);
}

/** The two tail sums of x beyond the first and last edge, as a list: sum(e0 - x) over finite x < e0, sum(x - e_last) over finite x > e_last. */
function tailSums(dialect: SqlDialect, x: string, edges: ArrayLike<number>): string {
  if (edges.length === 0) return dialect.list(['0', '0']);
  const first = doubleLiteral(dialect, edges[0]!);
  const last = doubleLiteral(dialect, edges[edges.length - 1]!);
  return dialect.list([sumWhere(dialect, `${first} - ${x}`, `${x} < ${first} AND ${x} > ${doubleLiteral(dialect, -Infinity)}`), sumWhere(dialect, `${x} - ${last}`, `${x} > ${last} AND ${x} < ${doubleLiteral(dialect, Infinity)}`)]);
}

/** The grouped rows (and the tail sums) -> the scan's Histograms (the kernel's count slots and the QUALITY counters). */
export function histogramsFromRows(features: readonly HistogramFeature[], grouped: readonly Record<string, unknown>[], tails: Record<string, unknown> | null): Histograms {
  const nEdges = Int32Array.from(features, (f) => f.edges.length);
  const histograms = emptyHistograms(features.map((f) => f.name), nEdges, { tails: tails !== null });
  const rowsOf = new Float64Array(features.length);
  for (const row of grouped) {
    const f = features.findIndex((_, i) => row[`c${i}`] !== null && row[`c${i}`] !== undefined);
    if (f < 0) continue;
    const code = Number(row[`c${f}`]);
    const n = Number(row['n']);
    const k = features[f]!.edges.length;
    const slots = histograms.counts[f]!;
    rowsOf[f]! += n;
    if (code >= 0 && code <= k) slots[code]! += n;
    else if (code === CODE.lastEdge) {
      slots[k]! += n;
      slots[k + 2]! += n;
    } else {
      const kind = code === CODE.nan ? QUALITY.nan : code === CODE.posInf ? QUALITY.posInf : code === CODE.negInf ? QUALITY.negInf : -1;
      if (kind < 0) throw internalError(`the histogram query gave code ${code} for ${features[f]!.name}`);
      slots[k + 1]! += n;
      histograms.quality[qualityIndex(f, kind)]! += n;
    }
  }
  // every row has one code per feature
  histograms.rows = rowsOf[0] ?? 0;
  if (rowsOf.some((r) => r !== histograms.rows)) throw internalError('the histogram query counted different rows per feature');
  if (histograms.tails && tails) {
    features.forEach((_, f) => setTails(histograms, f, tails));
  }
  return histograms;
}

/**
 * The rows of a window, the columns as float64 (the reference's bounded pull; the benchmark's
 * "pull the rows"; monitoring's label, prediction and probability). A column in `booleans` is
 * read as 0 (false) and 1 (true) through an integer (PostgreSQL has no boolean to float cast).
 */
export function rowsQuery(dialect: SqlDialect, relation: string, timeColumn: string, window: TimeWindow, columns: readonly string[], booleans: ReadonlySet<string> = new Set()): string {
  const select = columns.map((name) => `CAST(${booleans.has(name) ? `CAST(${quoteIdent(name)} AS INTEGER)` : quoteIdent(name)} AS ${dialect.double})`);
  return `SELECT ${select.join(', ')}\nFROM ${relation}\nWHERE ${windowPredicate(dialect, timeColumn, window)}`;
}

/** How many rows a window has (checked against the pull bound before rows are pulled). */
export function countQuery(dialect: SqlDialect, relation: string, timeColumn: string, window: TimeWindow): string {
  return `SELECT count(*) AS "rows" FROM ${relation} WHERE ${windowPredicate(dialect, timeColumn, window)}`;
}

/** The first and last timestamps and the rows of a relation (reference stats, the default period). */
export function periodQuery(dialect: SqlDialect, relation: string, timeColumn: string): string {
  const t = quoteIdent(timeColumn);
  return `SELECT ${dialect.epochMs(`min(${t})`)} AS "first", ${dialect.epochMs(`max(${t})`)} AS "last", count(*) AS "rows" FROM ${relation}`;
}
