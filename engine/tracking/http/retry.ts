/**
 * Retries as an interceptor around one dispatch function: transient failures (408, 429, 5xx,
 * connection errors) are tried again with exponential back-off, a server's `Retry-After` is
 * respected, and no retry is started that would end past the bound on the whole request
 * (`RetryPolicy.totalMs`). undici's RetryHandler does the re-dispatching; this module decides.
 */
import type { Dispatcher } from 'undici';
import { undici } from './undici.js';

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

/**
 * Retries with exponential back-off (`firstDelayMs`, doubling, at most `maxDelayMs`),
 * `Retry-After` (seconds or an HTTP date) instead of the back-off when the server sends one, at
 * most `maxRetries`, and none that would wait past `totalMs` from the first attempt. Every method
 * is retried on the statuses and errors of the request's scope (`retryOptions`, see
 * RETRY_SCOPES; default `idempotent`). `onRetry` hears of each retry before its wait.
 */
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
    onRetry?.({ method, path: path.split('?')[0] ?? path, attempt: state.counter, delayMs, reason: statusCode != null ? String(statusCode) : (code ?? 'error') });
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
