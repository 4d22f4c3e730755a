/**
 * What a source reads and how: the `<source>` syntax (parseSourceSpec), the column and field
 * names (SOURCE_DEFAULTS, resolveSourceOptions) and the redaction of connection strings.
 *
 * `<source>`:
 *   postgres://user:pass@host:5432/db?sslmode=require   PostgreSQL (postgresql:// too)
 *   postgres:                                            PostgreSQL from the libpq PG* variables
 *   duckdb:path.duckdb[?table=name]                      a DuckDB database file
 *   duckdb:data/*.parquet, duckdb:logs/*.csv             Parquet or CSV files by glob, read by DuckDB
 *   logs:dir/                                            JSON-lines prediction logs (*.jsonl, *.ndjson, *.log)
 */
import { UsageError } from '../util/index.js';
import { positiveInteger, resolveMaxLineBytes } from '../io/index.js';
import { checkWorkers } from '../parallel/index.js';
import type { KernelName } from '../kernels/index.js';

export type SourceSpec =
  | { kind: 'postgres'; url: string | null }
  | { kind: 'duckdb'; path: string; table: string | null; files: 'parquet' | 'csv' | null }
  | { kind: 'logs'; dir: string };

export interface SourceOptions {
  /** the table (or view) of a database source, `schema.table` allowed (default classifier_predictions) */
  table?: string;
  /** the timestamp column (field of a log line) that windows select on (default `timestamp`) */
  timeColumn?: string;
  /** logs: the field holding the features object; when a line has no such object its other top-level numeric fields are the features (default `features`) */
  featuresField?: string;
  /** the model's predicted class (default `prediction`), not a feature */
  predictionColumn?: string;
  /** the model's probability of the positive class (default `probability`), not a feature */
  probabilityColumn?: string;
  /** the true label, when known (default `label`), not a feature; the profile names it */
  labelColumn?: string;
  /** the model version (default `model_version`), not a feature */
  modelVersionColumn?: string;
  /** more columns that are not features (ids) */
  exclude?: readonly string[];
  /** PostgreSQL TLS: disable, prefer, require, verify-ca, verify-full (default: the URL's sslmode, else $PGSSLMODE, else prefer as libpq: TLS without verification when the server offers it, else plain) */
  sslmode?: string;
  /** PostgreSQL TLS: a CA certificate file (PEM) the server's certificate must chain to (default $PGSSLROOTCERT) */
  sslRootCert?: string;
  /** the most rows a reference may pull from a database or read from logs (default 5,000,000) */
  maxRows?: number;
  /** logs: worker threads of a scan, 0 = on the calling thread (default: by the folder's size, as a CSV scan) */
  workers?: number;
  /** logs: force the scan's histogram kernel (default: the best available) */
  kernel?: KernelName;
  /** logs: bytes of a file per scan task, about (default 16 MiB, as a CSV file's byte ranges) */
  rangeBytes?: number;
  /** logs: the longest line accepted, in bytes, its line end not counted (default 1 MiB, as a CSV file's) */
  maxLineBytes?: number;
}

export const SOURCE_DEFAULTS = {
  table: 'classifier_predictions',
  timeColumn: 'timestamp',
  featuresField: 'features',
  predictionColumn: 'prediction',
  probabilityColumn: 'probability',
  labelColumn: 'label',
  modelVersionColumn: 'model_version',
  maxRows: 5_000_000,
} as const;

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export interface ResolvedSourceOptions {
  table: string;
  timeColumn: string;
  featuresField: string;
  predictionColumn: string;
  probabilityColumn: string;
  labelColumn: string;
  modelVersionColumn: string;
  exclude: readonly string[];
  sslmode: string | undefined;
  sslRootCert: string | undefined;
  maxRows: number;
  workers: number | undefined;
  kernel: KernelName | undefined;
  rangeBytes: number | undefined;
  maxLineBytes: number;
}

