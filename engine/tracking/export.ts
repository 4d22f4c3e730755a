/**
 * `runs export`: the runs of one experiment as a table, one row per run, written as CSV (RFC 4180
 * quoting) or Parquet (hyparquet-writer, loaded when needed), to a temp file renamed into place.
 * Columns (docs/RUNS.md): run_id, ledger_id, experiment, run_name, status, start_time, end_time,
 * then `metrics.<key>`, `params.<key>`, `tags.<key>`, each group sorted by key, as
 * mlflow.search_runs names them. A run without a value leaves its cell empty (null).
 */
import { extname } from 'node:path';
import { UsageError, writeFileAtomic } from '../util/index.js';
import type { TrackingOptions } from './config.js';
import { listRuns, type RunSourceKind, type TrackedRun } from './runs.js';

export type ExportFormat = 'csv' | 'parquet';

export interface ExportOptions extends TrackingOptions {
  experiment: string;
  /** the file to write; its extension (.csv, .parquet) says the format unless `format` does */
  output: string;
  format?: ExportFormat;
  filter?: string;
  since?: number | string;
  onProgress?: (fetched: number) => void;
}

export interface ExportResult {
  source: RunSourceKind;
  where: string;
  file: string;
  format: ExportFormat;
  rows: number;
  columns: string[];
}

/** The export's columns and cells: the fixed ones, then metrics, params and tags by key. */
export interface RunsTable {
  columns: { name: string; kind: 'string' | 'number' | 'time' }[];
  /** one per run, in `columns` order; null: the run has no such value */
  rows: (string | number | null)[][];
}

const FIXED_COLUMNS: RunsTable['columns'] = [
  { name: 'run_id', kind: 'string' },
  { name: 'ledger_id', kind: 'string' },
  { name: 'experiment', kind: 'string' },
  { name: 'run_name', kind: 'string' },
  { name: 'status', kind: 'string' },
  { name: 'start_time', kind: 'time' },
  { name: 'end_time', kind: 'time' },
];

export function runsTable(runs: readonly TrackedRun[]): RunsTable {
  const keys = (pick: (r: TrackedRun) => Record<string, unknown>) => [...new Set(runs.flatMap((r) => Object.keys(pick(r))))].sort();
  const metricKeys = keys((r) => r.metrics);
  const paramKeys = keys((r) => r.params);
  const tagKeys = keys((r) => r.tags);
  const columns: RunsTable['columns'] = [
    ...FIXED_COLUMNS,
    ...metricKeys.map((k) => ({ name: `metrics.${k}`, kind: 'number' as const })),
    ...paramKeys.map((k) => ({ name: `params.${k}`, kind: 'string' as const })),
    ...tagKeys.map((k) => ({ name: `tags.${k}`, kind: 'string' as const })),
  ];
  const value = (record: Record<string, string | number>, key: string) => (Object.hasOwn(record, key) ? record[key]! : null);
  const rows = runs.map((r) => [
    r.run_id,
    r.ledger_id ?? null,
    r.experiment,
    r.run_name,
    r.status,
    r.start_time,
    r.end_time,
    ...metricKeys.map((k) => value(r.metrics, k)),
    ...paramKeys.map((k) => value(r.params, k)),
    ...tagKeys.map((k) => value(r.tags, k)),
  ]);
  return { columns, rows };
}

/** A CSV cell: quoted when it holds a comma, a quote, CR or LF, or starts or ends with a space; quotes doubled. */
export function csvCell(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV text: times as ISO 8601 (UTC), numbers as JavaScript writes them (NaN, Infinity), empty for null; CRLF-free (LF). */
export function runsCsv(table: RunsTable): string {
  const cell = (value: string | number | null, kind: RunsTable['columns'][number]['kind']) =>
    value === null ? '' : kind === 'time' ? new Date(value as number).toISOString() : csvCell(String(value));
  const lines = [table.columns.map((c) => csvCell(c.name)).join(','), ...table.rows.map((row) => row.map((v, i) => cell(v, table.columns[i]!.kind)).join(','))];
  return lines.join('\n') + '\n';
}

/** The table as a Parquet file: strings UTF8, numbers DOUBLE, times TIMESTAMP_MILLIS; every column nullable. */
export async function runsParquet(table: RunsTable): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const columnData = table.columns.map((column, i) => {
    const data = table.rows.map((row) => row[i] ?? null);
    if (column.kind === 'time') return { name: column.name, type: 'TIMESTAMP' as const, data: data.map((v) => (v === null ? null : new Date(v as number))) };
    if (column.kind === 'number') return { name: column.name, type: 'DOUBLE' as const, data: data.map((v) => (v === null ? null : Number(v))) };
    return { name: column.name, type: 'STRING' as const, data: data.map((v) => (v === null ? null : String(v))) };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'driftcatcher' }));
}

export function exportFormatOf(file: string, format?: ExportFormat): ExportFormat {
  if (format) return format;
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new UsageError(`cannot tell the format of "${file}": name it .csv or .parquet`, { option: 'output' });
}

/** Write every run of an experiment (that passes the filter) to one file, newest first. */
export async function exportRuns(options: ExportOptions): Promise<ExportResult> {
  if (!options.experiment) throw new UsageError('name the experiment to export', { option: 'experiment' });
  const format = exportFormatOf(options.output, options.format);
  const listing = await listRuns({ ...options, limit: undefined });
  const table = runsTable(listing.runs);
  await writeFileAtomic(options.output, format === 'csv' ? runsCsv(table) : await runsParquet(table));
  return { source: listing.source, where: listing.where, file: options.output, format, rows: table.rows.length, columns: table.columns.map((c) => c.name) };
}
