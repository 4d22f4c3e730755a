/** The queue of runs (and alias moves) not yet on the backend: listing it (`mlflow status`) and sending it (`mlflow sync`). */
import { openBackend } from './backend.js';
import { resolveTracking, type TrackingOptions } from './config.js';
import { Ledger } from './ledger.js';
import { syncLedger, type SyncSummary } from './sync.js';

export interface QueuedRun {
  id: string;
  run_name: string;
  experiment: string;
  /** ISO time the run started */
  started: string;
  parent_id?: string;
  /** set when the server already created the run (a partly sent run) */
  mlflow_run_id?: string;
  attempts: number;
  last_error?: string;
  dir: string;
}

export interface QueuedAlias {
  id: string;
  registered_model: string;
  alias: string;
  local_version: number;
  /** ISO time of the promotion */
  created: string;
  attempts: number;
  last_error?: string;
  file: string;
}

export interface LedgerStatus {
  ledgerDir: string;
  /** the configured backend's target (the server, no credentials), or null */
  server: string | null;
  total: number;
  sent: number;
  queued: QueuedRun[];
  /** alias moves (`models promote`) waiting for `mlflow sync` */
  aliases: QueuedAlias[];
}

export async function ledgerStatus(options: TrackingOptions = {}): Promise<LedgerStatus> {
  const tracking = resolveTracking(options);
  const ledger = new Ledger(tracking.ledgerDir);
  const runs = await ledger.list();
  const queued = runs
    .filter((r) => r.sync.state === 'queued')
    .map((r) => ({
      id: r.id,
      run_name: r.run_name,
      experiment: r.experiment,
      started: new Date(r.start_time).toISOString(),
      ...(r.parent_id ? { parent_id: r.parent_id } : {}),
      ...(r.sync.mlflow_run_id ? { mlflow_run_id: r.sync.mlflow_run_id } : {}),
      attempts: r.sync.attempts,
      ...(r.sync.last_error ? { last_error: r.sync.last_error } : {}),
      dir: ledger.runDir(r.id),
    }));
  const aliases = (await ledger.aliasMoves())
    .filter((m) => m.state === 'queued')
    .map((m) => ({
      id: m.id,
      registered_model: m.registered_model,
      alias: m.alias,
      local_version: m.local_version,
      created: m.created,
      attempts: m.attempts,
      ...(m.last_error ? { last_error: m.last_error } : {}),
      file: ledger.aliasFile(m.id),
    }));
  const backend = openBackend(tracking);
  await backend?.close();
  return { ledgerDir: ledger.dir, server: backend?.target ?? null, total: runs.length, sent: runs.length - queued.length, queued, aliases };
}

/** Send every queued run (or those named) to the backend, each exactly once, then (all runs) the queued alias moves. */
export async function syncQueued(options: TrackingOptions & { ids?: string[] } = {}): Promise<SyncSummary> {
  return syncLedger(resolveTracking(options), { ids: options.ids });
}