export function resolveSourceOptions(options: SourceOptions = {}): ResolvedSourceOptions {
  const maxRows = options.maxRows ?? SOURCE_DEFAULTS.maxRows;
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new UsageError(`must be a positive integer, got ${maxRows}`, { option: 'maxRows' });
  if (options.sslmode !== undefined && !(SSL_MODES as readonly string[]).includes(options.sslmode)) throw new UsageError(`must be one of ${SSL_MODES.join(', ')}, got ${JSON.stringify(options.sslmode)}`, { option: 'sslmode' });
  for (const key of ['table', 'timeColumn', 'featuresField', 'predictionColumn', 'probabilityColumn', 'labelColumn', 'modelVersionColumn'] as const) {
    const value = options[key];
    if (value !== undefined && value.trim() === '') throw new UsageError('must not be empty', { option: key });
  }
  return {
    table: options.table ?? SOURCE_DEFAULTS.table,
    timeColumn: options.timeColumn ?? SOURCE_DEFAULTS.timeColumn,
    featuresField: options.featuresField ?? SOURCE_DEFAULTS.featuresField,
    predictionColumn: options.predictionColumn ?? SOURCE_DEFAULTS.predictionColumn,
    probabilityColumn: options.probabilityColumn ?? SOURCE_DEFAULTS.probabilityColumn,
    labelColumn: options.labelColumn ?? SOURCE_DEFAULTS.labelColumn,
    modelVersionColumn: options.modelVersionColumn ?? SOURCE_DEFAULTS.modelVersionColumn,
    exclude: options.exclude ?? [],
    sslmode: options.sslmode,
    sslRootCert: options.sslRootCert,
    maxRows,
    workers: options.workers === undefined ? undefined : checkWorkers(options.workers),
    kernel: options.kernel,
    rangeBytes: options.rangeBytes === undefined ? undefined : positiveInteger('rangeBytes', options.rangeBytes, 1),
    maxLineBytes: resolveMaxLineBytes(options.maxLineBytes),
  };
}

/** The columns of a source that are never features. */
export function nonFeatureColumns(options: ResolvedSourceOptions): Set<string> {
  return new Set([options.timeColumn, options.predictionColumn, options.probabilityColumn, options.labelColumn, options.modelVersionColumn, ...options.exclude]);
}

const SOURCE_SYNTAX = 'postgres://user@host/db, postgres: (PG* variables), duckdb:file.duckdb[?table=name], duckdb:files/*.parquet or logs:dir/';

/** `<source>` -> what it names (no connection is made). */
export function parseSourceSpec(text: string): SourceSpec {
  if (/^postgres(?:ql)?:\/\//i.test(text)) return { kind: 'postgres', url: text };
  if (/^postgres(?:ql)?:$/i.test(text)) return { kind: 'postgres', url: null };
  if (/^duckdb:/i.test(text)) {
    const rest = text.slice('duckdb:'.length);
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
    for (const key of params.keys()) if (key !== 'table') throw new UsageError(`${redactSecrets(text)}: unknown parameter ${JSON.stringify(key)} (duckdb: takes ?table=name)`, { option: 'from' });
    if (path === '') throw new UsageError(`${redactSecrets(text)}: no path after duckdb: (${SOURCE_SYNTAX})`, { option: 'from' });
    const lower = path.toLowerCase();
    const files = /\.parquet$/.test(lower) ? 'parquet' : /\.(csv|tsv)(\.gz)?$/.test(lower) ? 'csv' : null;
    if (files && params.has('table')) throw new UsageError(`${redactSecrets(text)}: ?table= names a table of a database file; ${path} is read as ${files} files`, { option: 'from' });
    return { kind: 'duckdb', path, table: params.get('table'), files };
  }
  if (/^logs:/i.test(text)) {
    const dir = text.slice('logs:'.length);
    if (dir === '') throw new UsageError(`no folder after logs: (${SOURCE_SYNTAX})`, { option: 'from' });
    return { kind: 'logs', dir };
  }
  throw new UsageError(`${JSON.stringify(redactSecrets(text))} is not a source: use ${SOURCE_SYNTAX}`, { option: 'from' });
}

/**
 * Connection strings with their secrets masked: the password of `scheme://user:password@`, and
 * `password=` / `sslpassword=` parameters; `secrets` (a password known from the environment) too.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s]*@/gi, '$1***@')
    .replace(/\b((?:ssl)?password=)[^&\s]*/gi, '$1***');
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}
