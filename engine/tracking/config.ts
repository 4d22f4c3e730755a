/**
 * Where runs go and how the tracking server is reached: options from the caller (`TrackingOptions`,
 * all optional) merged over the environment (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`, ...)
 * and one defaults constant, `TRACKING_DEFAULTS`, into a `ResolvedTracking` (`resolveTracking`).
 * Credentials are kept apart from everything that is printed or stored (see `redactor`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../util/index.js';
import type { BackendFactory } from './backend.js';
import type { Auth } from './http/auth.js';
import type { RetryPolicy } from './http/retry.js';

export type { Auth } from './http/auth.js';
export type { RetryPolicy } from './http/retry.js';

/** What the caller may set; everything is optional and falls back to the environment, then TRACKING_DEFAULTS. */
export interface TrackingOptions {
  /** `http(s)://host:port[/prefix]`; overrides `MLFLOW_TRACKING_URI`; `null` keeps runs local only */
  trackingUri?: string | null;
  /** experiment name, used as given (overrides the default name and its prefix) */
  experiment?: string;
  /** put before the default experiment names (`DRIFTCATCHER_EXPERIMENT_PREFIX`), e.g. `prod/` */
  experimentPrefix?: string;
  /** the ledger folder (holds `runs/`); default `$DRIFTCATCHER_HOME` or `./.driftcatcher` */
  ledgerDir?: string;
  /** the environment to read (default `process.env`) */
  env?: NodeJS.ProcessEnv;
  retry?: Partial<RetryPolicy>;
  /** per-request timeout in ms (default `MLFLOW_HTTP_REQUEST_TIMEOUT` seconds, else 30 s) */
  requestTimeoutMs?: number;
  /**
   * where the ledger sends runs, instead of the MLflow server of `trackingUri`: called once per
   * sync, the backend it returns is closed after it (see TrackingBackend)
   */
  backend?: BackendFactory;
  /** progress and retry notes (the CLI writes them to stderr) */
  log?: (line: string) => void;
}

export interface ServerSettings {
  /** the tracking URI without user info, query or fragment: safe to print and store */
  uri: string;
  auth: Auth | null;
  insecureTls: boolean;
  /** PEM file of the CA that signed the server's certificate (`MLFLOW_TRACKING_SERVER_CERT_PATH`) */
  ca?: string;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  /** most bytes of one answer read (default TRACKING_DEFAULTS.maxAnswerBytes, 32 MiB) */
  maxAnswerBytes?: number;
}

export interface ResolvedTracking {
  ledgerDir: string;
  /** null: no server configured, runs stay in the ledger */
  server: ServerSettings | null;
  /** why `server` is null although something was configured (a non-HTTP URI) */
  note?: string;
  experimentOverride?: string;
  experimentPrefix: string;
  /** the caller's backend (TrackingOptions.backend); without one, runs go to `server` (MLflow) */
  backend?: BackendFactory;
  log: (line: string) => void;
}

/** Every default of the tracking area, in one place: resolveTracking and httpDispatcher fall back to these. */
export const TRACKING_DEFAULTS = deepFreeze({
  /** the ledger folder under the working directory when neither `ledgerDir` nor `$DRIFTCATCHER_HOME` is set */
  ledgerDirName: '.driftcatcher',
  experimentPrefix: '',
  /** default experiment names (before the prefix) */
  experiments: {
    drift: 'drift_monitoring',
    training: 'training',
    performance: 'production_monitoring',
    retraining: 'retraining',
    abTesting: 'ab_testing',
  },
  retry: { maxRetries: 5, firstDelayMs: 250, maxDelayMs: 4_000, totalMs: 20_000 } satisfies RetryPolicy,
  /** per attempt: the wait for headers, and between body chunks */
  requestTimeoutMs: 30_000,
  /** most bytes of one answer read (MLflow's JSON answers are far smaller; a bigger one is not MLflow's) */
  maxAnswerBytes: 32 * 1024 * 1024,
} as const);

export const DEFAULT_RETRY: RetryPolicy = TRACKING_DEFAULTS.retry;
export const DEFAULT_REQUEST_TIMEOUT_MS = TRACKING_DEFAULTS.requestTimeoutMs;
/** Default experiment names (before the prefix). */
export const EXPERIMENTS = TRACKING_DEFAULTS.experiments;

