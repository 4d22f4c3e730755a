/**
 * One deadline per request, as an interceptor outside the retries: the request, every retry and
 * the wait before it, and the reading of the answer share one bound. When it passes, whatever
 * phase the request is in (connecting, a TLS handshake, waiting for headers, a back-off wait, a
 * body dripping in), the request fails with a DeadlineError and nothing more of it reaches the
 * caller; an attempt still in flight is aborted, and one the retries start later is aborted at once.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { TrackingError, internalError } from '../../util/index.js';

/** A request that got no (whole) answer within its deadline: a TrackingError `unreachable`. */
export class DeadlineError extends TrackingError {
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    // the message names no URL: a webhook's path can be its secret
    super(`no answer within ${seconds(deadlineMs)}`, { failure: 'unreachable' });
    this.deadlineMs = deadlineMs;
  }
}

/** `0.6 s`, `20 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

/**
 * Fail each request that is not answered, body included, within `deadlineMs` (0 or Infinity: no
 * deadline). Compose it outside the retry interceptor (after it in `compose(...)`), so that the
 * deadline covers every attempt.
 */
export function deadlineInterceptor(deadlineMs: number): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    if (!(deadlineMs > 0) || !Number.isFinite(deadlineMs)) return dispatch(opts, handler);
    return dispatch(opts, new DeadlineHandler(handler, deadlineMs));
  };
}

class DeadlineHandler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler;
  readonly #timer: NodeJS.Timeout;
  /** the controller of the attempt in flight (undici's retry handler hands out one for all attempts) */
  #controller: Dispatcher.DispatchController | undefined;
  /** set once the caller heard the end of the request (its answer, an error, or the deadline) */
  #done = false;
  #expired: DeadlineError | undefined;

  constructor(handler: Dispatcher.DispatchHandler, deadlineMs: number) {
    this.#handler = handler;
    this.#timer = setTimeout(() => this.#expire(deadlineMs), deadlineMs);
  }

  #expire(deadlineMs: number): void {
    if (this.#done) return;
    this.#done = true;
    const error = (this.#expired = new DeadlineError(deadlineMs));
    this.#controller?.abort(error);
    this.#handler.onResponseError?.(this.#controller ?? detachedController(error), error);
  }

  #finish(): void {
    this.#done = true;
    clearTimeout(this.#timer);
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    if (this.#done) {
      // an attempt started after the deadline (a retry whose wait had begun): never sent
      controller.abort(this.#expired ?? internalError('an attempt started after its request had ended'));
      return;
    }
    this.#controller = controller;
    this.#handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    if (this.#done) return;
    this.#finish();
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.#done) return;
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return;
    this.#handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.#done) return;
    this.#finish();
    this.#handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#done) return;
    this.#finish();
    this.#handler.onResponseError?.(controller, error);
  }
}

/** A controller for a request the deadline ended before any attempt was under way (still connecting). */
function detachedController(reason: Error): Dispatcher.DispatchController {
  return { aborted: true, paused: false, reason, abort: () => {}, pause: () => {}, resume: () => {} } as unknown as Dispatcher.DispatchController;
}
