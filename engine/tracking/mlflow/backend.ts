/**
 * MLflow as a tracking backend. A run is sent exactly once, whatever fails when:
 * 1. the run is created once: before creating, the experiment is searched for a run carrying the
 *    ledger id tag (an earlier create whose answer was lost); the MLflow run id is saved in the
 *    ledger before anything is logged to it;
 * 2. params, tags and metrics go in log-batch requests planned the same way every time, each
 *    acknowledged batch is saved; metric points carry the timestamp and step fixed in the ledger,
 *    so a batch sent again (answer lost) adds no point: MLflow drops identical points;
 * 3. artifacts are PUT (idempotent), models logged and registered (again searched before made);
 * 4. runs/update closes the run.
 * Its progress is the MlflowProgress fields of the run's `sync` (ledger.ts).
 */
import { posix } from 'node:path';
import { TrackingError } from '../../util/index.js';
import type { AliasTarget, RegistryListing, RunLocation, SendContext, TrackingBackend, VersionTag } from '../backend.js';
import type { ServerSettings } from '../config.js';
import type { LedgerModel, RunRecord } from '../ledger.js';
import { MlflowClient } from './client.js';
import {
  createLoggedModel,
  createModelVersion,
  createRun,
  ensureExperiment,
  ensureRegisteredModel,
  finalizeLoggedModel,
  logBatch,
  logInputs,
  planBatches,
  searchLoggedModels,
  searchModelVersions,
  searchRuns,
  setModelAlias,
  setModelVersionTag,
  allModelVersions,
  getRegisteredModel,
  tagFilter,
  updateRun,
  uploadArtifact,
  type MlflowExperiment,
  type MlflowRunInfo,
} from './rest.js';

/** Tag that ties an MLflow run (or model version, or logged model) to its ledger run. */
export const LEDGER_ID_TAG = 'driftcatcher.ledger_id';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

export class MlflowBackend implements TrackingBackend {
  readonly name = 'MLflow';
  /** the server's URI, without credentials */
  readonly target: string;
  readonly #server: ServerSettings;
  readonly #log: (line: string) => void;
  /** made on the first request: a backend that sends nothing never loads undici */
  #client: MlflowClient | undefined;
  readonly #experiments = new Map<string, MlflowExperiment>();

  constructor(server: ServerSettings, options: { log?: (line: string) => void } = {}) {
    this.#server = server;
    this.target = server.uri;
    this.#log = options.log ?? (() => {});
  }