export function resolveTracking(options: TrackingOptions = {}): ResolvedTracking {
  const env = options.env ?? process.env;
  const ledgerDir = resolve(options.ledgerDir ?? nonEmpty(env['DRIFTCATCHER_HOME']) ?? join(process.cwd(), TRACKING_DEFAULTS.ledgerDirName));
  const base = {
    ledgerDir,
    experimentOverride: options.experiment,
    experimentPrefix: options.experimentPrefix ?? env['DRIFTCATCHER_EXPERIMENT_PREFIX'] ?? TRACKING_DEFAULTS.experimentPrefix,
    ...(options.backend ? { backend: options.backend } : {}),
    log: options.log ?? (() => {}),
  };
  const raw = options.trackingUri === undefined ? nonEmpty(env['MLFLOW_TRACKING_URI']) : options.trackingUri;
  if (raw == null || raw.trim() === '') return { ...base, server: null };
  const parsed = parseTrackingUri(raw);
  if (!parsed) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(raw)?.[0] ?? 'a local path';
    return { ...base, server: null, note: `the tracking URI (${scheme}) is not an HTTP(S) server; runs stay in the local ledger` };
  }
  const username = nonEmpty(env['MLFLOW_TRACKING_USERNAME']) ?? parsed.username;
  const password = nonEmpty(env['MLFLOW_TRACKING_PASSWORD']) ?? parsed.password;
  const token = nonEmpty(env['MLFLOW_TRACKING_TOKEN']);
  // MLflow's own precedence: username + password (Basic) before the token (Bearer)
  const auth: Auth | null = username && password ? { kind: 'basic', username, password } : token ? { kind: 'bearer', token } : null;
  const caPath = nonEmpty(env['MLFLOW_TRACKING_SERVER_CERT_PATH']);
  const timeoutS = numberFrom(env['MLFLOW_HTTP_REQUEST_TIMEOUT'], 'MLFLOW_HTTP_REQUEST_TIMEOUT');
  const retry: RetryPolicy = {
    maxRetries: option(options.retry?.maxRetries, 'retry.maxRetries') ?? numberFrom(env['MLFLOW_HTTP_REQUEST_MAX_RETRIES'], 'MLFLOW_HTTP_REQUEST_MAX_RETRIES') ?? TRACKING_DEFAULTS.retry.maxRetries,
    firstDelayMs: option(options.retry?.firstDelayMs, 'retry.firstDelayMs') ?? numberFrom(env['DRIFTCATCHER_MLFLOW_BACKOFF_MS'], 'DRIFTCATCHER_MLFLOW_BACKOFF_MS') ?? TRACKING_DEFAULTS.retry.firstDelayMs,
    maxDelayMs: option(options.retry?.maxDelayMs, 'retry.maxDelayMs') ?? TRACKING_DEFAULTS.retry.maxDelayMs,
    totalMs: option(options.retry?.totalMs, 'retry.totalMs') ?? numberFrom(env['DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS'], 'DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS') ?? TRACKING_DEFAULTS.retry.totalMs,
  };
  return {
    ...base,
    server: {
      uri: parsed.uri,
      auth,
      insecureTls: isTrue(env['MLFLOW_TRACKING_INSECURE_TLS']),
      ca: caPath ? readFileSync(isAbsolute(caPath) ? caPath : resolve(caPath), 'utf8') : undefined,
      retry,
      requestTimeoutMs: option(options.requestTimeoutMs, 'requestTimeoutMs') ?? (timeoutS !== undefined ? timeoutS * 1000 : TRACKING_DEFAULTS.requestTimeoutMs),
    },
  };
}

/** The experiment a run of this kind goes to. */
export function experimentName(tracking: ResolvedTracking, defaultName: string): string {
  return tracking.experimentOverride ?? `${tracking.experimentPrefix}${defaultName}`;
}

/** `http(s)://[user:pass@]host[:port][/prefix]` -> the URI without credentials, and the credentials. */
export function parseTrackingUri(raw: string): { uri: string; username?: string; password?: string } | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const path = url.pathname.replace(/\/+$/, '');
  return { uri: `${url.protocol}//${url.host}${path}`, username, password };
}

/** A tracking URI as it may be printed or stored: no user info, query or fragment. */
export function safeUri(raw: string): string {
  return parseTrackingUri(raw)?.uri ?? raw.replace(/\/\/[^/@]*@/, '//');
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** A number option as given, checked: the message names the option (`retry.totalMs`), not a flag. */
function option(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UsageError(`must be a non-negative number, got ${String(value)}`, { option: name });
  return value;
}

function numberFrom(value: string | undefined, name: string): number | undefined {
  if (nonEmpty(value) === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a non-negative number, got "${value}"`);
  return n;
}
