/**
 * Where runs go and how the tracking server is reached: options from the caller merged over the
 * environment (`MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`, ...) and one defaults constant.
 * Credentials are kept apart from everything that is printed or stored (see `redactor`).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../util/index.js';

export interface RetryPolicy {
  /** retries after the first attempt */
  maxRetries: number;
  /** delay before the first retry; doubles each time */
  firstDelayMs: number;
  /** longest back-off delay (a server's `Retry-After` may ask for more, within `totalMs`) */
  maxDelayMs: number;
  /** bound on the whole request, retries and waits included */
  totalMs: number;
}

export type Auth = { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string };

/** What the caller may set; everything is optional and falls back to the environment. */
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
  /** most bytes of one answer read (default MAX_ANSWER_BYTES of client.ts, 32 MiB) */
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
  log: (line: string) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, firstDelayMs: 250, maxDelayMs: 4_000, totalMs: 20_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Default experiment names (before the prefix). */
export const EXPERIMENTS = {
  drift: 'drift_monitoring',
  training: 'training',
  performance: 'production_monitoring',
  retraining: 'retraining',
} as const;

export function resolveTracking(options: TrackingOptions = {}): ResolvedTracking {
  const env = options.env ?? process.env;
  const ledgerDir = resolve(options.ledgerDir ?? nonEmpty(env['DRIFTCATCHER_HOME']) ?? join(process.cwd(), '.driftcatcher'));
  const base = {
    ledgerDir,
    experimentOverride: options.experiment,
    experimentPrefix: options.experimentPrefix ?? env['DRIFTCATCHER_EXPERIMENT_PREFIX'] ?? '',
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
    maxRetries: options.retry?.maxRetries ?? numberFrom(env['MLFLOW_HTTP_REQUEST_MAX_RETRIES'], 'MLFLOW_HTTP_REQUEST_MAX_RETRIES') ?? DEFAULT_RETRY.maxRetries,
    firstDelayMs: options.retry?.firstDelayMs ?? numberFrom(env['DRIFTCATCHER_MLFLOW_BACKOFF_MS'], 'DRIFTCATCHER_MLFLOW_BACKOFF_MS') ?? DEFAULT_RETRY.firstDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    totalMs: options.retry?.totalMs ?? numberFrom(env['DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS'], 'DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS') ?? DEFAULT_RETRY.totalMs,
  };
  return {
    ...base,
    server: {
      uri: parsed.uri,
      auth,
      insecureTls: isTrue(env['MLFLOW_TRACKING_INSECURE_TLS']),
      ca: caPath ? readFileSync(isAbsolute(caPath) ? caPath : resolve(caPath), 'utf8') : undefined,
      retry,
      requestTimeoutMs: options.requestTimeoutMs ?? (timeoutS !== undefined ? timeoutS * 1000 : DEFAULT_REQUEST_TIMEOUT_MS),
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

/**
 * A function that blanks every credential (token, password, user:password, their Basic form)
 * out of a text: applied to every message that leaves the tracking client.
 */
export function redactor(settings: Pick<ServerSettings, 'auth'> | null): (text: string) => string {
  const secrets: string[] = [];
  const auth = settings?.auth;
  if (auth?.kind === 'bearer') secrets.push(auth.token);
  if (auth?.kind === 'basic') {
    secrets.push(auth.password, `${auth.username}:${auth.password}`, Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    secrets.push(encodeURIComponent(auth.password));
  }
  const live = secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text.replace(/(\/\/)[^/@\s]+@/g, '$1');
    for (const secret of live) out = out.split(secret).join('***');
    return out;
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function numberFrom(value: string | undefined, name: string): number | undefined {
  if (nonEmpty(value) === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a non-negative number, got "${value}"`);
  return n;
}
