/**
 * Recording a run: always into the ledger first; then, with a backend (an MLflow server
 * configured, or the caller's `backend`), sent at once through the same sync as `mlflow sync`.
 * A server that cannot be reached leaves the run queued (the outcome says so, nothing fails); a
 * server that refuses the credentials or the request throws a TrackingError (the run stays queued).
 */
import { relative, isAbsolute } from 'node:path';
import { TrackingError } from '../util/index.js';
import { hasBackend } from './backend.js';
import { experimentName, resolveTracking, type ResolvedTracking, type TrackingOptions } from './config.js';
import { Ledger, type NewRun, type RunRecord } from './ledger.js';
import { syncLedger, type RunSyncResult } from './sync.js';

export interface RecordedRun {
  id: string;
  run_name: string;
  experiment: string;
  /** the run's folder in the ledger */
  dir: string;
  state: 'sent' | 'queued' | 'busy';
  mlflow_run_id?: string;
  url?: string;
}

export interface RecordOutcome {
  /** `local`: no server configured; `sent`: every run is on the server; `queued`: the server could not be reached */
  state: 'local' | 'sent' | 'queued';
  ledgerDir: string;
  /** the parent (or only) run first */
  runs: RecordedRun[];
  server?: string;
  /** one line saying where the run went (the CLI prints it on stderr) */
  message: string;
}

/**
 * Record one run (the training and monitoring commands' entry point). `run.experiment` is the
 * default name (e.g. `EXPERIMENTS.training`): `options.experiment` replaces it, and
 * `DRIFTCATCHER_EXPERIMENT_PREFIX` / `options.experimentPrefix` go before it.
 */
export async function recordRun(run: NewRun, options: TrackingOptions = {}): Promise<RecordOutcome> {
  const tracking = resolveTracking(options);
  return recordRuns(tracking, { ...run, experiment: experimentName(tracking, run.experiment) }, []);
}

/** Record a parent run and its children (MLflow's `mlflow.parentRunId`). */
export async function recordRuns(tracking: ResolvedTracking, parent: NewRun, children: NewRun[]): Promise<RecordOutcome> {
  const ledger = new Ledger(tracking.ledgerDir);
  const records: RunRecord[] = [await ledger.create(parent)];
  const main = records[0]!;
  for (const child of children) records.push(await ledger.create({ ...child, parentId: main.id }));
  const where = printable(ledger.runDir(main.id));
  const runs: RecordedRun[] = records.map((r) => ({ id: r.id, run_name: r.run_name, experiment: r.experiment, dir: ledger.runDir(r.id), state: 'queued' }));
  const what = children.length ? `run ${main.run_name} (+${children.length} child runs)` : `run ${main.run_name}`;

  if (!hasBackend(tracking)) {
    const why = tracking.note ?? 'no tracking server set (MLFLOW_TRACKING_URI, or the trackingUri option)';
    return { state: 'local', ledgerDir: ledger.dir, runs, message: `${what} recorded in ${where}; ${why}: \`driftcatcher mlflow sync\` sends it later` };
  }

  const summary = await syncLedger(tracking, { ids: records.map((r) => r.id) });
  const results = new Map<string, RunSyncResult>(summary.runs.map((r) => [r.id, r]));
  for (const run of runs) {
    const result = results.get(run.id);
    if (result) Object.assign(run, { state: result.state, mlflow_run_id: result.mlflow_run_id, url: result.url });
  }
  const failure = summary.stoppedBy ?? summary.errors[0];
  if (failure && failure.failure !== 'unreachable') {
    throw new TrackingError(`${failure.message}; ${what} kept queued in ${where}`, { failure: failure.failure, status: failure.status, mlflowCode: failure.mlflowCode, endpoint: failure.endpoint }, { cause: failure });
  }
  if (runs.every((r) => r.state === 'sent')) {
    return { state: 'sent', ledgerDir: ledger.dir, runs, server: summary.server, message: `${what} logged to ${summary.backend}: ${runs[0]?.url ?? summary.server}` };
  }
  const reason = failure ? failure.message : (summary.runs.find((r) => r.state === 'queued')?.reason ?? 'not sent');
  return {
    state: 'queued',
    ledgerDir: ledger.dir,
    runs,
    server: summary.server,
    message: `${reason}; ${what} queued in ${where}: \`driftcatcher mlflow sync\` sends it later`,
  };
}

/** A path relative to the working directory when it is inside it. */
function printable(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
