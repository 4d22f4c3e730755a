/**
 * The connection to one MLflow server: one undici dispatcher (http/dispatcher.ts) with auth,
 * retries and one deadline composed around it, and the one `call` the REST verbs (rest.ts) go
 * through. Request bodies are JSON with NaN and ±Infinity written as the strings protobuf's JSON
 * mapping reads ("NaN", "Infinity", "-Infinity"). Every error is a TrackingError whose message
 * names the server and endpoint, never a secret.
 *
 * Each request, its retries and the reading of its answer share one deadline (`retry.totalMs`,
 * 20 s by default): a server that accepts and never answers, sends headers and then nothing,
 * drips its body, never ends it, or stalls the TLS handshake costs at most that, and is
 * `unreachable` (the run stays queued). An answer is read up to `maxAnswerBytes` (32 MiB). After a
 * request ran out of time the client tries no other: the rest fail at once, so a command that
 * records to a slow server waits one deadline, not one per request.
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { TrackingError, type TrackingFailure } from '../../util/index.js';
import { TRACKING_DEFAULTS, type ServerSettings } from '../config.js';
import { redactor } from '../http/auth.js';
import { DeadlineError, seconds } from '../http/deadline.js';
import { httpDispatcher } from '../http/dispatcher.js';
import { RETRY_ERRORS, RETRY_SCOPES, RETRY_STATUS, type RetryNote, type RetryScope } from '../http/retry.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Most bytes of one answer read (MLflow's JSON answers are far smaller; a bigger one is not MLflow's). */
export const MAX_ANSWER_BYTES = TRACKING_DEFAULTS.maxAnswerBytes;

/**
 * Transport failures after which the server may well answer later: the run stays queued quietly.
 * Beyond the retried ones: a body cut short or aborted, headers too large, a closed connection.
 */
const TRANSIENT_ERRORS: readonly string[] = [
  ...RETRY_ERRORS,
  'ECONNABORTED',
  'UND_ERR_ABORTED',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_EXCEEDED_MAX_SIZE',
];

export interface ClientHooks {
  onRetry?: (note: RetryNote) => void;
}

/** The connection to one tracking server. Close it when done (keep-alive sockets hold the process). */
export class MlflowClient {
  /** the server's URI without credentials */
  readonly uri: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #dispatcher: Dispatcher;
  /** the connections the dispatcher opened, open or opening */
  readonly #sockets = new Set<Duplex>();
  readonly #redact: (text: string) => string;
  readonly #maxAnswerBytes: number;
  /** set once a request ran out of time (or the server answered without end): no other is tried */
  #gaveUp: string | undefined;

