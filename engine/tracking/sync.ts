/**
 * Sending ledger runs to MLflow, exactly once:
 * 1. the run is created once: before creating, the experiment is searched for a run carrying the
 *    ledger id tag (an earlier create whose answer was lost); the MLflow run id is saved in the
 *    ledger before anything is logged to it;
 * 2. params, tags and metrics go in log-batch requests planned the same way every time, each
 *    acknowledged batch is saved; metric points carry the timestamp and step fixed in the ledger,
 *    so a batch sent again (answer lost) adds no point: MLflow drops identical points;
 * 3. artifacts are PUT (idempotent), models logged and registered (again searched before made);
 * 4. runs/update closes the run; the ledger marks it sent.
 * A per-run lock keeps two processes from sending the same run at once.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { TrackingError, UsageError } from '../util/index.js';
import type { ResolvedTracking } from './config.js';
import {
  MlflowClient,
  createLoggedModel,
  createModelVersion,
  createRun,
  ensureExperiment,
  ensureRegisteredModel,
  finalizeLoggedModel,
  logBatch,
  planBatches,
  searchLoggedModels,
  searchModelVersions,
  searchRuns,
  setModelAlias,
  tagFilter,
  updateRun,
  uploadArtifact,
  type MlflowExperiment,
  type MlflowRunInfo,
} from './client.js';
import { Ledger, orderRuns, type LedgerModel, type RunRecord } from './ledger.js';
import { syncAliasMoves, type AliasSyncResult } from './promote.js';

/** Tag that ties an MLflow run (or model version) to its ledger run. */
export const LEDGER_ID_TAG = 'driftcatcher.ledger_id';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

export interface RunSyncResult {
  id: string;
  run_name: string;
  experiment: string;
  /** `busy`: another driftcatcher process is sending it (or just sent it) */
  state: 'sent' | 'queued' | 'busy';
  mlflow_run_id?: string;
  /** the run's page in the MLflow UI */
  url?: string;
  /** why it is still queued */
  reason?: string;
}

export interface SyncSummary {
  /** the server (no credentials) */
  server: string;
  runs: RunSyncResult[];
  sent: number;
  /** still queued after this sync (busy runs not counted) */
  queued: number;
  /** queued alias moves (`models promote` the server did not take yet), sent after the runs by a full sync */
  aliases: AliasSyncResult[];
  /** alias moves still queued after this sync */
  aliasesQueued: number;
  /** set when the server could not be reached or refused the credentials: the remaining runs were not tried */
  stoppedBy?: TrackingError;
  /** errors of single runs (the server rejected something in them) */
  errors: TrackingError[];
}

interface Session {
  client: MlflowClient;
  ledger: Ledger;
  experiments: Map<string, MlflowExperiment>;
}

/**
 * Send queued runs of the ledger (all of them, or those named and their parents) to the
 * configured server, then (all runs only) the queued alias moves. Never throws for a server
 * fault: the summary says what stayed queued and why.
 */
export async function syncLedger(tracking: ResolvedTracking, options: { ids?: string[] } = {}): Promise<SyncSummary> {
  if (!tracking.server) throw new UsageError(`no MLflow server to send to: ${tracking.note ?? 'set MLFLOW_TRACKING_URI or pass --tracking-uri'}`);
  const ledger = new Ledger(tracking.ledgerDir);
  let runs: RunRecord[];
  if (options.ids) {
    // the named runs and their parents (read directly: a big ledger is not listed for one run)
    const wanted = new Map<string, RunRecord>();
    for (const id of options.ids) {
      for (let next: string | undefined = id; next && !wanted.has(next); ) {
        const run = await ledger.read(next);
        wanted.set(run.id, run);
        next = run.parent_id;
      }
    }
    runs = orderRuns([...wanted.values()]).filter((r) => r.sync.state === 'queued');
  } else {
    runs = await ledger.queued();
  }
  const client = new MlflowClient(tracking.server, {
    onRetry: (n) => tracking.log(`MLflow ${n.method} ${n.path.replace(/^.*\/api\/2\.0\//, '')}: ${n.reason}, retry ${n.attempt} in ${n.delayMs} ms`),
  });
  const session: Session = { client, ledger, experiments: new Map() };
  const summary: SyncSummary = { server: client.uri, runs: [], sent: 0, queued: 0, aliases: [], aliasesQueued: 0, errors: [] };
  try {
    for (const run of runs) {
      if (summary.stoppedBy) {
        summary.runs.push(queuedResult(run, `not tried: ${summary.stoppedBy.failure === 'auth' ? 'credentials refused' : 'server unreachable'}`));
        continue;
      }
      const parent = run.parent_id ? await ledger.read(run.parent_id).catch(() => undefined) : undefined;
      const parentRunId = parent?.sync.tracking_uri === client.uri ? parent.sync.mlflow_run_id : undefined;
      if (run.parent_id && !parentRunId) {
        // a parent being sent by another process: that process sends the children too
        const parentBusy = summary.runs.some((r) => r.id === run.parent_id && r.state === 'busy');
        summary.runs.push(parentBusy ? { ...queuedResult(run, `its parent run is being sent by another driftcatcher process`), state: 'busy' } : queuedResult(run, `waiting for its parent run ${run.parent_id}`));
        continue;
      }
      const result = await syncOne(session, run.id, parentRunId);
      if (result instanceof TrackingError) {
        summary.runs.push(queuedResult(run, result.message));
        if (result.failure === 'unreachable' || result.failure === 'auth') summary.stoppedBy = result;
        else summary.errors.push(result);
      } else {
        summary.runs.push(result);
      }
    }
    if (!options.ids) {
      // after the runs: a version a run registered just now is known
      const aliases = await syncAliasMoves(client, ledger, summary.stoppedBy);
      summary.aliases = aliases.results;
      summary.stoppedBy ??= aliases.stoppedBy;
      summary.errors.push(...aliases.errors);
    }
  } finally {
    await client.close();
  }
  summary.aliasesQueued = summary.aliases.filter((a) => a.state === 'queued').length;
  summary.sent = summary.runs.filter((r) => r.state === 'sent').length;
  summary.queued = summary.runs.filter((r) => r.state === 'queued').length;
  return summary;
}

