/**
 * One undici Agent with behaviour composed around its dispatch function, as undici does it
 * (`compose(...)`): credentials on every attempt, retries, one deadline over them all. The MLflow
 * client uses it, and so can any other HTTP caller (the agent's webhooks).
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { TRACKING_DEFAULTS } from '../config.js';
import { authInterceptor, type Auth } from './auth.js';
import { deadlineInterceptor } from './deadline.js';
import { retryInterceptor, type RetryNote, type RetryPolicy } from './retry.js';
import { undici } from './undici.js';

export interface HttpDispatcherOptions {
  /** retries (merged over TRACKING_DEFAULTS.retry); `false`: none */
  retry?: Partial<RetryPolicy> | false;
  /** bound on a request, its retries, their waits and the reading of its answer; default `retry.totalMs` (20 s); 0: none */
  deadlineMs?: number;
  /** sent as `Authorization` on every attempt */
  auth?: Auth | null;
  /** bound on each attempt's wait for headers and between body chunks; default TRACKING_DEFAULTS.requestTimeoutMs (30 s) */
  requestTimeoutMs?: number;
  /** accept any TLS certificate */
  insecureTls?: boolean;
  /** PEM of the CA that signed the server's certificate */
  ca?: string;
  /** connections per origin (default 4) */
  connections?: number;
  /** hears of each retry before its wait (for a log line, or to count attempts) */
  onRetry?: (note: RetryNote) => void;
  /**
   * collects every socket the Agent opened, until it closes: a caller that gave up on a server
   * destroys them, including one still in its TCP or TLS handshake, which undici's own destroy()
   * leaves to its connect timeout (and which would keep the process alive until then)
   */
  sockets?: Set<Duplex>;
}

/**
 * An undici Dispatcher for one or more servers, with, from the inside out: `Authorization` on
 * every attempt (`auth`), retries on 408, 429, 5xx and connection errors with exponential
 * back-off and `Retry-After` (`retry`), and one deadline over the whole request, retries and
 * answer included (`deadlineMs`): past it the request fails with a DeadlineError (a TrackingError
 * `unreachable`). A request may narrow what is retried with undici's `retryOptions`
 * (`RETRY_SCOPES.unprocessedOnly` for a request that must not run twice).
 *
 * What the caller sees: an answer with a status that is not retried (any but RETRY_STATUS: 408,
 * 429, 500, 502, 503, 504) comes back as it is; one still retried-for after the retries fails with
 * undici's RequestRetryError (`code` `UND_ERR_REQ_RETRY`, `statusCode`); a connection error after
 * the retries fails with its own `code` (`ECONNREFUSED`, ...); the deadline with a DeadlineError.
 * Messages name no URL path or credential. Close (or destroy) the dispatcher when done.
 *
 * @example
 *   const dispatcher = httpDispatcher({ retry: { maxRetries: 3, firstDelayMs: 500 }, deadlineMs: 30_000 });
 *   const answer = await request(url, { method: 'POST', body, dispatcher });
 *   await dispatcher.close();
 */
export function httpDispatcher(options: HttpDispatcherOptions = {}): Dispatcher {
  const retry: RetryPolicy | false = options.retry === false ? false : { ...TRACKING_DEFAULTS.retry, ...options.retry };
  const deadlineMs = options.deadlineMs ?? (retry ? retry.totalMs : TRACKING_DEFAULTS.retry.totalMs);
  const requestTimeoutMs = options.requestTimeoutMs ?? TRACKING_DEFAULTS.requestTimeoutMs;
  const connector = undici().buildConnector({
    rejectUnauthorized: !options.insecureTls,
    ...(options.ca ? { ca: options.ca } : {}),
    timeout: Math.min(requestTimeoutMs, 10_000),
  });
  const sockets = options.sockets;
  const agent = new (undici().Agent)({
    connect: (connectOptions, callback) => {
      // undici's connector returns the socket it opens (its type says void)
      const socket = connector(connectOptions, callback) as unknown as Duplex | undefined;
      if (socket && sockets) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      return socket as unknown as void;
    },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
    connections: options.connections ?? 4,
  });
  // compose: each interceptor wraps the ones before it, so auth is applied to every retry and the
  // deadline covers them all
  const interceptors = [authInterceptor(options.auth ?? null), ...(retry ? [retryInterceptor(retry, options.onRetry)] : []), deadlineInterceptor(deadlineMs)];
  return agent.compose(interceptors);
}
