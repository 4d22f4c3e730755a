/**
 * The runs dashboard's reading and cleaning of recorded runs: over the MLflow server when one is
 * configured (runs/search with paging, experiments/search, runs/delete, model-versions/search),
 * else over the local ledger with the same filter grammar evaluated here (filter.ts). Every run
 * comes back in one shape, TrackedRun, newest first: latest metric values, params, tags.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UsageError } from '../util/index.js';
import { resolveTracking, type ResolvedTracking, type TrackingOptions } from './config.js';
import { matchesFilter, parseRunFilter, type FilterableRun } from './filter.js';
import { Ledger, type RunRecord } from './ledger.js';
import { LEDGER_ID_TAG, PARENT_RUN_TAG } from './mlflow/backend.js';
import { MlflowClient } from './mlflow/client.js';
import { deleteRun, getExperimentByName, searchAllRuns, searchExperiments, searchModelVersions, type MlflowRun } from './mlflow/rest.js';

/** One run as the dashboard shows it, from the server or the ledger. */
export interface TrackedRun extends FilterableRun {
  experiment: string;
  /** the server's experiment id (server runs only) */
  experiment_id?: string;
  /** the run's ledger id: the ledger's own runs, and server runs sent from a ledger (tag driftcatcher.ledger_id) */
  ledger_id?: string;
  /** the parent run's id, where it has one */
  parent_id?: string;
}

export type RunSourceKind = 'mlflow' | 'ledger';

export interface RunsQuery {
  /** one experiment's runs (default: every experiment) */
  experiment?: string;
  /** MLflow's filter syntax (filter.ts) */
  filter?: string;
  /** only runs started at or after this time: ms since the epoch, or a duration back from now (`7d`, `12h`, `30m`, `2w`) or an ISO date */
  since?: number | string;
  /** most runs returned, newest first (default: all) */
  limit?: number;
  /** hears the count of runs read so far while a server is paged through */
  onProgress?: (fetched: number) => void;
}

export interface RunsListing {
  source: RunSourceKind;
  /** the server (no credentials) or the ledger folder */
  where: string;
  runs: TrackedRun[];
}

/** `--since`: a duration back from `now` (`90s`, `30m`, `12h`, `7d`, `2w`) or an ISO date/time; ms since the epoch. */
export function parseSince(text: string, now = Date.now()): number {
  const duration = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (duration) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[duration[2]!.toLowerCase() as 's']!;
    return now - Math.round(Number(duration[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const time = Date.parse(text.trim());
    if (Number.isFinite(time)) return time;
  }
  throw new UsageError(`expected a duration such as 7d, 12h, 30m, 2w or an ISO date such as 2025-11-01, got "${text}"`, { option: 'since' });
}

/** A run of the ledger in the dashboard's shape: each metric's latest value (highest step, then latest timestamp, as MLflow). */
export function ledgerRunView(run: RunRecord): TrackedRun {
  const latest = new Map<string, { value: number; step: number; timestamp: number }>();
  for (const m of run.metrics) {
    const seen = latest.get(m.key);
    if (!seen || m.step > seen.step || (m.step === seen.step && (m.timestamp > seen.timestamp || (m.timestamp === seen.timestamp && m.value > seen.value)))) latest.set(m.key, m);
  }
  return {
    run_id: run.id,
    ledger_id: run.id,
    experiment: run.experiment,
    run_name: run.run_name,
    status: run.status,
    start_time: run.start_time,
    end_time: run.end_time,
    ...(run.tags['mlflow.user'] ? { user_id: run.tags['mlflow.user'] } : {}),
    metrics: Object.fromEntries([...latest].map(([key, m]) => [key, m.value])),
    params: { ...run.params },
    tags: { ...run.tags },
    ...(run.parent_id ? { parent_id: run.parent_id } : {}),
  };
}

/** A run of the server in the dashboard's shape. */
export function serverRunView(run: MlflowRun, experimentNames: ReadonlyMap<string, string>): TrackedRun {
  const tags = Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value]));
  const info = run.info;
  return {
    run_id: info.run_id,
    ...(tags[LEDGER_ID_TAG] ? { ledger_id: tags[LEDGER_ID_TAG] } : {}),
    experiment: experimentNames.get(info.experiment_id) ?? info.experiment_id,
    experiment_id: info.experiment_id,
    run_name: info.run_name ?? tags['mlflow.runName'] ?? '',
    status: info.status ?? '',
    start_time: Number(info.start_time ?? 0),
    end_time: info.end_time === undefined || info.end_time === null ? null : Number(info.end_time),
    ...((info as { user_id?: string }).user_id ? { user_id: (info as { user_id?: string }).user_id } : {}),
    ...(info.artifact_uri ? { artifact_uri: info.artifact_uri } : {}),
    // protobuf's JSON writes NaN and the infinities as strings
    metrics: Object.fromEntries((run.data?.metrics ?? []).map((m) => [m.key, Number(m.value)])),
    params: Object.fromEntries((run.data?.params ?? []).map((p) => [p.key, p.value])),
    tags,
    ...(tags[PARENT_RUN_TAG] ? { parent_id: tags[PARENT_RUN_TAG] } : {}),
  };
}

