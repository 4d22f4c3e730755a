/**
 * Behaviour composed around the one undici dispatcher of the tracking client, not flagged inside
 * it: `authInterceptor` adds the credentials to every attempt, `retryInterceptor` retries
 * transient failures with exponential back-off, `Retry-After` and a bound on the total time.
 * `trackingDispatcher` composes them over one Agent.
 */
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

/**
 * undici is loaded on first use, not at import: a command that records to the local ledger only
 * (no tracking server) never pays the ~0.1 s it takes to load.
 */
const require = createRequire(import.meta.url);
let undiciModule: typeof import('undici') | undefined;
function undici(): typeof import('undici') {
  undiciModule ??= require('undici') as typeof import('undici');
  return undiciModule;
}
import type { Auth, RetryPolicy, ServerSettings } from './config.js';

/** HTTP answers worth another try. */
export const RETRY_STATUS = [408, 429, 500, 502, 503, 504] as const;
/** Answers that say the request was not processed: safe to retry even when it is not idempotent. */
export const UNPROCESSED_STATUS = [408, 429, 503] as const;
/** Connection errors worth another try. */
export const RETRY_ERRORS = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
] as const;
/** Connection errors raised before the request reached the server. */
export const UNSENT_ERRORS = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT'] as const;

/**
 * Per-request retry scope, passed as undici's `retryOptions`: `idempotent` requests retry on every
 * transient failure; the others (creating a run, a model version) only when the request surely
 * did not reach the server, so that a retry cannot create a second one.
 */
export const RETRY_SCOPES = {
  idempotent: { statusCodes: [...RETRY_STATUS] as number[], errorCodes: [...RETRY_ERRORS] as string[] },
  unprocessedOnly: { statusCodes: [...UNPROCESSED_STATUS] as number[], errorCodes: [...UNSENT_ERRORS] as string[] },
};
export type RetryScope = keyof typeof RETRY_SCOPES;

export interface RetryNote {
  method: string;
  path: string;
  /** 1 for the first retry */
  attempt: number;
  delayMs: number;
  /** status code or error code that caused it */
  reason: string;
}

/** `Authorization` on every request (and every retry of it). */
export function authInterceptor(auth: Auth | null): Dispatcher.DispatcherComposeInterceptor {
  const value = auth === null ? null : auth.kind === 'bearer' ? `Bearer ${auth.token}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return (dispatch) => (opts, handler) => {
    if (value === null) return dispatch(opts, handler);
    return dispatch({ ...opts, headers: withHeader(opts.headers, 'authorization', value) }, handler);
  };
}

/** Retries with exponential back-off, `Retry-After` and a bound on the total time (undici's RetryHandler underneath). */
export function retryInterceptor(policy: RetryPolicy, onRetry?: (note: RetryNote) => void): Dispatcher.DispatcherComposeInterceptor {
  const undiciRetry = undici().interceptors.retry({
    maxRetries: policy.maxRetries,
    minTimeout: policy.firstDelayMs,
    maxTimeout: policy.maxDelayMs,
    timeoutFactor: 2,
    retryAfter: true,
    methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH'],
    statusCodes: [...RETRY_STATUS],
    errorCodes: [...RETRY_ERRORS],
  });
  return (dispatch) => {
    const retrying = undiciRetry(dispatch);
    return (opts, handler) => {
      const deadline = Date.now() + policy.totalMs;
      const scoped = opts as Dispatcher.DispatchOptions & { retryOptions?: Record<string, unknown> };
      const retry = decideRetry(policy, deadline, onRetry, opts.method, opts.path);
      return retrying({ ...opts, retryOptions: { ...scoped.retryOptions, retry } } as Dispatcher.DispatchOptions, handler);
    };
  };
}

interface RetryState {
  state: { counter: number };
  opts: { retryOptions?: { statusCodes?: readonly number[]; errorCodes?: readonly string[] } };
}

function decideRetry(policy: RetryPolicy, deadline: number, onRetry: ((note: RetryNote) => void) | undefined, method: string, path: string) {
  return (err: Error, { state, opts }: RetryState, callback: (err?: Error | null) => void): void => {
    const { statusCode, code, headers } = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };
    const scope = opts.retryOptions ?? {};
    const statusCodes = scope.statusCodes ?? RETRY_STATUS;
    const errorCodes = scope.errorCodes ?? RETRY_ERRORS;
    if (code && code !== 'UND_ERR_REQ_RETRY' && !errorCodes.includes(code)) return callback(err);
    if (statusCode != null && !statusCodes.includes(statusCode)) return callback(err);
    if (statusCode == null && !code) return callback(err);
    if (state.counter > policy.maxRetries) return callback(err);
    const backoff = Math.min(policy.firstDelayMs * 2 ** (state.counter - 1), policy.maxDelayMs);
    const asked = retryAfterMs(headers?.['retry-after']);
    const delayMs = asked !== undefined ? asked : backoff;
    if (Date.now() + delayMs > deadline) return callback(err);
    onRetry?.({ method, path: path.split('?')[0]!, attempt: state.counter, delayMs, reason: statusCode != null ? String(statusCode) : code! });
    setTimeout(() => callback(null), delayMs);
  };
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * One Agent for the server, with auth and retries composed around it. `sockets`, when given, holds
 * every connection the Agent opened until it closes: a client that gave up on a server destroys
 * them, including one still in its TCP or TLS handshake, which undici's own destroy() leaves to
 * its connect timeout (and which would keep the process alive until then).
 */
export function trackingDispatcher(server: ServerSettings, onRetry?: (note: RetryNote) => void, sockets?: Set<Duplex>): Dispatcher {
  const connector = undici().buildConnector({ rejectUnauthorized: !server.insecureTls, ...(server.ca ? { ca: server.ca } : {}), timeout: Math.min(server.requestTimeoutMs, 10_000) });
  const agent = new (undici().Agent)({
    connect: (options, callback) => {
      // undici's connector returns the socket it opens (its type says void)
      const socket = connector(options, callback) as unknown as Duplex | undefined;
      if (socket && sockets) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      return socket as unknown as void;
    },
    headersTimeout: server.requestTimeoutMs,
    bodyTimeout: server.requestTimeoutMs,
    connections: 4,
  });
  // compose: the last interceptor is the outermost, so auth is applied to every retry
  return agent.compose(authInterceptor(server.auth), retryInterceptor(server.retry, onRetry));
}

function withHeader(headers: Dispatcher.DispatchOptions['headers'], name: string, value: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = headers[i + 1] as string;
  } else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string | string[] | undefined]>) if (v !== undefined) out[k.toLowerCase()] = v;
  } else if (headers) {
    for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) if (v !== undefined) out[k.toLowerCase()] = v;
  }
  out[name] = value;
  return out;
}
