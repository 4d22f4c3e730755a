/**
 * The ledger in front of the backend: queued runs of the ledger are handed to the tracking
 * backend (MLflow, or the caller's) one at a time, parents before their children, under a per-run
 * lock (two processes never send the same run at once), the backend's progress saved as it goes.
 * A run the backend took is marked sent; one it could not take stays queued with the reason.
 * Then (a full sync) the queued alias moves follow.
 */
import { TrackingError, UsageError } from '../util/index.js';
import { openBackend, stopsSync, type SendContext, type TrackingBackend } from './backend.js';
import type { ResolvedTracking } from './config.js';
import { Ledger, freshSync, orderRuns, type RunRecord } from './ledger.js';
import { syncAliasMoves, type AliasSyncResult } from './promote.js';

export interface RunSyncResult {
  id: string;
  run_name: string;
  experiment: string;
  /** `busy`: another driftcatcher process is sending it (or just sent it) */
  state: 'sent' | 'queued' | 'busy';
  /** the run's id on the backend (MLflow's run id) */
  mlflow_run_id?: string;
  /** the run's page (in the MLflow UI) */
  url?: string;
  /** why it is still queued */
  reason?: string;
}

export interface SyncSummary {
  /** the backend's name (`MLflow`) */
  backend: string;
  /** the backend's target (the server's URI, no credentials) */
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

/**
 * Send queued runs of the ledger (all of them, or those named and their parents) to the
 * tracking backend, then (all runs only) the queued alias moves. Never throws for a backend
 * fault: the summary says what stayed queued and why.
 */
export async function syncLedger(tracking: ResolvedTracking, options: { ids?: string[] } = {}): Promise<SyncSummary> {
  const backend = openBackend(tracking);
  if (!backend) throw new UsageError(`no MLflow server to send to: ${tracking.note ?? 'set MLFLOW_TRACKING_URI'}`, { option: 'trackingUri' });
  try {
    return await syncTo(backend, new Ledger(tracking.ledgerDir), options.ids);
  } finally {
    await backend.close();
  }
}

async function syncTo(backend: TrackingBackend, ledger: Ledger, ids: string[] | undefined): Promise<SyncSummary> {
  let runs: RunRecord[];
  if (ids) {
    // the named runs and their parents (read directly: a big ledger is not listed for one run)
    const wanted = new Map<string, RunRecord>();
    for (const id of ids) {
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
  const summary: SyncSummary = { backend: backend.name, server: backend.target, runs: [], sent: 0, queued: 0, aliases: [], aliasesQueued: 0, errors: [] };
  for (const run of runs) {
    if (summary.stoppedBy) {
      summary.runs.push(queuedResult(backend, run, `not tried: ${summary.stoppedBy.failure === 'auth' ? 'credentials refused' : 'server unreachable'}`));
      continue;
    }
    const parent = run.parent_id ? await ledger.read(run.parent_id).catch(() => undefined) : undefined;
    const parentRunId = parent?.sync.tracking_uri === backend.target ? backend.locate(parent).runId : undefined;
    if (run.parent_id && !parentRunId) {
      // a parent being sent by another process: that process sends the children too
      const parentBusy = summary.runs.some((r) => r.id === run.parent_id && r.state === 'busy');
      summary.runs.push(parentBusy ? { ...queuedResult(backend, run, `its parent run is being sent by another driftcatcher process`), state: 'busy' } : queuedResult(backend, run, `waiting for its parent run ${run.parent_id}`));
      continue;
    }
    const result = await syncOne(backend, ledger, run.id, parentRunId);
    if (result instanceof TrackingError) {
      summary.runs.push(queuedResult(backend, run, result.message));
      if (stopsSync(result)) summary.stoppedBy = result;
      else summary.errors.push(result);
    } else {
      summary.runs.push(result);
    }
  }
  if (!ids) {
    // after the runs: a version a run registered just now is known
    const aliases = await syncAliasMoves(backend, ledger, summary.stoppedBy);
    summary.aliases = aliases.results;
    summary.stoppedBy ??= aliases.stoppedBy;
    summary.errors.push(...aliases.errors);
  }
  summary.aliasesQueued = summary.aliases.filter((a) => a.state === 'queued').length;
  summary.sent = summary.runs.filter((r) => r.state === 'sent').length;
  summary.queued = summary.runs.filter((r) => r.state === 'queued').length;
  return summary;
}

function queuedResult(backend: TrackingBackend, run: RunRecord, reason: string): RunSyncResult {
  return { id: run.id, run_name: run.run_name, experiment: run.experiment, state: 'queued', mlflow_run_id: backend.locate(run).runId, reason };
}

/** Lock, re-read, send, record the outcome. A TrackingError is returned (the run stays queued). */
async function syncOne(backend: TrackingBackend, ledger: Ledger, id: string, parentRunId: string | undefined): Promise<RunSyncResult | TrackingError> {
  const unlock = await ledger.lock(id);
  const current = await ledger.read(id);
  if (!unlock) return { ...queuedResult(backend, current, 'being sent by another driftcatcher process'), state: 'busy' };
  try {
    const record = await ledger.read(id);
    if (record.sync.state === 'sent') return { ...sentResult(backend, record), state: 'busy', reason: 'sent by another driftcatcher process meanwhile' };
    if (record.sync.tracking_uri && record.sync.tracking_uri !== backend.target) {
      // partly sent to another backend before: start over on this one
      record.sync = freshSync(record.sync.attempts);
    }
    record.sync.attempts += 1;
    record.sync.last_attempt = new Date().toISOString();
    record.sync.tracking_uri = backend.target;
    const context: SendContext = {
      parentRunId,
      readArtifact: (path) => ledger.readArtifact(record.id, path),
      save: () => ledger.save(record),
    };
    try {
      await backend.sendRun(record, context);
      record.sync.state = 'sent';
      record.sync.sent_at = new Date().toISOString();
      delete record.sync.last_error;
      await ledger.save(record);
      return sentResult(backend, record);
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

function sentResult(backend: TrackingBackend, record: RunRecord): RunSyncResult {
  const { runId, url } = backend.locate(record);
  return { id: record.id, run_name: record.run_name, experiment: record.experiment, state: 'sent', mlflow_run_id: runId, url };
}
