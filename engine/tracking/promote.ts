/**
 * Moving an alias (e.g. `champion`) of a registered model on the tracking server to follow a local
 * promotion. The local registry version is found in the ledger: the training (or retraining) run
 * that registered it knows, once sent, the MLflow version number it became.
 */
import { resolveTracking, type TrackingOptions } from './config.js';
import { MlflowClient, setModelAlias } from './client.js';
import { Ledger, type RunRecord } from './ledger.js';

export interface AliasOutcome {
  state: 'moved' | 'local';
  /** the MLflow version the alias now points at */
  mlflowVersion?: string;
  message: string;
}

/** The sent run that registered local version `version` of `name`, with the MLflow version it became. */
function registeringRun(runs: RunRecord[], name: string, version: number): { run: RunRecord; mlflowVersion?: string } | undefined {
  const candidates = runs
    .filter((r) => r.tags['model_version'] === String(version) && (r.models ?? []).some((m) => m.register_as === name))
    .sort((a, b) => b.start_time - a.start_time);
  const run = candidates[0];
  if (!run) return undefined;
  const progress = Object.values(run.sync.models ?? {}).find((p) => p.version !== undefined);
  return { run, mlflowVersion: progress?.version };
}

/** Point `alias` of registered model `name` on the server at the version that local `version` became. */
export async function moveModelAlias(name: string, alias: string, version: number, options: TrackingOptions = {}): Promise<AliasOutcome> {
  const tracking = resolveTracking(options);
  if (!tracking.server) return { state: 'local', message: `${alias} moved in the local registry only (no tracking server set)` };
  const found = registeringRun(await new Ledger(tracking.ledgerDir).list(), name, version);
  if (!found) return { state: 'local', message: `${alias} moved in the local registry only: no recorded run registered ${name} v${version} in ${tracking.ledgerDir}` };
  if (!found.mlflowVersion) return { state: 'local', message: `${alias} moved in the local registry only: the run of v${version} is still queued (\`driftcatcher mlflow sync\`, then promote again)` };
  const client = new MlflowClient(tracking.server);
  try {
    await setModelAlias(client, name, alias, found.mlflowVersion);
  } finally {
    await client.close();
  }
  return { state: 'moved', mlflowVersion: found.mlflowVersion, message: `${alias} of ${name} on ${tracking.server.uri} -> version ${found.mlflowVersion}` };
}
