/**
 * engine/sources: windows of production data where it lives (JSON-lines prediction logs,
 * PostgreSQL, DuckDB). A reference is a baseline profile of a window's rows (pulled, bounded by
 * maxRows, and profiled as engine/profile profiles a file); a check counts a window on the
 * baseline's edges in the source (one aggregate query in a database) and hands the counts to
 * the drift report, so a window's verdict is the verdict of the same rows in a file. Windows are
 * half-open UTC intervals (window.ts). This is the area's only export.
 */
import { buildProfile, type BaselineOptions, type FeatureColumn, type Profile } from '../profile/index.js';
import { binEdges, driftReport, resolveDriftOptions, type DriftOptions, type DriftReport } from '../drift/index.js';
import { InputError, SchemaError } from '../util/index.js';
import { nonFeatureColumns, parseSourceSpec, resolveSourceOptions, type SourceOptions } from './options.js';
import { SqlSource } from './sql-source.js';
import { LogsSource } from './logs.js';
import { countBatches } from './pull.js';
import { chunkWindows, windowJson, windowText, type TimeWindow } from './window.js';
import type { CountRequest, Source } from './types.js';
import { emptyHistograms, type Histograms } from '../scan/index.js';
import { QUALITY_FIELDS } from '../io/index.js';

export { parseDuration, parseInstant, windowEnding, chunkWindows, windowText, windowJson, DAY_MS, type TimeWindow } from './window.js';
export { SOURCE_DEFAULTS, SSL_MODES, parseSourceSpec, redactSecrets, resolveSourceOptions, nonFeatureColumns, type SourceOptions, type ResolvedSourceOptions, type SourceSpec } from './options.js';
export { DIALECTS, POSTGRES, DUCKDB, histogramQuery, histogramsFromRows, histogramAggregateQuery, histogramsFromAggregate, tailsQuery, codeExpression, CODE, rowsQuery, countQuery, periodQuery, windowPredicate, quoteIdent, quoteString, doubleLiteral, timestampLiteral, type SqlDialect, type HistogramFeature } from './sql.js';
export { countBatch, countBatches } from './pull.js';
export { parseLogTime } from '../io/index.js';
export type { Source, SourceColumn, RowBatch, CountRequest } from './types.js';
export { monitorSourceWindow, monitorSourceChunks, type SourceMonitorOptions, type WindowPerformance } from './monitor.js';

/** Open a `<source>` (options.ts: postgres://..., postgres:, duckdb:..., logs:dir/). Close it after use. */
export async function openSource(text: string, options: SourceOptions = {}): Promise<Source> {
  const spec = parseSourceSpec(text);
  const resolved = resolveSourceOptions(options);
  if (spec.kind === 'logs') return new LogsSource(spec.dir, resolved);
  if (spec.kind === 'postgres') {
    const { openPostgres } = await import('./postgres.js');
    return new SqlSource(await openPostgres(spec.url, resolved), resolved.timeColumn);
  }
  const { openDuckDb } = await import('./duckdb.js');
  return new SqlSource(await openDuckDb(spec.path, spec.table, spec.files, resolved), resolved.timeColumn);
}

/** The source's feature columns (numeric, not the time, label, prediction, probability, model version or excluded) and its label column when it has one. */
export async function sourceFeatures(source: Source, options: SourceOptions = {}): Promise<{ features: string[]; label: string | null }> {
  const resolved = resolveSourceOptions(options);
  const columns = await source.columns();
  const skip = nonFeatureColumns(resolved);
  const features = columns.filter((c) => c.numeric && !skip.has(c.name)).map((c) => c.name);
  const label = columns.some((c) => c.name === resolved.labelColumn) ? resolved.labelColumn : null;
  if (features.length === 0) throw new SchemaError(`${source.description}: no numeric feature column (every column is the time, label, prediction, probability, model version, excluded or not a number)`);
  return { features, label };
}

export interface ReferenceOptions extends SourceOptions, Pick<BaselineOptions, 'bins' | 'resolution' | 'categorical' | 'maxCategories'> {}

/**
 * A baseline profile of a window's rows. Exact quantiles need the values themselves, so the
 * rows are pulled (streamed in batches), after a count: more than maxRows is refused, naming
 * the window and the bound.
 */
export async function referenceFromSource(source: Source, window: TimeWindow, options: ReferenceOptions = {}): Promise<Profile> {
  const resolved = resolveSourceOptions(options);
  const { features, label } = await sourceFeatures(source, options);
  const rows = await source.countRows(window);
  if (rows === 0) throw new InputError(`${source.description}: no rows in the window ${windowText(window)}`);
  if (rows > resolved.maxRows) throw new InputError(`${source.description}: the window ${windowText(window)} has ${rows} rows, more than the ${resolved.maxRows} a reference pulls (raise --max-rows or shorten the window)`, { option: 'maxRows' });
  const columns = features.map(() => new Float64Array(rows));
  let at = 0;
  for await (const batch of source.batches(window, features)) {
    // rows that arrived after the count: the bound holds, the profile is of the rows counted
    const take = Math.min(batch.rows, rows - at);
    batch.columns.forEach((values, c) => columns[c]!.set(values.subarray(0, take), at));
    at += take;
    if (at === rows) break;
  }
  const featureColumns: FeatureColumn[] = features.map((name, c) => ({ name, values: columns[c]!.subarray(0, at) }));
  const profile = buildProfile({
    columns: featureColumns,
    rows: at,
    bins: options.bins ?? 10,
    resolution: options.resolution,
    categorical: options.categorical,
    maxCategories: options.maxCategories,
    label,
    source: { file: source.description, bytes: null, format: source.kind },
    path: source.description,
  });
  return { ...profile, window: { ...windowJson(window), time_column: resolved.timeColumn } };
}

