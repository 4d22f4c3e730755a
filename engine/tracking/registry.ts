/**
 * The tracking backend's side of the model registry views: the versions of a registered model on
 * the server (with the local registry version each one became, found through the ledger's
 * training runs, promote.ts), and a version's lifecycle stage set on the server as the model
 * version tag `stage`. With no server configured both say so and touch nothing; a server that
 * cannot be reached is stated, not fatal (the local registry is what the command changed).
 */
import { TrackingError } from '../util/index.js';
import { openBackend, type RegistryListing } from './backend.js';
import { resolveTracking, safeUri, type TrackingOptions } from './config.js';
import { Ledger } from './ledger.js';
import { registeringRun, serverVersion } from './promote.js';

/** The model version tag that holds a version's stage on the server. */
export const STAGE_TAG = 'stage';

export interface ServerRegistryView {
  /** `local`: no server configured; `listed`: read from the server; `missing`: the server has no such registered model; `unreachable`: it could not be read */
  state: 'local' | 'listed' | 'missing' | 'unreachable';
  server: string | null;
  versions: Array<RegistryListing['versions'][number] & { stage: string | null; local_version: number | null }>;
  aliases: Record<string, string>;
  /** one line saying where the listing came from */
  message: string;
}

/** A registered model's versions on the tracking server, each with the local version it came from (when the ledger knows). */
export async function serverRegistry(name: string, options: TrackingOptions = {}): Promise<ServerRegistryView> {
  const tracking = resolveTracking(options);
  const backend = openBackend(tracking);
  if (!backend) return { state: 'local', server: null, versions: [], aliases: {}, message: `local registry only: ${tracking.note ?? 'no tracking server set (MLFLOW_TRACKING_URI, or the trackingUri option)'}` };
  try {
    if (!backend.listVersions) return { state: 'local', server: backend.target, versions: [], aliases: {}, message: `local registry only: the ${backend.name} backend has no model registry` };
    let listing: RegistryListing | null;
    try {
      listing = await backend.listVersions(name);
    } catch (err) {
      if (err instanceof TrackingError && err.failure === 'unreachable') return { state: 'unreachable', server: backend.target, versions: [], aliases: {}, message: `local registry only: ${err.message}` };
      throw err;
    }
    if (!listing) return { state: 'missing', server: backend.target, versions: [], aliases: {}, message: `local registry and ${backend.target} (no registered model "${name}" there)` };
    // server version -> local version, from the training runs this ledger sent
    const local = new Map<string, number>();
    for (const run of await new Ledger(tracking.ledgerDir).list()) {
      const number = Number(run.tags['model_version']);
      if (!Number.isInteger(number) || registeringRun([run], name, number) === undefined) continue;
      const here = run.sync.tracking_uri === undefined || run.sync.tracking_uri === backend.target;
      const registered = here ? backend.registeredVersion?.(run, name) : undefined;
      if (registered) local.set(registered, number);
    }
    const versions = listing.versions.map((v) => ({ ...v, stage: v.tags[STAGE_TAG] ?? null, local_version: local.get(v.version) ?? null }));
    return { state: 'listed', server: backend.target, versions, aliases: listing.aliases, message: `local registry and ${backend.target}` };
  } finally {
    await backend.close();
  }
}

export interface StageOutcome {
  /** `tagged`: set on the server; `local`: the local registry only (no server, or the version is not there); `unreachable`: the server could not be reached */
  state: 'tagged' | 'local' | 'unreachable';
  mlflow_version?: string;
  message: string;
}

/** Set `stage` on the server's version that local version `version` of `name` became. */
export async function tagServerVersion(name: string, version: number, stage: string, options: TrackingOptions = {}): Promise<StageOutcome> {
  const tracking = resolveTracking(options);
  const backend = openBackend(tracking);
  if (!backend) return { state: 'local', message: `stage ${stage} set in the local registry only (no tracking server set)` };
  try {
    if (!backend.tagVersion) return { state: 'local', message: `stage ${stage} set in the local registry only: the ${backend.name} backend has no model registry` };
    const where = serverVersion(await new Ledger(tracking.ledgerDir).list(), name, version, backend);
    if (!('mlflowVersion' in where)) return { state: 'local', message: `stage ${stage} set in the local registry only: ${'never' in where ? where.never : where.waiting}` };
    try {
      await backend.tagVersion({ registeredModel: name, version: where.mlflowVersion, key: STAGE_TAG, value: stage });
    } catch (err) {
      if (err instanceof TrackingError && err.failure === 'unreachable') return { state: 'unreachable', message: `stage ${stage} set in the local registry only: ${err.message}` };
      throw err;
    }
    return { state: 'tagged', mlflow_version: where.mlflowVersion, message: `${name} version ${where.mlflowVersion} on ${safeUri(backend.target)}: tag ${STAGE_TAG}=${stage}` };
  } finally {
    await backend.close();
  }
}