/** Runs of the server (when configured) or the ledger, newest first, that pass the query. */
export async function listRuns(options: TrackingOptions & RunsQuery = {}): Promise<RunsListing> {
  const tracking = resolveTracking(options);
  const filter = parseRunFilter(options.filter ?? '');
  const since = options.since === undefined ? undefined : typeof options.since === 'number' ? options.since : parseSince(options.since);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) throw new UsageError(`must be a positive integer, got ${options.limit}`, { option: 'limit' });
  if (tracking.server) {
    return withServer(tracking, async (client) => {
      const experiments = await serverExperiments(client, options.experiment);
      const text = [filter?.text, since !== undefined ? `attributes.start_time >= ${since}` : undefined].filter(Boolean).join(' AND ');
      const runs = experiments.size === 0 ? [] : await searchAllRuns(client, {
        experimentIds: [...experiments.keys()],
        filter: text || undefined,
        orderBy: ['attributes.start_time DESC'],
        limit: options.limit,
        onPage: options.onProgress,
      });
      return { source: 'mlflow', where: client.uri, runs: runs.map((r) => serverRunView(r, experiments)) };
    });
  }
  const ledger = new Ledger(tracking.ledgerDir);
  const runs = (await ledger.list())
    .filter((r) => options.experiment === undefined || r.experiment === options.experiment)
    .map(ledgerRunView)
    .filter((r) => (since === undefined || r.start_time >= since) && matchesFilter(r, filter))
    .sort(newestFirst);
  return { source: 'ledger', where: ledger.dir, runs: options.limit !== undefined ? runs.slice(0, options.limit) : runs };
}

/** Newest first (start time, then id), as MLflow's default order. */
export function newestFirst(a: TrackedRun, b: TrackedRun): number {
  return b.start_time - a.start_time || b.run_id.localeCompare(a.run_id);
}

export interface ExperimentSummary {
  name: string;
  /** the server's id (server experiments only) */
  experiment_id?: string;
  runs: number;
  last_run: { run_id: string; run_name: string; start_time: number; status: string } | null;
  /** `action_recommended` of the newest run that has one (drift and agent runs) */
  latest_verdict: string | null;
  /** the verdicts of the newest runs that have one, newest first (at most 5) */
  recent_verdicts: string[];
  /** how many runs recommended each action */
  verdict_counts: Record<string, number>;
}

export interface RunsSummary {
  source: RunSourceKind;
  where: string;
  experiments: ExperimentSummary[];
}

const VERDICT_TAG = 'action_recommended';
const RECENT_VERDICTS = 5;