/** A check of one window: the drift report and the window it covers. */
export interface WindowCheck {
  window: ReturnType<typeof windowJson>;
  report: DriftReport;
}

export interface SourceCheckOptions extends DriftOptions, SourceOptions {
  /** count the rows here instead of in the database (the benchmark's comparison; logs always do) */
  pull?: boolean;
}

/** The request a check sends to a source: the baseline's features on the scan edges its settings bin them on. */
export function countRequest(profile: Profile, options: DriftOptions = {}): CountRequest {
  const settings = resolveDriftOptions(profile, options);
  return { featureNames: profile.features.map((f) => f.name), edges: binEdges(profile, settings), tails: settings.fine };
}

/** Drift of one window against a baseline: the report a file of the same rows gets. */
export async function checkSourceWindow(source: Source, profile: Profile, window: TimeWindow, options: SourceCheckOptions = {}): Promise<WindowCheck> {
  const settings = resolveDriftOptions(profile, options);
  const request = countRequest(profile, options);
  const available = new Set((await source.columns()).map((c) => c.name));
  const missing = request.featureNames.filter((name) => !available.has(name));
  if (missing.length > 0 && settings.semantics === 'default') {
    throw new SchemaError(`${source.description}: the baseline's feature ${JSON.stringify(missing[0])} is not a column of the source${missing.length > 1 ? ` (nor ${missing.length - 1} more)` : ''}`, { column: missing[0] });
  }
  // compat skips the features the data lacks: they are not counted (zero counts: driftReport skips them)
  const present = request.featureNames.map((name, f) => ({ name, f })).filter(({ name }) => available.has(name));
  const subRequest: CountRequest = { featureNames: present.map((p) => p.name), edges: present.map((p) => request.edges[p.f]!), tails: request.tails };
  const counted = options.pull ? await countBatches(source.batches(window, subRequest.featureNames), subRequest) : await source.count(window, subRequest);
  if (counted.rows === 0) throw new InputError(`${source.description}: no rows in the window ${windowText(window)}`);
  const histograms = present.length === request.featureNames.length ? counted : widen(counted, request, present.map((p) => p.f));
  // the columns a file of the same rows would have: the source's minus the time, prediction, probability and model version
  const skip = nonFeatureColumns(resolveSourceOptions(options));
  const label = resolveSourceOptions(options).labelColumn;
  histograms.columns = [...available].filter((name) => !skip.has(name) || name === label);
  const report = driftReport(profile, histograms, settings, [`${source.description} ${windowText(window)}`]);
  return { window: windowJson(window), report };
}

/** Histograms of some features placed among all the request's features (the others zero). */
function widen(counted: Histograms, request: CountRequest, at: number[]): Histograms {
  const all = emptyHistograms(request.featureNames, Int32Array.from(request.edges, (e) => e.length), { tails: counted.tails !== undefined });
  all.rows = counted.rows;
  at.forEach((f, i) => {
    all.counts[f] = counted.counts[i]!;
    all.quality.set(counted.quality.subarray(QUALITY_FIELDS * i, QUALITY_FIELDS * (i + 1)), QUALITY_FIELDS * f);
    if (all.tails && counted.tails) all.tails.set(counted.tails.subarray(2 * i, 2 * i + 2), 2 * f);
  });
  return all;
}

/** One check per chunk of the period (NannyML's chunking): chunks without rows are listed with a null report. */
export async function checkSourceChunks(source: Source, profile: Profile, period: TimeWindow, chunkMs: number, options: SourceCheckOptions = {}): Promise<Array<WindowCheck | { window: ReturnType<typeof windowJson>; report: null; rows: 0 }>> {
  const out: Array<WindowCheck | { window: ReturnType<typeof windowJson>; report: null; rows: 0 }> = [];
  for (const window of chunkWindows(period, chunkMs)) {
    if ((await source.countRows(window)) === 0) out.push({ window: windowJson(window), report: null, rows: 0 });
    else out.push(await checkSourceWindow(source, profile, window, options));
  }
  return out;
}

/** What `reference stats` prints of a profile: rows, period, per-feature summary. */
export interface ReferenceStats {
  id: string;
  source: string;
  rows: number;
  complete_rows: number;
  period: { from: string; until: string; time_column: string } | null;
  bins: number;
  features: Array<{ name: string; count: number; missing: number; min: number | null; max: number | null; mean: number | null; std: number | null; median: number | null; categorical: boolean }>;
}

export function referenceStats(profile: Profile): ReferenceStats {
  const median = (q: number[]) => (q.length % 2 === 1 ? q[(q.length - 1) / 2]! : null);
  return {
    id: profile.id,
    source: profile.source.file,
    rows: profile.rows,
    complete_rows: profile.complete_rows,
    period: profile.window ? { from: profile.window.from, until: profile.window.until, time_column: profile.window.time_column } : null,
    bins: profile.bins,
    features: profile.features.map((f) => ({ name: f.name, count: f.count, missing: f.missing, min: f.min, max: f.max, mean: f.mean, std: f.std, median: f.count > 0 ? median(f.quantiles) : null, categorical: f.categorical !== undefined })),
  };
}