  /** The REST client (one connection pool to the server), for the verbs of rest.ts. */
  get client(): MlflowClient {
    this.#client ??= new MlflowClient(this.#server, {
      onRetry: (n) => this.#log(`MLflow ${n.method} ${n.path.replace(/^.*\/api\/2\.0\//, '')}: ${n.reason}, retry ${n.attempt} in ${n.delayMs} ms`),
    });
    return this.#client;
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }

  locate(run: RunRecord): RunLocation {
    const runId = run.sync.mlflow_run_id;
    const url = runId && run.sync.experiment_id ? `${this.target}/#/experiments/${run.sync.experiment_id}/runs/${runId}` : undefined;
    return { runId, url };
  }

  registeredVersion(run: RunRecord, registeredModel: string): string | undefined {
    const model = (run.models ?? []).find((m) => m.register_as === registeredModel);
    return model ? run.sync.models?.[model.artifact_path]?.version : undefined;
  }

  async moveAlias(move: AliasTarget): Promise<void> {
    await setModelAlias(this.client, move.registeredModel, move.alias, move.version);
  }

  async tagVersion(tag: VersionTag): Promise<void> {
    await setModelVersionTag(this.client, tag.registeredModel, tag.version, tag.key, tag.value);
  }

  async listVersions(registeredModel: string): Promise<RegistryListing | null> {
    const model = await getRegisteredModel(this.client, registeredModel);
    if (!model) return null;
    const versions = await allModelVersions(this.client, registeredModel);
    const aliases = Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, String(a.version)]));
    return {
      versions: versions.map((v) => ({
        version: String(v.version),
        run_id: v.run_id ?? null,
        status: v.status ?? null,
        source: v.source ?? null,
        aliases: Object.entries(aliases).filter(([, n]) => n === String(v.version)).map(([alias]) => alias),
        tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])),
      })),
      aliases,
    };
  }

  /** The steps of one run; each finished step is saved in the ledger before the next begins. */
  async sendRun(record: RunRecord, context: SendContext): Promise<void> {
    const client = this.client;
    const sync = record.sync;
    const experiment = await this.#experiment(record.experiment);
    sync.experiment_id = experiment.experiment_id;

    if (!sync.mlflow_run_id) {
      const info = await this.#findOrCreateRun(experiment.experiment_id, record, context.parentRunId);
      sync.mlflow_run_id = info.run_id;
      sync.artifact_uri = info.artifact_uri;
      await context.save();
    }
    const runId = sync.mlflow_run_id;

    const batches = planBatches({
      params: Object.entries(record.params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(record.tags).map(([key, value]) => ({ key, value })),
      metrics: record.metrics,
    });
    for (const [i, batch] of batches.entries()) {
      if (i < sync.batches_sent) continue;
      await logBatch(client, runId, batch);
      sync.batches_sent = i + 1;
      await context.save();
    }

    const datasets = record.inputs ?? [];
    const models = record.model_inputs ?? [];
    if ((datasets.length || models.length) && !sync.inputs_sent) {
      await logInputs(client, runId, { datasets, models });
      sync.inputs_sent = true;
      await context.save();
    }

    for (const artifact of record.artifacts) {
      if (sync.artifacts_sent.includes(artifact.path)) continue;
      await uploadArtifact(client, sync.artifact_uri ?? '', artifact.path, await context.readArtifact(artifact.path));
      sync.artifacts_sent.push(artifact.path);
      await context.save();
    }

    for (const model of record.models ?? []) await this.#sendModel(record, runId, model, context);

    if (!sync.finished) {
      await updateRun(client, { runId, status: record.status, endTime: record.end_time });
      sync.finished = true;
    }
  }

  async #experiment(name: string): Promise<MlflowExperiment> {
    let experiment = this.#experiments.get(name);
    if (!experiment) {
      experiment = await ensureExperiment(this.client, name);
      this.#experiments.set(name, experiment);
    }
    return experiment;
  }

  async #findOrCreateRun(experimentId: string, record: RunRecord, parentRunId: string | undefined): Promise<MlflowRunInfo> {
    const filter = tagFilter(LEDGER_ID_TAG, record.id);
    const tags: Record<string, string> = { [LEDGER_ID_TAG]: record.id, 'mlflow.source.name': 'driftcatcher', 'mlflow.source.type': 'LOCAL' };
    const user = record.tags['mlflow.user'];
    if (user) tags['mlflow.user'] = user;
    if (parentRunId) tags[PARENT_RUN_TAG] = parentRunId;
    for (let attempt = 0; ; attempt++) {
      const { runs } = await searchRuns(this.client, { experimentIds: [experimentId], filter, maxResults: 10, runViewType: 'ALL', orderBy: ['attributes.start_time ASC'] });
      const found = runs[0];
      if (found) return found.info;
      try {
        return await createRun(this.client, { experimentId, runName: record.run_name, startTime: record.start_time, tags });
      } catch (err) {
        // the answer may have been lost after the server made the run: look for it before trying again
        if (!(err instanceof TrackingError) || err.failure !== 'unreachable' || attempt >= 2) throw err;
      }
    }
  }

  /** Log one model: an MLflow 3 logged model when the server has them, else the run's artifacts; then register it. */
  async #sendModel(record: RunRecord, runId: string, model: LedgerModel, context: SendContext): Promise<void> {
    const client = this.client;
    const sync = record.sync;
    const experimentId = sync.experiment_id ?? '';
    const progress = (sync.models[model.artifact_path] ??= { files_sent: [] });
    const prefix = `${posix.normalize(model.artifact_path).replace(/\/+$/, '')}/`;
    const files = record.artifacts.filter((a) => a.path.startsWith(prefix));

    if (!progress.source) {
      const modelTag = `${record.id}/${model.artifact_path}`;
      const found = await searchLoggedModels(client, { experimentIds: [experimentId], filter: `tags.\`${LEDGER_ID_TAG}\` = '${modelTag}'` }).catch((err: unknown) => {
        if (err instanceof TrackingError && (err.status === 404 || err.status === 405 || err.mlflowCode === 'ENDPOINT_NOT_FOUND')) return [];
        throw err;
      });
      const logged =
        found[0] ??
        (await createLoggedModel(client, {
          experimentId,
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
      await context.save();
    }

    if (progress.model_id && !progress.finalized) {
      for (const file of files) {
        const inside = file.path.slice(prefix.length);
        if (progress.files_sent.includes(inside)) continue;
        await uploadArtifact(client, progress.artifact_uri ?? '', inside, await context.readArtifact(file.path));
        progress.files_sent.push(inside);
        await context.save();
      }
      await finalizeLoggedModel(client, progress.model_id);
      progress.finalized = true;
      await context.save();
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
          source: progress.source ?? '',
          runId,
          modelId: progress.model_id,
          tags: { [LEDGER_ID_TAG]: versionTag },
        }));
      progress.version = String(version.version);
      await context.save();
    }

    for (const alias of model.aliases ?? []) {
      if (!model.register_as || !progress.version || progress.aliases_set?.includes(alias)) continue;
      await setModelAlias(client, model.register_as, alias, progress.version);
      (progress.aliases_set ??= []).push(alias);
      await context.save();
    }
  }
}
