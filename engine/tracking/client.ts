/**
 * MLflow's REST API as small verb functions over one `MlflowClient` (one undici dispatcher with
 * auth and retries composed around it). Request bodies are JSON with NaN and ±Infinity written
 * as the strings protobuf's JSON mapping reads ("NaN", "Infinity", "-Infinity").
 * Every error is a `TrackingError` whose message names the server and endpoint, never a secret.
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
import { TrackingError, type TrackingFailure } from '../util/index.js';
import { redactor, type ServerSettings } from './config.js';
import { RETRY_ERRORS, RETRY_SCOPES, RETRY_STATUS, trackingDispatcher, type RetryNote, type RetryScope } from './interceptors.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** Most bytes of one answer read (MLflow's JSON answers are far smaller; a bigger one is not MLflow's). */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

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
  readonly #deadlineMs: number;
  readonly #maxAnswerBytes: number;
  /** set once a request ran out of time (or the server answered without end): no other is tried */
  #gaveUp: string | undefined;

  constructor(server: ServerSettings, hooks: ClientHooks = {}) {
    const url = new URL(server.uri);
    this.uri = server.uri;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#dispatcher = trackingDispatcher(server, hooks.onRetry, this.#sockets);
    this.#redact = redactor(server);
    this.#deadlineMs = server.retry.totalMs;
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
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // the deadline races every phase: undici's retry handler hears an abort only while an attempt is in flight
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = `${(this.#deadlineMs / 1000).toFixed(this.#deadlineMs % 1000 === 0 ? 0 : 1)} s`;
        this.#gaveUp = `an earlier request got no answer within ${seconds}`;
        const error = this.#error('unreachable', `did not answer ${endpoint} within ${seconds} (the bound on a request with its retries, DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS)`, { endpoint });
        abort.abort(error);
        reject(error);
      }, this.#deadlineMs);
    });
    try {
      const request = this.#dispatcher.request({
        origin: this.#origin,
        method,
        path,
        body,
        signal: abort.signal,
        headers: { accept: 'application/json', 'user-agent': 'driftcatcher', ...headers },
        retryOptions: RETRY_SCOPES[scope],
      } as Dispatcher.RequestOptions);
      request.catch(() => undefined); // the deadline may win the race; its rejection is then expected
      const response = await Promise.race([request, deadline]);
      const reading = this.#readAnswer(response, endpoint);
      reading.catch(() => undefined);
      const bytes = await Promise.race([reading, deadline]);
      const text = bytes.toString('utf8');
      if (response.statusCode >= 200 && response.statusCode < 300) return { text, bytes };
      throw this.#fromAnswer(response.statusCode, text, endpoint);
    } catch (err) {
      if (err instanceof TrackingError) throw err;
      if (abort.signal.aborted && abort.signal.reason instanceof TrackingError) throw abort.signal.reason;
      throw this.#fromTransport(err, endpoint);
    } finally {
      clearTimeout(timer);
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
  return path.split('?')[0]!;
}

function redactedCause(cause: unknown, redact: (text: string) => string): Error {
  const e = cause as Error & { code?: string };
  const copy = new Error(redact(String(e?.message ?? cause)));
  if (e?.code) (copy as Error & { code?: string }).code = e.code;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Entities (the fields driftcatcher reads)

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
}

export interface MlflowRunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status?: string;
  start_time?: number;
  end_time?: number;
  artifact_uri?: string;
  lifecycle_stage?: string;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface MetricPoint {
  key: string;
  value: number;
  /** ms since the epoch */
  timestamp: number;
  step: number;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data?: { metrics?: MetricPoint[]; params?: KeyValue[]; tags?: KeyValue[] };
}

export interface RegisteredModel {
  name: string;
  latest_versions?: ModelVersion[];
  aliases?: { alias: string; version: string }[];
  tags?: KeyValue[];
}

export interface ModelVersion {
  name: string;
  version: string;
  source?: string;
  run_id?: string;
  model_id?: string;
  status?: string;
  aliases?: string[];
  tags?: KeyValue[];
}