  constructor(server: ServerSettings, hooks: ClientHooks = {}) {
    const url = new URL(server.uri);
    this.uri = server.uri;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#dispatcher = httpDispatcher({
      auth: server.auth,
      retry: server.retry,
      deadlineMs: server.retry.totalMs,
      requestTimeoutMs: server.requestTimeoutMs,
      insecureTls: server.insecureTls,
      ca: server.ca,
      onRetry: hooks.onRetry,
      sockets: this.#sockets,
    });
    this.#redact = redactor(server);
    this.#maxAnswerBytes = server.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  }

  /** Call `/api/2.0/mlflow/<endpoint>`: a GET's payload goes in the query, the others' in a JSON body. */
  async call<T>(method: Exclude<Method, 'PUT'>, endpoint: string, payload: Record<string, unknown> = {}, scope: RetryScope = 'idempotent'): Promise<T> {
    let path = `${this.#basePath}/api/2.0/mlflow/${endpoint}`;
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(payload)) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) query.append(k, String(item));
      }
      const text = query.toString();
      if (text) path += `?${text}`;
    } else {
      body = toJson(payload);
    }
    const answer = await this.#send(method, path, body, body === undefined ? {} : { 'content-type': 'application/json' }, scope);
    if (answer.text.trim() === '') return {} as T;
    try {
      return JSON.parse(answer.text) as T;
    } catch {
      throw this.#error('protocol', `answered ${method} ${endpointOf(path)} with something that is not JSON; is ${this.uri} an MLflow tracking server?`, { endpoint: `${method} ${endpointOf(path)}` });
    }
  }

  /** PUT bytes to the server's artifact proxy: `/api/2.0/mlflow-artifacts/artifacts/<path>`. */
  async putArtifact(artifactPath: string, bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
    const path = `${this.#basePath}/api/2.0/mlflow-artifacts/artifacts/${artifactPath.split('/').map(encodeURIComponent).join('/')}`;
    await this.#send('PUT', path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { 'content-type': contentType }, 'idempotent');
  }

  /** GET a file back from the artifact proxy. */
  async getArtifact(artifactPath: string): Promise<Buffer> {
    const path = `${this.#basePath}/api/2.0/mlflow-artifacts/artifacts/${artifactPath.split('/').map(encodeURIComponent).join('/')}`;
    return (await this.#send('GET', path, undefined, {}, 'idempotent')).bytes;
  }

  /** Close the connections; after a request that ran out of time, drop whatever is still in flight. */
  async close(): Promise<void> {
    if (this.#gaveUp === undefined) return this.#dispatcher.close();
    for (const socket of this.#sockets) socket.destroy();
    await this.#dispatcher.destroy();
  }

  /**
   * One request: sent, retried and its answer read within one deadline. Whatever fails is a
   * TrackingError; the request is aborted when the deadline passes, in whichever phase it is.
   */
  async #send(method: Method, path: string, body: string | Buffer | undefined, headers: Record<string, string>, scope: RetryScope): Promise<{ text: string; bytes: Buffer }> {
    const endpoint = `${method} ${endpointOf(path)}`;
    if (this.#gaveUp !== undefined) throw this.#error('unreachable', `was not asked for ${endpoint}: ${this.#gaveUp}`, { endpoint });
    try {
      // the dispatcher's deadline covers the request, its retries and the reading of the answer below
      const response = await this.#dispatcher.request({
        origin: this.#origin,
        method,
        path,
        body,
        headers: { accept: 'application/json', 'user-agent': 'driftcatcher', ...headers },
        retryOptions: RETRY_SCOPES[scope],
      } as Dispatcher.RequestOptions);
      const bytes = await this.#readAnswer(response, endpoint);
      const text = bytes.toString('utf8');
      if (response.statusCode >= 200 && response.statusCode < 300) return { text, bytes };
      throw this.#fromAnswer(response.statusCode, text, endpoint);
    } catch (err) {
      if (err instanceof DeadlineError) {
        const within = seconds(err.deadlineMs);
        this.#gaveUp = `an earlier request got no answer within ${within}`;
        throw this.#error('unreachable', `did not answer ${endpoint} within ${within} (the bound on a request with its retries, DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS)`, { endpoint });
      }
      if (err instanceof TrackingError) throw err;
      throw this.#fromTransport(err, endpoint);
    }
  }

  /** The answer's bytes, at most maxAnswerBytes (a longer one is dropped unread: `unreachable`). */
  async #readAnswer(response: Dispatcher.ResponseData, endpoint: string): Promise<Buffer> {
    const limit = this.#maxAnswerBytes;
    const tooBig = () => {
      this.#gaveUp = `it answered ${endpoint} with more than ${limit} bytes`;
      return this.#error('unreachable', `answered ${endpoint} with more than ${limit} bytes (status ${response.statusCode}); that is not an MLflow answer`, { endpoint, status: response.statusCode });
    };
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      response.body.destroy();
      throw tooBig();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        response.body.destroy();
        throw tooBig();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  #fromAnswer(status: number, text: string, endpoint: string): TrackingError {
    let mlflowCode: string | undefined;
    let message = text.trim().replace(/\s+/g, ' ').slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { error_code?: string; message?: string };
      mlflowCode = parsed.error_code;
      if (parsed.message) message = parsed.message.replace(/\s+/g, ' ').slice(0, 300);
    } catch {
      // not JSON: keep the text
    }
    const failure: TrackingFailure = status === 401 || status === 403 ? 'auth' : (RETRY_STATUS as readonly number[]).includes(status) ? 'unreachable' : 'http';
    const what =
      failure === 'auth'
        ? `refused the credentials (${status}${mlflowCode ? ` ${mlflowCode}` : ''}) for ${endpoint}; set MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD`
        : `answered ${status}${mlflowCode ? ` ${mlflowCode}` : ''} to ${endpoint}${message ? `: ${message}` : ''}`;
    return this.#error(failure, what, { status, mlflowCode, endpoint });
  }

  #fromTransport(err: unknown, endpoint: string): TrackingError {
    const e = err as Error & { code?: string; statusCode?: number; cause?: { code?: string } };
    if (e.code === 'UND_ERR_REQ_RETRY' && e.statusCode !== undefined) {
      const failure: TrackingFailure = e.statusCode === 401 || e.statusCode === 403 ? 'auth' : 'unreachable';
      return this.#error(failure, `answered ${e.statusCode} to ${endpoint} on every try`, { status: e.statusCode, endpoint }, err);
    }
    const code = e.code ?? e.cause?.code;
    if (code && TRANSIENT_ERRORS.includes(code)) {
      return this.#error('unreachable', `cannot be reached for ${endpoint} (${code})`, { endpoint }, err);
    }
    const hint = /CERT|SSL|TLS|SELF_SIGNED/i.test(code ?? e.message) ? '; for a self-signed certificate set MLFLOW_TRACKING_SERVER_CERT_PATH or MLFLOW_TRACKING_INSECURE_TLS=true' : '';
    return this.#error('protocol', `failed on ${endpoint}: ${e.message}${code ? ` (${code})` : ''}${hint}`, { endpoint }, err);
  }

  #error(failure: TrackingFailure, what: string, info: { status?: number; mlflowCode?: string; endpoint?: string }, cause?: unknown): TrackingError {
    return new TrackingError(this.#redact(`MLflow server ${this.uri} ${what}`), { failure, ...info }, cause === undefined ? undefined : { cause: redactedCause(cause, this.#redact) });
  }
}

/** JSON with non-finite numbers as "NaN" / "Infinity" / "-Infinity" (JSON.stringify would write null). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? nonFiniteText(v) : v));
}

export function nonFiniteText(value: number): 'NaN' | 'Infinity' | '-Infinity' {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

function endpointOf(path: string): string {
  return path.split('?')[0] ?? path;
}

function redactedCause(cause: unknown, redact: (text: string) => string): Error {
  const e = cause as Error & { code?: string };
  const copy = new Error(redact(String(e?.message ?? cause)));
  if (e?.code) (copy as Error & { code?: string }).code = e.code;
  return copy;
}