function queuedResult(run: RunRecord, reason: string): RunSyncResult {
  return { id: run.id, run_name: run.run_name, experiment: run.experiment, state: 'queued', mlflow_run_id: run.sync.mlflow_run_id, reason };
}

/** Lock, re-read, send, record the outcome. A TrackingError is returned (the run stays queued). */
async function syncOne(session: Session, id: string, parentRunId: string | undefined): Promise<RunSyncResult | TrackingError> {
  const { ledger, client } = session;
  const unlock = await ledger.lock(id);
  const current = await ledger.read(id);
  if (!unlock) return { ...queuedResult(current, 'being sent by another driftcatcher process'), state: 'busy' };
  try {
    let record = await ledger.read(id);
    if (record.sync.state === 'sent') return { ...sentResult(client, record), state: 'busy', reason: 'sent by another driftcatcher process meanwhile' };
    if (record.sync.tracking_uri && record.sync.tracking_uri !== client.uri) {
      // partly sent to another server before: start over on this one
      record.sync = { state: 'queued', batches_sent: 0, artifacts_sent: [], models: {}, finished: false, attempts: record.sync.attempts };
    }
    record.sync.attempts += 1;
    record.sync.last_attempt = new Date().toISOString();
    record.sync.tracking_uri = client.uri;
    try {
      record = await sendRun(session, record, parentRunId);
      record.sync.state = 'sent';
      record.sync.sent_at = new Date().toISOString();
      delete record.sync.last_error;
      await ledger.save(record);
      return sentResult(client, record);
    } catch (err) {
      if (!(err instanceof TrackingError)) throw err;
      record.sync.last_error = err.message;
      await ledger.save(record);
      return err;
    }
  } finally {
    await unlock();
  }
}

function sentResult(client: MlflowClient, record: RunRecord): RunSyncResult {
  const runId = record.sync.mlflow_run_id;
  const url = runId && record.sync.experiment_id ? `${client.uri}/#/experiments/${record.sync.experiment_id}/runs/${runId}` : undefined;
  return { id: record.id, run_name: record.run_name, experiment: record.experiment, state: 'sent', mlflow_run_id: runId, url };
}

async function experimentOf(session: Session, name: string): Promise<MlflowExperiment> {
  let experiment = session.experiments.get(name);
  if (!experiment) {
    experiment = await ensureExperiment(session.client, name);
    session.experiments.set(name, experiment);
  }
  return experiment;
}

/** The steps of one run; each finished step is saved in the ledger before the next begins. */
async function sendRun(session: Session, record: RunRecord, parentRunId: string | undefined): Promise<RunRecord> {
  const { client, ledger } = session;
  const sync = record.sync;
  const experiment = await experimentOf(session, record.experiment);
  sync.experiment_id = experiment.experiment_id;

  if (!sync.mlflow_run_id) {
    const info = await findOrCreateRun(client, experiment.experiment_id, record, parentRunId);
    sync.mlflow_run_id = info.run_id;
    sync.artifact_uri = info.artifact_uri;
    await ledger.save(record);
  }
  const runId = sync.mlflow_run_id;

  const batches = planBatches({
    params: Object.entries(record.params).map(([key, value]) => ({ key, value })),
    tags: Object.entries(record.tags).map(([key, value]) => ({ key, value })),
    metrics: record.metrics,
  });
  for (let i = sync.batches_sent; i < batches.length; i++) {
    await logBatch(client, runId, batches[i]!);
    sync.batches_sent = i + 1;
    await ledger.save(record);
  }

  for (const artifact of record.artifacts) {
    if (sync.artifacts_sent.includes(artifact.path)) continue;
    await uploadArtifact(client, sync.artifact_uri ?? '', artifact.path, await ledger.readArtifact(record.id, artifact.path));
    sync.artifacts_sent.push(artifact.path);
    await ledger.save(record);
  }

  for (const model of record.models ?? []) await sendModel(session, record, model);

  if (!sync.finished) {
    await updateRun(client, { runId, status: record.status, endTime: record.end_time });
    sync.finished = true;
  }
  return record;
}

