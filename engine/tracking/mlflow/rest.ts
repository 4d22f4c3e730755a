/**
 * MLflow's REST API as small verb functions over one MlflowClient (client.ts): experiments, runs,
 * artifacts, the model registry and logged models. Each verb is one endpoint; what is retried
 * and how a lost answer is handled is said by each (its retry scope). Internal to the MLflow
 * backend: the library's surface is MlflowBackend and MlflowClient.
 */
import { TrackingError } from '../../util/index.js';
import type { DatasetInput, MetricPoint, RunStatus } from '../ledger.js';
import type { MlflowClient } from './client.js';

export type { MetricPoint, RunStatus } from '../ledger.js';

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
        throw new TrackingError(`MLflow experiment "${name}" on ${client.uri} is deleted: restore it (mlflow experiments restore) or choose another name (the experiment option)`, { failure: 'http' });
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

/** experiments/search, one page (MLflow's view types; 1000 per page at most on the server). */
export async function searchExperiments(
  client: MlflowClient,
  request: { maxResults?: number; pageToken?: string; viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' } = {},
): Promise<{ experiments: MlflowExperiment[]; next_page_token?: string }> {
  const answer = await client.call<{ experiments?: MlflowExperiment[]; next_page_token?: string }>('POST', 'experiments/search', {
    max_results: request.maxResults ?? 1000,
    page_token: request.pageToken,
    view_type: request.viewType ?? 'ACTIVE_ONLY',
  });
  return { experiments: answer.experiments ?? [], next_page_token: answer.next_page_token || undefined };
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

/**
 * runs/log-inputs: the run's datasets, each with its `mlflow.data.context` tag, and the logged
 * models it used (MLflow 3's model inputs). Idempotent: the server keeps one input per dataset
 * (name and digest) and per model.
 */
export async function logInputs(client: MlflowClient, runId: string, inputs: { datasets: DatasetInput[]; models: string[] }): Promise<void> {
  const body = {
    run_id: runId,
    datasets: inputs.datasets.map(({ context, ...dataset }) => ({ tags: [{ key: 'mlflow.data.context', value: context }], dataset })),
    ...(inputs.models.length ? { models: inputs.models.map((model_id) => ({ model_id })) } : {}),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await client.call('POST', 'runs/log-inputs', body);
      return;
    } catch (err) {
      // two runs logging the same new dataset at once: the MLflow server looks the dataset up,
      // both miss, both insert, one insert fails on the unique (experiment, name, digest) and the
      // whole request is rolled back (seen with two `mlflow sync` at once). Sent again, it finds
      // the dataset the other made.
      if (attempt >= LOG_INPUTS_TRIES || !isDatasetInsertRace(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

const LOG_INPUTS_TRIES = 3;

/** A 400 whose message is the database's unique-constraint failure on the datasets table (SQLite, PostgreSQL, MySQL wording). */
function isDatasetInsertRace(err: unknown): boolean {
  if (!(err instanceof TrackingError) || err.status !== 400) return false;
  return /datasets/i.test(err.detail) && /UNIQUE constraint failed|IntegrityError|duplicate key|Duplicate entry/i.test(err.detail);
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
  return { runs: answer.runs ?? [], next_page_token: answer.next_page_token || undefined };
}

/**
 * Every run a search finds, page after page (page_token), newest first unless `orderBy` says
 * otherwise; stops after `limit` runs. `onPage` hears the running count after each page.
 */
export async function searchAllRuns(
  client: MlflowClient,
  request: Omit<SearchRunsRequest, 'pageToken' | 'maxResults'> & { limit?: number; pageSize?: number; onPage?: (fetched: number) => void },
): Promise<MlflowRun[]> {
  const runs: MlflowRun[] = [];
  const limit = request.limit ?? Infinity;
  let pageToken: string | undefined;
  do {
    const page = await searchRuns(client, {
      experimentIds: request.experimentIds,
      filter: request.filter,
      orderBy: request.orderBy,
      runViewType: request.runViewType,
      maxResults: Math.min(request.pageSize ?? 1000, limit - runs.length),
      pageToken,
    });
    runs.push(...page.runs.slice(0, limit - runs.length));
    request.onPage?.(runs.length);
    pageToken = page.next_page_token || undefined;
  } while (pageToken && runs.length < limit);
  return runs;
}

/** runs/delete: the run goes to the server's deleted lifecycle stage (`mlflow gc` purges it). Deleting a deleted run is no error. */
export async function deleteRun(client: MlflowClient, runId: string): Promise<void> {
  await client.call('POST', 'runs/delete', { run_id: runId });
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

/** model-versions/set-tag (idempotent: the tag is replaced). */
export async function setModelVersionTag(client: MlflowClient, name: string, version: string, key: string, value: string): Promise<void> {
  await client.call('POST', 'model-versions/set-tag', { name, version: String(version), key, value });
}

/** Every version of a registered model (model-versions/search, every page). */
export async function allModelVersions(client: MlflowClient, name: string): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await searchModelVersions(client, { filter: `name = '${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, pageToken });
    out.push(...page.model_versions);
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return out.sort((x, y) => Number(x.version) - Number(y.version));
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
