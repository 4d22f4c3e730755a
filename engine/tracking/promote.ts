/**
 * Moving an alias (e.g. `champion`) of a registered model on the tracking backend to follow a
 * local promotion (`TrackingBackend.moveAlias`). The local registry version is found in the
 * ledger: the training (or retraining) run that registered it knows, once sent, the backend's
 * version number it became (`TrackingBackend.registeredVersion`).
 *
 * A move the server cannot take now (unreachable, or the training run not sent yet) is queued in
 * the ledger like a run (`<ledger>/aliases/`), and `driftcatcher mlflow sync` sends it after the
 * runs; the newest promotion of an alias wins: a promotion supersedes the queued ones before it.
 */
import { TrackingError } from '../util/index.js';
import { openBackend, stopsSync, type TrackingBackend } from './backend.js';
import { resolveTracking, type TrackingOptions } from './config.js';
import { Ledger, type AliasMove, type RunRecord } from './ledger.js';

export interface AliasOutcome {
  /** `moved`: set on the server; `queued`: kept in the ledger for `mlflow sync`; `local`: the local registry only */
  state: 'moved' | 'queued' | 'local';
  /** the MLflow version the alias now points at */
  mlflow_version?: string;
  /** the queued move's id in the ledger */
  queued_id?: string;
  message: string;
}

export interface AliasSyncResult {
  id: string;
  registered_model: string;
  alias: string;
  local_version: number;
  /** `busy`: another driftcatcher process is sending it */
  state: 'sent' | 'queued' | 'superseded' | 'busy';
  mlflow_version?: string;
  /** why it is still queued */
  reason?: string;
}

/** The newest run that registered local version `version` of `name`. */
export function registeringRun(runs: RunRecord[], name: string, version: number): RunRecord | undefined {
  const candidates = runs
    .filter((r) => r.tags['model_version'] === String(version) && (r.models ?? []).some((m) => m.register_as === name))
    .sort((a, b) => b.start_time - a.start_time);
  return candidates[0];
}

/**
 * The MLflow logged model id that local version `version` of registered model `name` became,
 * when the run that registered it was sent (MLflow 3); undefined otherwise.
 */
export async function loggedModelOf(ledgerDir: string, name: string, version: number): Promise<string | undefined> {
  const run = registeringRun(await new Ledger(ledgerDir).list(), name, version);
  const model = run?.models?.find((m) => m.register_as === name);
  return model ? run?.sync.models?.[model.artifact_path]?.model_id : undefined;
}

/** Where local version `version` stands on the backend: its version there, or why it has none yet (`never`: it cannot get one). */
export function serverVersion(runs: RunRecord[], name: string, version: number, backend: TrackingBackend): { mlflowVersion: string } | { waiting: string } | { never: string } {
  const run = registeringRun(runs, name, version);
  if (!run) return { never: `no recorded run registered ${name} v${version}` };
  const sync = run.sync;
  const here = sync.tracking_uri === undefined || sync.tracking_uri === backend.target;
  const registered = backend.registeredVersion?.(run, name);
  if (registered && here) return { mlflowVersion: registered };
  if (sync.state === 'sent') return { never: here ? `the run of v${version} (${run.id}) was sent without registering it` : `v${version} was registered on ${sync.tracking_uri}, not on ${backend.target}` };
  return { waiting: `the run that registers v${version} (${run.run_name}, ${run.id}) is not on the server yet` };
}

/** Mark every queued move of `name`/`alias` superseded (a newer promotion decides); returns how many. */
async function supersede(ledger: Ledger, name: string, alias: string, except?: string): Promise<number> {
  let count = 0;
  for (const move of await ledger.aliasMoves()) {
    if (move.state !== 'queued' || move.registered_model !== name || move.alias !== alias || move.id === except) continue;
    const unlock = await ledger.lockAlias(move.id);
    if (!unlock) continue; // being sent right now: this promotion comes after it
    try {
      const current = await ledger.readAlias(move.id);
      if (current.state !== 'queued') continue;
      current.state = 'superseded';
      await ledger.saveAlias(current);
      count++;
    } finally {
      await unlock();
    }
  }
  return count;
}

/**
 * Point `alias` of registered model `name` on the server at the version that local `version`
 * became. Unreachable, or that version not on the server yet: queued (`mlflow sync` sends it).
 * A server that refuses the credentials or the request: queued too, and a TrackingError.
 */