async function findOrCreateRun(client: MlflowClient, experimentId: string, record: RunRecord, parentRunId: string | undefined): Promise<MlflowRunInfo> {
  const filter = tagFilter(LEDGER_ID_TAG, record.id);
  const tags: Record<string, string> = { [LEDGER_ID_TAG]: record.id, 'mlflow.source.name': 'driftcatcher', 'mlflow.source.type': 'LOCAL' };
  if (record.tags['mlflow.user']) tags['mlflow.user'] = record.tags['mlflow.user'];
  if (parentRunId) tags[PARENT_RUN_TAG] = parentRunId;
  for (let attempt = 0; ; attempt++) {
    const { runs } = await searchRuns(client, { experimentIds: [experimentId], filter, maxResults: 10, runViewType: 'ALL', orderBy: ['attributes.start_time ASC'] });
    if (runs.length > 0) return runs[0]!.info;
    try {
      return await createRun(client, { experimentId, runName: record.run_name, startTime: record.start_time, tags });
    } catch (err) {
      // the answer may have been lost after the server made the run: look for it before trying again
      if (!(err instanceof TrackingError) || err.failure !== 'unreachable' || attempt >= 2) throw err;
    }
  }
}

/** Log one model: an MLflow 3 logged model when the server has them, else the run's artifacts; then register it. */
async function sendModel(session: Session, record: RunRecord, model: LedgerModel): Promise<void> {
  const { client, ledger } = session;
  const sync = record.sync;
  const runId = sync.mlflow_run_id!;
  const progress = (sync.models[model.artifact_path] ??= { files_sent: [] });
  const prefix = `${posix.normalize(model.artifact_path).replace(/\/+$/, '')}/`;
  const files = record.artifacts.filter((a) => a.path.startsWith(prefix));

  if (!progress.source) {
    const modelTag = `${record.id}/${model.artifact_path}`;
    const found = await searchLoggedModels(client, { experimentIds: [sync.experiment_id!], filter: `tags.\`${LEDGER_ID_TAG}\` = '${modelTag}'` }).catch((err: unknown) => {
      if (err instanceof TrackingError && (err.status === 404 || err.status === 405 || err.mlflowCode === 'ENDPOINT_NOT_FOUND')) return [];
      throw err;
    });
    const logged =
      found[0] ??
      (await createLoggedModel(client, {
        experimentId: sync.experiment_id!,
        name: model.name,
        sourceRunId: runId,
        modelType: model.model_type,
        tags: { ...model.tags, [LEDGER_ID_TAG]: modelTag },
      }));
    if (logged) {
      progress.model_id = logged.model_id;
      progress.source = `models:/${logged.model_id}`;
      progress.artifact_uri = logged.artifact_uri;
    } else {
      // MLflow 2: the model's files are the run's artifacts (already uploaded with the run)
      progress.source = `${(sync.artifact_uri ?? '').replace(/\/+$/, '')}/${model.artifact_path}`;
      progress.finalized = true;
    }
    await ledger.save(record);
  }

  if (progress.model_id && !progress.finalized) {
    for (const file of files) {
      const inside = file.path.slice(prefix.length);
      if (progress.files_sent.includes(inside)) continue;
      await uploadArtifact(client, progress.artifact_uri!, inside, await readFile(ledger.artifactFile(record.id, file.path)));
      progress.files_sent.push(inside);
      await ledger.save(record);
    }
    await finalizeLoggedModel(client, progress.model_id);
    progress.finalized = true;
    await ledger.save(record);
  }

  if (model.register_as && !progress.version) {
    await ensureRegisteredModel(client, model.register_as);
    const versionTag = `${record.id}/${model.artifact_path}`;
    const filter = `name='${model.register_as.replace(/'/g, "\\'")}' and run_id='${runId}'`;
    const { model_versions } = await searchModelVersions(client, { filter });
    const existing = model_versions.find((v) => v.tags?.some((t) => t.key === LEDGER_ID_TAG && t.value === versionTag));
    const version =
      existing ??
      (await createModelVersion(client, {
        name: model.register_as,
        source: progress.source!,
        runId,
        modelId: progress.model_id,
        tags: { [LEDGER_ID_TAG]: versionTag },
      }));
    progress.version = String(version.version);
    await ledger.save(record);
  }

  for (const alias of model.aliases ?? []) {
    if (!model.register_as || progress.aliases_set?.includes(alias)) continue;
    await setModelAlias(client, model.register_as, alias, progress.version!);
    (progress.aliases_set ??= []).push(alias);
    await ledger.save(record);
  }
}