/** Every experiment with its run count, last run and latest verdicts (an experiment with no run: 0 and nulls). */
export async function summarizeRuns(options: TrackingOptions & Pick<RunsQuery, 'experiment' | 'onProgress'> = {}): Promise<RunsSummary> {
  const tracking = resolveTracking(options);
  let names: string[];
  if (tracking.server) {
    names = await withServer(tracking, async (client) => [...(await serverExperiments(client, options.experiment)).values()]);
  } else names = [];
  const listing = await listRuns({ ...options, experiment: options.experiment });
  const byExperiment = new Map<string, TrackedRun[]>(names.map((n) => [n, []]));
  for (const run of listing.runs) {
    const list = byExperiment.get(run.experiment) ?? [];
    list.push(run);
    byExperiment.set(run.experiment, list);
  }
  const experiments = [...byExperiment].map(([name, runs]): ExperimentSummary => {
    const last = runs[0];
    const verdicts = runs.map((r) => r.tags[VERDICT_TAG]).filter((v): v is string => v !== undefined && v !== '');
    const counts: Record<string, number> = {};
    for (const v of verdicts) counts[v] = (counts[v] ?? 0) + 1;
    return {
      name,
      ...(last?.experiment_id ? { experiment_id: last.experiment_id } : {}),
      runs: runs.length,
      last_run: last ? { run_id: last.run_id, run_name: last.run_name, start_time: last.start_time, status: last.status } : null,
      latest_verdict: verdicts[0] ?? null,
      recent_verdicts: verdicts.slice(0, RECENT_VERDICTS),
      verdict_counts: counts,
    };
  });
  experiments.sort((a, b) => (b.last_run?.start_time ?? -1) - (a.last_run?.start_time ?? -1) || a.name.localeCompare(b.name));
  return { source: listing.source, where: listing.where, experiments };
}

export interface CleanupOptions extends TrackingOptions {
  experiment: string;
  /** the newest runs kept */
  keepLast: number;
  dryRun?: boolean;
  /** the local model registry whose versions' runs are kept (default: `models`, as `train`) */
  registry?: string;
  onProgress?: (fetched: number) => void;
}

export interface CleanupRun {
  run_id: string;
  ledger_id?: string;
  run_name: string;
  start_time: number;
}

export interface CleanupResult {
  source: RunSourceKind;
  where: string;
  experiment: string;
  dry_run: boolean;
  /** runs of the experiment before the cleanup */
  total: number;
  /** the newest `keep_last` runs */
  kept: number;
  /** older runs kept because they produced a registered model version */
  protected: (CleanupRun & { reason: string })[];
  /** runs deleted (or, with dry_run, that would be) */
  deleted: CleanupRun[];
  /** ledger ids of the ledger copies removed with them */
  ledger_removed: string[];
  /** runs that could not be removed now (a sync holds them), with why */
  skipped: (CleanupRun & { reason: string })[];
}

/**
 * Delete the runs of an experiment beyond the newest `keepLast`, on the server (runs/delete) and
 * in the ledger, never one that produced a registered model version: on the server (a model
 * version's run_id), in the local registry (a version's run_id), or a ledger run that registers
 * one when sent.
 */