export async function moveModelAlias(name: string, alias: string, version: number, options: TrackingOptions = {}): Promise<AliasOutcome> {
  const tracking = resolveTracking(options);
  const ledger = new Ledger(tracking.ledgerDir);
  // this promotion is the newest: a queued older one must not undo it later
  await supersede(ledger, name, alias);
  const backend = openBackend(tracking);
  if (!backend) return { state: 'local', message: `${alias} moved in the local registry only (no tracking server set)` };
  try {
    if (!backend.moveAlias) return { state: 'local', message: `${alias} moved in the local registry only: the ${backend.name} backend has no model registry` };
    const where = serverVersion(await ledger.list(), name, version, backend);
    if ('never' in where) return { state: 'local', message: `${alias} moved in the local registry only: ${where.never} in ${tracking.ledgerDir}` };
    const what = `${alias} of ${name} -> v${version}`;
    if ('waiting' in where) {
      const queued = await ledger.queueAlias({ registeredModel: name, alias, localVersion: version, reason: where.waiting });
      return { state: 'queued', queued_id: queued.id, message: `${what} queued in ${ledger.aliasFile(queued.id)}: ${where.waiting}; \`driftcatcher mlflow sync\` sends both` };
    }
    try {
      await backend.moveAlias({ registeredModel: name, alias, version: where.mlflowVersion });
    } catch (err) {
      if (!(err instanceof TrackingError)) throw err;
      const queued = await ledger.queueAlias({ registeredModel: name, alias, localVersion: version, reason: err.message });
      const message = `${err.message}; ${what} queued in ${ledger.aliasFile(queued.id)}: \`driftcatcher mlflow sync\` sets it later`;
      if (err.failure === 'unreachable') return { state: 'queued', queued_id: queued.id, message };
      throw new TrackingError(message, { failure: err.failure, status: err.status, mlflowCode: err.mlflowCode, endpoint: err.endpoint }, { cause: err });
    }
    return { state: 'moved', mlflow_version: where.mlflowVersion, message: `${alias} of ${name} on ${backend.target} -> version ${where.mlflowVersion}` };
  } finally {
    await backend.close();
  }
}

/**
 * Send the queued alias moves of the ledger (after its runs, so that a version registered by a
 * run sent just now is known): for each alias the newest move only, older ones superseded.
 * Returns on the first failure that stops the sync (unreachable, credentials refused).
 */
export async function syncAliasMoves(backend: TrackingBackend, ledger: Ledger, stopped?: TrackingError): Promise<{ results: AliasSyncResult[]; stoppedBy?: TrackingError; errors: TrackingError[] }> {
  const queued = (await ledger.aliasMoves()).filter((m) => m.state === 'queued');
  const newest = new Map<string, AliasMove>();
  for (const move of queued) newest.set(`${move.registered_model}\0${move.alias}`, move);
  const results: AliasSyncResult[] = [];
  const errors: TrackingError[] = [];
  let stoppedBy: TrackingError | undefined = stopped;
  let runs: RunRecord[] | undefined;
  const result = (move: AliasMove, state: AliasSyncResult['state'], extra: Partial<AliasSyncResult> = {}): AliasSyncResult => ({
    id: move.id,
    registered_model: move.registered_model,
    alias: move.alias,
    local_version: move.local_version,
    state,
    ...extra,
  });
  for (const move of newest.values()) {
    await supersede(ledger, move.registered_model, move.alias, move.id);
    if (stoppedBy) {
      results.push(result(move, 'queued', { reason: `not tried: ${stoppedBy.failure === 'auth' ? 'credentials refused' : 'server unreachable'}` }));
      continue;
    }
    const unlock = await ledger.lockAlias(move.id);
    if (!unlock) {
      results.push(result(move, 'busy', { reason: 'being sent by another driftcatcher process' }));
      continue;
    }
    try {
      const current = await ledger.readAlias(move.id);
      if (current.state !== 'queued') continue;
      runs ??= await ledger.list();
      const where = serverVersion(runs, current.registered_model, current.local_version, backend);
      if (!('mlflowVersion' in where)) {
        current.last_error = 'never' in where ? where.never : where.waiting;
        await ledger.saveAlias(current);
        results.push(result(current, 'queued', { reason: current.last_error }));
        continue;
      }
      current.attempts += 1;
      current.last_attempt = new Date().toISOString();
      current.tracking_uri = backend.target;
      try {
        if (!backend.moveAlias) throw new TrackingError(`the ${backend.name} backend has no model registry`, { failure: 'http' });
        await backend.moveAlias({ registeredModel: current.registered_model, alias: current.alias, version: where.mlflowVersion });
      } catch (err) {
        if (!(err instanceof TrackingError)) throw err;
        current.last_error = err.message;
        await ledger.saveAlias(current);
        results.push(result(current, 'queued', { reason: err.message }));
        if (stopsSync(err)) stoppedBy = err;
        else errors.push(err);
        continue;
      }
      current.state = 'sent';
      current.mlflow_version = where.mlflowVersion;
      current.sent_at = new Date().toISOString();
      delete current.last_error;
      await ledger.saveAlias(current);
      results.push(result(current, 'sent', { mlflow_version: where.mlflowVersion }));
    } finally {
      await unlock();
    }
  }
  for (const move of queued) if (newest.get(`${move.registered_model}\0${move.alias}`) !== move) results.push(result(move, 'superseded'));
  return { results, stoppedBy, errors };
}