export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  artifact_uri: string;
  status?: string;
  source_run_id?: string;
  tags?: KeyValue[];
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

function isNotFound(err: unknown): boolean {
  return err instanceof TrackingError && (err.mlflowCode === 'RESOURCE_DOES_NOT_EXIST' || err.status === 404);
}

function tagList(tags: Record<string, string> | KeyValue[] | undefined): KeyValue[] {
  if (!tags) return [];
  return Array.isArray(tags) ? tags : Object.entries(tags).map(([key, value]) => ({ key, value }));
}

// ---------------------------------------------------------------------------------------------
// Experiments

/** The experiment of that name, or null when there is none. */
export async function getExperimentByName(client: MlflowClient, name: string): Promise<MlflowExperiment | null> {
  try {
    const { experiment } = await client.call<{ experiment: MlflowExperiment }>('GET', 'experiments/get-by-name', { experiment_name: name });
    return experiment;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function createExperiment(client: MlflowClient, name: string, tags?: Record<string, string>): Promise<string> {
  const { experiment_id } = await client.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags: tagList(tags) }, 'unprocessedOnly');
  return experiment_id;
}

/** Get-by-name, else create (a concurrent creator is tolerated); a deleted experiment is an error. */
export async function ensureExperiment(client: MlflowClient, name: string): Promise<MlflowExperiment> {
  for (let attempt = 0; ; attempt++) {
    const found = await getExperimentByName(client, name);
    if (found) {
      if (found.lifecycle_stage === 'deleted') {
        throw new TrackingError(`MLflow experiment "${name}" on ${client.uri} is deleted: restore it (mlflow experiments restore) or choose another name with --experiment`, { failure: 'http' });
      }
      return found;
    }
    try {
      const id = await createExperiment(client, name);
      return { experiment_id: id, name };
    } catch (err) {
      // created meanwhile by someone else, or our own create whose answer was lost
      const taken = err instanceof TrackingError && (err.mlflowCode === 'RESOURCE_ALREADY_EXISTS' || err.failure === 'unreachable');
      if (!taken || attempt >= 2) throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Runs

export interface CreateRunRequest {
  experimentId: string;
  runName: string;
  /** ms since the epoch */
  startTime: number;
  tags?: Record<string, string>;
}

/** runs/create. Not idempotent: retried only when the request surely did not reach the server. */
export async function createRun(client: MlflowClient, request: CreateRunRequest): Promise<MlflowRunInfo> {
  const { run } = await client.call<{ run: MlflowRun }>(
    'POST',
    'runs/create',
    { experiment_id: request.experimentId, run_name: request.runName, start_time: request.startTime, tags: tagList(request.tags) },
    'unprocessedOnly',
  );
  return run.info;
}

export async function getRun(client: MlflowClient, runId: string): Promise<MlflowRun | null> {
  try {
    const { run } = await client.call<{ run: MlflowRun }>('GET', 'runs/get', { run_id: runId });
    return run;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function updateRun(client: MlflowClient, update: { runId: string; status: RunStatus; endTime?: number; runName?: string }): Promise<MlflowRunInfo> {
  const { run_info } = await client.call<{ run_info: MlflowRunInfo }>('POST', 'runs/update', {
    run_id: update.runId,
    status: update.status,
    end_time: update.endTime,
    run_name: update.runName,
  });
  return run_info;
}

/** The server's limits on one runs/log-batch request. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, entities: 1000 } as const;

export interface LogBatch {
  metrics: MetricPoint[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** runs/log-batch (one request: see `planBatches` for the limits). Idempotent for fixed timestamps and steps. */
export async function logBatch(client: MlflowClient, runId: string, batch: LogBatch): Promise<void> {
  await client.call('POST', 'runs/log-batch', { run_id: runId, metrics: batch.metrics, params: batch.params, tags: batch.tags });
}

/** Split metrics, params and tags into requests within the server's limits (params first, as MLflow does). */
export function planBatches(all: LogBatch, limits: typeof LOG_BATCH_LIMITS = LOG_BATCH_LIMITS): LogBatch[] {
  const batches: LogBatch[] = [];
  let current: LogBatch = { metrics: [], params: [], tags: [] };
  const size = (b: LogBatch) => b.metrics.length + b.params.length + b.tags.length;
  const push = <K extends keyof LogBatch>(kind: K, item: LogBatch[K][number], limit: number) => {
    if (current[kind].length >= limit || size(current) >= limits.entities) {
      batches.push(current);
      current = { metrics: [], params: [], tags: [] };
    }
    (current[kind] as LogBatch[K][number][]).push(item);
  };
  for (const p of all.params) push('params', p, limits.params);
  for (const t of all.tags) push('tags', t, limits.tags);
  for (const m of all.metrics) push('metrics', m, limits.metrics);
  if (size(current) > 0) batches.push(current);
  return batches;
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
  runViewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

export async function searchRuns(client: MlflowClient, request: SearchRunsRequest): Promise<{ runs: MlflowRun[]; next_page_token?: string }> {
  const answer = await client.call<{ runs?: MlflowRun[]; next_page_token?: string }>('POST', 'runs/search', {
    experiment_ids: request.experimentIds,
    filter: request.filter,
    max_results: request.maxResults ?? 100,
    order_by: request.orderBy,
    page_token: request.pageToken,
    run_view_type: request.runViewType,
  });
  return { runs: answer.runs ?? [], next_page_token: answer.next_page_token };
}

/** A search filter comparing a tag with a value (quoted for any key and value). */
export function tagFilter(key: string, value: string): string {
  return `tags.\`${key.replace(/`/g, '')}\` = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---------------------------------------------------------------------------------------------
// Artifacts (through the server's mlflow-artifacts proxy)

/** The proxy path of an artifact root: `mlflow-artifacts:/1/abc/artifacts` -> `1/abc/artifacts`. */
export function proxiedArtifactPath(artifactUri: string): string | null {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  return match ? match[1]!.replace(/\/+$/, '') : null;
}

/** Upload one file under an artifact root (a run's or a logged model's `artifact_uri`). */
export async function uploadArtifact(client: MlflowClient, artifactUri: string, relativePath: string, bytes: Uint8Array): Promise<void> {
  const root = proxiedArtifactPath(artifactUri);
  if (root === null) {
    throw new TrackingError(
      `MLflow server ${client.uri} stores artifacts at ${artifactUri}, which it does not proxy; start it with --serve-artifacts (the default) so that artifacts can be uploaded over HTTP`,
      { failure: 'http' },
    );
  }
  const clean = relativePath.split('/').filter((s) => s !== '' && s !== '.' && s !== '..').join('/');
  await client.putArtifact(root ? `${root}/${clean}` : clean, bytes);
}

// ---------------------------------------------------------------------------------------------
// Model registry

export async function createRegisteredModel(client: MlflowClient, name: string, options: { description?: string; tags?: Record<string, string> } = {}): Promise<RegisteredModel> {
  const { registered_model } = await client.call<{ registered_model: RegisteredModel }>(
    'POST',
    'registered-models/create',
    { name, description: options.description, tags: tagList(options.tags) },
    'unprocessedOnly',
  );
  return registered_model;
}

export async function getRegisteredModel(client: MlflowClient, name: string): Promise<RegisteredModel | null> {
  try {
    const { registered_model } = await client.call<{ registered_model: RegisteredModel }>('GET', 'registered-models/get', { name });
    return registered_model;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Get, else create (tolerating a concurrent creator). */
export async function ensureRegisteredModel(client: MlflowClient, name: string, options: { description?: string; tags?: Record<string, string> } = {}): Promise<RegisteredModel> {
  for (let attempt = 0; ; attempt++) {
    const found = await getRegisteredModel(client, name);
    if (found) return found;
    try {
      return await createRegisteredModel(client, name, options);
    } catch (err) {
      const taken = err instanceof TrackingError && (err.mlflowCode === 'RESOURCE_ALREADY_EXISTS' || err.failure === 'unreachable');
      if (!taken || attempt >= 2) throw err;
    }
  }
}

export interface CreateModelVersionRequest {
  name: string;
  /** where the model's files are: `models:/<model_id>` or the run's model artifact path */
  source: string;
  runId?: string;
  modelId?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** model-versions/create. Not idempotent (each call makes a new version): see `registerModelVersion`. */
export async function createModelVersion(client: MlflowClient, request: CreateModelVersionRequest): Promise<ModelVersion> {
  const { model_version } = await client.call<{ model_version: ModelVersion }>(
    'POST',
    'model-versions/create',
    { name: request.name, source: request.source, run_id: request.runId, model_id: request.modelId, description: request.description, tags: tagList(request.tags) },
    'unprocessedOnly',
  );
  return model_version;
}

export async function searchModelVersions(client: MlflowClient, request: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } = {}): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
  const answer = await client.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>('GET', 'model-versions/search', {
    filter: request.filter,
    max_results: request.maxResults ?? 200,
    order_by: request.orderBy,
    page_token: request.pageToken,
  });
  return { model_versions: answer.model_versions ?? [], next_page_token: answer.next_page_token };
}

export async function setModelAlias(client: MlflowClient, name: string, alias: string, version: string): Promise<void> {
  await client.call('POST', 'registered-models/alias', { name, alias, version: String(version) });
}

/** The version an alias points at, or null. */
export async function getModelVersionByAlias(client: MlflowClient, name: string, alias: string): Promise<ModelVersion | null> {
  try {
    const { model_version } = await client.call<{ model_version: ModelVersion }>('GET', 'registered-models/alias', { name, alias });
    return model_version;
  } catch (err) {
    // MLflow answers a missing alias with 400 INVALID_PARAMETER_VALUE "... alias x not found"
    if (isNotFound(err) || (err instanceof TrackingError && err.status === 400 && /alias .* not found/i.test(err.message))) return null;
    throw err;
  }
}

export async function deleteModelAlias(client: MlflowClient, name: string, alias: string): Promise<void> {
  await client.call('DELETE', 'registered-models/alias', { name, alias });
}

// ---------------------------------------------------------------------------------------------
// Logged models (MLflow 3)

/**
 * logged-models create; null when the server has no such endpoint (MLflow 2), so that the caller
 * falls back to the run's artifacts.
 */
export async function createLoggedModel(
  client: MlflowClient,
  request: { experimentId: string; name: string; sourceRunId?: string; modelType?: string; params?: Record<string, string>; tags?: Record<string, string> },
): Promise<LoggedModelInfo | null> {
  try {
    const { model } = await client.call<{ model: { info: LoggedModelInfo } }>(
      'POST',
      'logged-models',
      {
        experiment_id: request.experimentId,
        name: request.name,
        source_run_id: request.sourceRunId,
        model_type: request.modelType,
        params: tagList(request.params),
        tags: tagList(request.tags),
      },
      'unprocessedOnly',
    );
    return model.info;
  } catch (err) {
    if (err instanceof TrackingError && (err.status === 404 || err.status === 405 || err.mlflowCode === 'ENDPOINT_NOT_FOUND')) return null;
    throw err;
  }
}

export async function finalizeLoggedModel(client: MlflowClient, modelId: string, status: 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED' = 'LOGGED_MODEL_READY'): Promise<LoggedModelInfo> {
  const { model } = await client.call<{ model: { info: LoggedModelInfo } }>('PATCH', `logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId, status });
  return model.info;
}

export async function searchLoggedModels(client: MlflowClient, request: { experimentIds: string[]; filter?: string; maxResults?: number }): Promise<LoggedModelInfo[]> {
  const answer = await client.call<{ models?: { info: LoggedModelInfo }[] }>('POST', 'logged-models/search', {
    experiment_ids: request.experimentIds,
    filter: request.filter,
    max_results: request.maxResults ?? 50,
  });
  return (answer.models ?? []).map((m) => m.info);
}