export async function cleanupRuns(options: CleanupOptions): Promise<CleanupResult> {
  if (!Number.isInteger(options.keepLast) || options.keepLast < 0) throw new UsageError(`must be a non-negative integer, got ${options.keepLast}`, { option: 'keepLast' });
  if (!options.experiment) throw new UsageError('name the experiment to clean up', { option: 'experiment' });
  const tracking = resolveTracking(options);
  const ledger = new Ledger(tracking.ledgerDir);
  const ledgerRuns = await ledger.list();
  const localRegistered = await localRegistryRuns(options.registry, ledgerRuns);
  const listing = await listRuns({ ...options, filter: undefined, since: undefined, limit: undefined });
  const serverRegistered = listing.source === 'mlflow' ? await withServer(tracking, serverModelVersionRuns) : new Map<string, string>();

  const registersModel = new Map(ledgerRuns.filter((r) => r.models?.some((m) => m.register_as)).map((r) => [r.id, r.models!.find((m) => m.register_as)!.register_as!]));
  const reasonKept = (run: TrackedRun): string | undefined => {
    const server = serverRegistered.get(run.run_id);
    if (server) return `registered model version ${server}`;
    const local = run.ledger_id ? localRegistered.get(run.ledger_id) : undefined;
    if (local) return `local registry version ${local}`;
    const pending = run.ledger_id ? registersModel.get(run.ledger_id) : undefined;
    if (pending) return `registers a version of ${pending}`;
    return undefined;
  };

  const result: CleanupResult = {
    source: listing.source,
    where: listing.where,
    experiment: options.experiment,
    dry_run: options.dryRun === true,
    total: listing.runs.length,
    kept: Math.min(options.keepLast, listing.runs.length),
    protected: [],
    deleted: [],
    ledger_removed: [],
    skipped: [],
  };
  const brief = (r: TrackedRun): CleanupRun => ({ run_id: r.run_id, ...(r.ledger_id ? { ledger_id: r.ledger_id } : {}), run_name: r.run_name, start_time: r.start_time });
  const candidates: TrackedRun[] = [];
  for (const run of listing.runs.slice(options.keepLast)) {
    const reason = reasonKept(run);
    if (reason) result.protected.push({ ...brief(run), reason });
    else candidates.push(run);
  }
  if (result.dry_run) {
    result.deleted = candidates.map(brief);
    return result;
  }
  // the ledger copy of each run: the ledger run itself, or the one sent as this server run
  const ledgerIds = new Set(ledgerRuns.map((r) => r.id));
  const ledgerCopy = (run: TrackedRun): string | undefined => {
    if (run.ledger_id && ledgerIds.has(run.ledger_id)) return run.ledger_id;
    return ledgerRuns.find((r) => r.sync.mlflow_run_id === run.run_id)?.id;
  };
  const remove = async (id: string): Promise<string | undefined> => {
    const release = await ledger.lock(id);
    if (!release) return 'a sync is sending it';
    const dir = ledger.runDir(id);
    const doomed = join(ledger.runsDir, `.${id}.deleting`);
    try {
      await rename(dir, doomed);
    } finally {
      await release().catch(() => {});
    }
    await rm(doomed, { recursive: true, force: true });
    return undefined;
  };
  if (listing.source === 'mlflow') {
    await withServer(tracking, async (client) => {
      for (const run of candidates) {
        await deleteRun(client, run.run_id);
        result.deleted.push(brief(run));
        const copy = ledgerCopy(run);
        const why = copy ? await remove(copy) : undefined;
        if (copy && why === undefined) result.ledger_removed.push(copy);
        else if (why) result.skipped.push({ ...brief(run), reason: `deleted on the server; its ledger copy ${copy} stays: ${why}` });
      }
    });
  } else {
    for (const run of candidates) {
      const why = await remove(run.run_id);
      if (why) result.skipped.push({ ...brief(run), reason: why });
      else {
        result.deleted.push(brief(run));
        result.ledger_removed.push(run.run_id);
      }
    }
  }
  return result;
}

/**
 * The ledger ids of the local registry's versions' training runs -> `name vN`: the run a version
 * names (run_id), or the ledger run that registered it (its `model_version` tag and a model it
 * registers under the registry's name, as `models promote` finds it).
 */
async function localRegistryRuns(registry: string | undefined, ledgerRuns: readonly RunRecord[]): Promise<Map<string, string>> {
  const { openRegistry } = await import('../model/index.js');
  const local = openRegistry({ registry });
  const { versions } = await local.listVersions();
  const runs = new Map<string, string>();
  for (const v of versions) {
    if (v.run_id) runs.set(v.run_id, `${local.name} v${v.version}`);
    for (const r of ledgerRuns) {
      if (r.tags['model_version'] === String(v.version) && (r.models ?? []).some((m) => m.register_as === local.name)) runs.set(r.id, `${local.name} v${v.version}`);
    }
  }
  return runs;
}

/** The run of every model version on the server -> `name/version`. */
async function serverModelVersionRuns(client: MlflowClient): Promise<Map<string, string>> {
  const runs = new Map<string, string>();
  let pageToken: string | undefined;
  do {
    const page = await searchModelVersions(client, { pageToken, maxResults: 200 });
    for (const v of page.model_versions) if (v.run_id) runs.set(v.run_id, `${v.name}/${v.version}`);
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return runs;
}

/** The server's active experiments (id -> name): the one named, or all. */
async function serverExperiments(client: MlflowClient, name: string | undefined): Promise<Map<string, string>> {
  if (name !== undefined) {
    const found = await getExperimentByName(client, name);
    if (!found || found.lifecycle_stage === 'deleted') throw new InputError(`no experiment "${name}" on the MLflow server ${client.uri}`, { option: 'experiment' });
    return new Map([[found.experiment_id, found.name]]);
  }
  const all = new Map<string, string>();
  let pageToken: string | undefined;
  do {
    const page = await searchExperiments(client, { pageToken });
    for (const e of page.experiments) all.set(e.experiment_id, e.name);
    pageToken = page.next_page_token;
  } while (pageToken);
  return all;
}

async function withServer<T>(tracking: ResolvedTracking, work: (client: MlflowClient) => Promise<T>): Promise<T> {
  const client = new MlflowClient(tracking.server!);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}


