/**
 * Where the ledger sends runs: a tracking backend. The ledger is always in front of it: a run is
 * written to the ledger first, then handed to the backend by the sync (record.ts right away,
 * `syncQueued` later), which also keeps the run queued when the backend fails. A backend only
 * sends: the ledger, its locks, the queue and the outcome are the sync's (sync.ts). MLflow is one
 * implementation (mlflow/backend.ts); docs/ARCHITECTURE.md shows how to add another.
 */
import type { TrackingError } from '../util/index.js';
import type { ResolvedTracking } from './config.js';
import type { RunRecord } from './ledger.js';
import { MlflowBackend } from './mlflow/backend.js';

/**
 * A tracking backend. Every method that talks to the backend throws a TrackingError when it
 * fails, whose `failure` decides what the sync does: `unreachable` (down, too slow, 408/429/5xx
 * after the retries): the run stays queued quietly and the sync stops trying this backend;
 * `auth`: the same, and the caller is told; `http` or `protocol` (the backend refused this run):
 * the run stays queued with the error, and the sync goes on with the next one.
 */
export interface TrackingBackend {
  /** its name in messages (`MLflow`) */
  readonly name: string;
  /**
   * where runs go, safe to print and store (no credentials): saved in each run it gets as
   * `sync.tracking_uri`; a run partly sent to another target starts over
   */
  readonly target: string;
  /**
   * Send one run of the ledger. May be called again for the same run after a failure, or after a
   * crash at any point: it resumes from the progress it saved in `run.sync` (`context.save()` after
   * each step the backend acknowledged) and must not make a second copy of anything.
   */
  sendRun(run: RunRecord, context: SendContext): Promise<void>;
  /** Where a (partly) sent run is on the backend, read from its saved progress. */
  locate(run: RunRecord): RunLocation;
  /**
   * The version of registered model `registeredModel` that `run` registered on this backend,
   * once sent (read from its progress); undefined when it has none (yet). Absent: no model registry.
   */
  registeredVersion?(run: RunRecord, registeredModel: string): string | undefined;
  /** Point `alias` of a registered model at one of its versions on the backend. Absent: no model registry. */
  moveAlias?(move: AliasTarget): Promise<void>;
  /** Set a tag of one version of a registered model (`stage`). Absent: no model registry. */
  tagVersion?(tag: VersionTag): Promise<void>;
  /** The versions and aliases of a registered model on the backend; null when it has no such model. Absent: no model registry. */
  listVersions?(registeredModel: string): Promise<RegistryListing | null>;
  /** Release what the backend holds (connections); called once, after each sync. */
  close(): Promise<void>;
}

export interface SendContext {
  /** the parent run's id on this backend (parents are sent before their children) */
  parentRunId?: string;
  /** the bytes of one of the run's artifacts, from the ledger */
  readArtifact(path: string): Promise<Uint8Array>;
  /** write `run.sync` (the backend's progress) to the ledger, atomically */
  save(): Promise<void>;
}

export interface RunLocation {
  /** the run's id on the backend */
  runId?: string;
  /** a page to open the run at */
  url?: string;
}

export interface AliasTarget {
  registeredModel: string;
  alias: string;
  /** the backend's version (`registeredVersion` of the run that registered it) */
  version: string;
}

export interface VersionTag {
  registeredModel: string;
  /** the backend's version */
  version: string;
  key: string;
  value: string;
}

/** A registered model's versions on a backend. */
export interface RegistryListing {
  versions: Array<{ version: string; run_id: string | null; status: string | null; source: string | null; aliases: string[]; tags: Record<string, string> }>;
  /** alias -> the backend's version */
  aliases: Record<string, string>;
}

/** Makes the backend of one sync (TrackingOptions.backend). */
export type BackendFactory = (tracking: ResolvedTracking) => TrackingBackend;

/** True when runs have somewhere to go beyond the ledger: a backend given, or an MLflow server configured. */
export function hasBackend(tracking: ResolvedTracking): boolean {
  return tracking.backend !== undefined || tracking.server !== null;
}

/** The backend of one sync: the caller's, else MLflow when a server is configured; null: the ledger only. Close it after. */
export function openBackend(tracking: ResolvedTracking): TrackingBackend | null {
  if (tracking.backend) return tracking.backend(tracking);
  if (tracking.server) return new MlflowBackend(tracking.server, { log: tracking.log });
  return null;
}

/** True when a failure stops a sync: the backend cannot be reached or refused the credentials, so nothing else is tried. */
export function stopsSync(err: TrackingError): boolean {
  return err.failure === 'unreachable' || err.failure === 'auth';
}
