/**
 * The local run ledger: one folder per run under `<ledger>/runs/<id>/` holding `run.json` (what
 * the run logged, and how far it got to the tracking server) and `artifacts/`. A run folder is
 * made complete in a temp folder and renamed into place; `run.json` is rewritten atomically.
 * Metric values that are not finite are stored as "NaN" / "Infinity" / "-Infinity".
 *
 * Beside the runs, `<ledger>/aliases/<id>.json` queues alias moves of registered models (a
 * `models promote` the server did not take yet), sent by the same sync as the runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../util/index.js';
import { makeDirs, writeError } from '../util/index.js';
import { tryLock } from '../util/index.js';
import { InputError } from '../util/index.js';

export const RUN_FORMAT = 'driftcatcher-run';
export const RUN_VERSION = 1;

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

/** One point of a metric; its timestamp and step are fixed when the run is made, so that sending it again never adds a point. */
export interface MetricPoint {
  key: string;
  value: number;
  /** ms since the epoch */
  timestamp: number;
  step: number;
}

export interface LedgerArtifact {
  /** path under the run's artifact root, `/`-separated */
  path: string;
  bytes: number;
  sha256: string;
}

/** A model whose files are artifacts of the run, to be logged (and registered) when the run is sent. */
export interface LedgerModel {
  /** folder under the run's artifacts holding the model's files (e.g. `model`) */
  artifact_path: string;
  /** the logged model's name */
  name: string;
  model_type?: string;
  /** register a version of this registered model (e.g. `ddos_random_forest`) */
  register_as?: string;
  /** aliases to point at the new version (e.g. `challenger`) */
  aliases?: string[];
  tags?: Record<string, string>;
}

export interface ModelProgress {
  /** the MLflow 3 logged model, when the server has them */
  model_id?: string;
  /** where the model's files are on the server (`models:/<id>` or the run's artifact path) */
  source?: string;
  /** the logged model's artifact root */
  artifact_uri?: string;
  files_sent: string[];
  finalized?: boolean;
  version?: string;
  aliases_set?: string[];
}

/**
 * How far a run got to the tracking backend. The ledger's own fields say where it stands
 * (`state`, `tracking_uri`, the attempts); the rest is the backend's progress, saved after each
 * step the backend acknowledged so that a send cut short resumes where it stopped. Format
 * version 1 keeps the MLflow backend's progress at this level (MlflowProgress); another backend
 * keeps its own in `progress`.
 */
export interface SyncState extends MlflowProgress {
  state: 'queued' | 'sent';
  /** the backend it went to (`TrackingBackend.target`: a URI without credentials) */
  tracking_uri?: string;
  attempts: number;
  last_attempt?: string;
  last_error?: string;
  sent_at?: string;
  /** the progress of a backend other than MLflow, as it saves it (JSON) */
  progress?: Record<string, unknown>;
}

/** The MLflow backend's progress on a run (engine/tracking/mlflow/backend.ts). */
export interface MlflowProgress {
  experiment_id?: string;
  /** set as soon as the server created the run, before anything is logged to it */
  mlflow_run_id?: string;
  artifact_uri?: string;
  /** log-batch requests acknowledged (the batches are planned the same way every time) */
  batches_sent: number;
  artifacts_sent: string[];
  models: Record<string, ModelProgress>;
  /** runs/log-inputs acknowledged (the run's datasets and model inputs) */
  inputs_sent?: boolean;
  finished: boolean;
}

/**
 * A dataset a run read (MLflow's dataset input, `runs/log-inputs`): the baseline a check compared
 * with (`context` reference), the batch it checked (production), the data a model trained on.
 */
export interface DatasetInput {
  /** e.g. the file's name */
  name: string;
  /** identifies the content among datasets of the same name (MLflow keeps at most 36 characters) */
  digest: string;
  /** MLflow's source type, e.g. `local` */
  source_type: string;
  /** JSON of the source, e.g. `{"uri": "file:///data/batch.csv"}` */
  source: string;
  /** JSON of the schema: MLflow's `{"mlflow_colspec": [{"name", "type"}]}` */
  schema?: string;
  /** JSON of a few figures about it (rows, features) */
  profile?: string;
  /** `mlflow.data.context`: reference, production, training, ... */
  context: string;
}

/** The sync state of a run nothing was sent of yet (`attempts` kept when a run starts over on another backend). */
export function freshSync(attempts = 0): SyncState {
  return { state: 'queued', batches_sent: 0, artifacts_sent: [], models: {}, finished: false, attempts };
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  id: string;
  experiment: string;
  run_name: string;
  /** ms since the epoch */
  start_time: number;
  end_time: number;
  status: RunStatus;
  params: Record<string, string>;
  metrics: MetricPoint[];
  tags: Record<string, string>;
  artifacts: LedgerArtifact[];
  /** ledger id of the parent run (MLflow's `mlflow.parentRunId` once both are sent) */
  parent_id?: string;
  models?: LedgerModel[];
  /** the datasets the run read */
  inputs?: DatasetInput[];
  /** MLflow logged models the run used (a drift check of a model: MLflow links the run to it) */
  model_inputs?: string[];
  sync: SyncState;
}

export interface NewRun {
  experiment: string;
  runName: string;
  startTime: number;
  endTime?: number;
  status?: RunStatus;
  params?: Record<string, string | number | boolean>;
  /** timestamp defaults to the end time, step to 0: fixed here so that re-sending never duplicates a point */
  metrics?: { key: string; value: number; step?: number; timestamp?: number }[];
  tags?: Record<string, string>;
  artifacts?: { path: string; content: string | Uint8Array }[];
  parentId?: string;
  models?: LedgerModel[];
  inputs?: DatasetInput[];
  /** ids of MLflow logged models the run used */
  modelInputs?: string[];
}

export const ALIAS_FORMAT = 'driftcatcher-alias';
export const ALIAS_VERSION = 1;

/** An alias of a registered model to point at the version a local registry version became on the server. */
export interface AliasMove {
  format: typeof ALIAS_FORMAT;
  version: typeof ALIAS_VERSION;
  id: string;
  /** the registered model on the server */
  registered_model: string;
  alias: string;
  /** the local registry version (`v<N>`) promoted; its training run says which server version it became */
  local_version: number;
  /** ISO time of the promotion */
  created: string;
  /** `superseded`: a later promotion of the same alias came first, this one is never sent */
  state: 'queued' | 'sent' | 'superseded';
  tracking_uri?: string;
  mlflow_version?: string;
  attempts: number;
  last_attempt?: string;
  last_error?: string;
  sent_at?: string;
}

const LOCK_STALE_MS = 15 * 60_000;

export class Ledger {
  /** the ledger folder (`.driftcatcher` by default) */
  readonly dir: string;
  readonly runsDir: string;
  readonly aliasesDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.runsDir = join(dir, 'runs');
    this.aliasesDir = join(dir, 'aliases');
  }

  runDir(id: string): string {
    return join(this.runsDir, checkId(id));
  }

  artifactFile(id: string, path: string): string {
    return join(this.runDir(id), 'artifacts', ...safeArtifactPath(path).split('/'));
  }

  /** Write a new run (artifacts and run.json) as one folder rename; returns its record, queued. */
  async create(run: NewRun): Promise<RunRecord> {
    const id = newRunId(run.startTime);
    const endTime = run.endTime ?? run.startTime;
    const artifacts: LedgerArtifact[] = [];
    const temp = join(this.runsDir, `.${id}.tmp`);
    try {
      await makeDirs(join(temp, 'artifacts'));
    } catch (err) {
      throw writeError(err, this.dir, 'the run ledger');
    }
    try {
      for (const artifact of run.artifacts ?? []) {
        const path = safeArtifactPath(artifact.path);
        const bytes = typeof artifact.content === 'string' ? Buffer.from(artifact.content, 'utf8') : artifact.content;
        const file = join(temp, 'artifacts', ...path.split('/'));
        await makeDirs(dirname(file));
        await writeFile(file, bytes, { flush: true });
        artifacts.push({ path, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') });
      }
      const record: RunRecord = {
        format: RUN_FORMAT,
        version: RUN_VERSION,
        id,
        experiment: run.experiment,
        run_name: run.runName,
        start_time: run.startTime,
        end_time: endTime,
        status: run.status ?? 'FINISHED',
        params: Object.fromEntries(Object.entries(run.params ?? {}).map(([k, v]) => [k, String(v)])),
        metrics: (run.metrics ?? []).map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp ?? endTime, step: m.step ?? 0 })),
        tags: { ...run.tags },
        artifacts,
        ...(run.parentId ? { parent_id: checkId(run.parentId) } : {}),
        ...(run.models?.length ? { models: run.models } : {}),
        ...(run.inputs?.length ? { inputs: run.inputs } : {}),
        ...(run.modelInputs?.length ? { model_inputs: run.modelInputs } : {}),
        sync: freshSync(),
      };
      await writeFile(join(temp, 'run.json'), serialize(record), { flush: true });
      await rename(temp, join(this.runsDir, id));
      return record;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw writeError(err, this.dir, 'the run ledger');
    }
  }

  async read(id: string): Promise<RunRecord> {
    const file = join(this.runDir(id), 'run.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`no run ${id} in the ledger ${this.dir}`, { file });
      throw err;
    }
    return deserialize(text, file);
  }

  /** Rewrite a run's run.json atomically (sync progress). */
  async save(record: RunRecord): Promise<void> {
    await writeFileAtomic(join(this.runDir(record.id), 'run.json'), serialize(record));
  }

  /** Every complete run, oldest first (parents before their children). */
  async list(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.runsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const runs: RunRecord[] = [];
    for (const name of names) {
      if (name.startsWith('.') || !ID_PATTERN.test(name)) continue;
      try {
        runs.push(await this.read(name));
      } catch {
        // a folder without a readable run.json is not a run (left by hand or by another version)
      }
    }
    return orderRuns(runs);
  }

  async queued(): Promise<RunRecord[]> {
    return (await this.list()).filter((r) => r.sync.state === 'queued');
  }

  async readArtifact(id: string, path: string): Promise<Buffer> {
    return readFile(this.artifactFile(id, path));
  }

  /**
   * Take a run's sync lock (so that two processes never send the same run at once); null when
   * another live process holds it. A lock left by a dead process or older than 15 min is taken over.
   */
  async lock(id: string): Promise<(() => Promise<void>) | null> {
    return tryLock(join(this.runDir(id), '.sync.lock'), LOCK_STALE_MS);
  }

  aliasFile(id: string): string {
    return join(this.aliasesDir, `${checkId(id)}.json`);
  }

  /** Queue an alias move (written atomically); `reason` is why it is not on the server yet. */
  async queueAlias(move: { registeredModel: string; alias: string; localVersion: number; reason: string }): Promise<AliasMove> {
    const now = Date.now();
    const record: AliasMove = {
      format: ALIAS_FORMAT,
      version: ALIAS_VERSION,
      id: newRunId(now),
      registered_model: move.registeredModel,
      alias: move.alias,
      local_version: move.localVersion,
      created: new Date(now).toISOString(),
      state: 'queued',
      attempts: 0,
      last_error: move.reason,
    };
    await this.saveAlias(record);
    return record;
  }

  async saveAlias(move: AliasMove): Promise<void> {
    await writeFileAtomic(this.aliasFile(move.id), JSON.stringify(move, null, 2) + '\n');
  }

  async readAlias(id: string): Promise<AliasMove> {
    const file = this.aliasFile(id);
    let move: AliasMove;
    try {
      move = JSON.parse(await readFile(file, 'utf8')) as AliasMove;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`no alias move ${id} in the ledger ${this.dir}`, { file });
      throw new InputError(`not a ledger alias file: ${(err as Error).message}`, { file });
    }
    if (move.format !== ALIAS_FORMAT || move.version !== ALIAS_VERSION) throw new InputError(`not a ledger alias file (format ${move.format} version ${move.version})`, { file });
    return move;
  }

  /** Every alias move, oldest first (the order they were promoted in). */
  async aliasMoves(): Promise<AliasMove[]> {
    let names: string[];
    try {
      names = await readdir(this.aliasesDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const moves: AliasMove[] = [];
    for (const name of names.sort()) {
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !ID_PATTERN.test(id)) continue;
      try {
        moves.push(await this.readAlias(id));
      } catch {
        // not an alias file (left by hand or by another version)
      }
    }
    return moves.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  }

  /** The alias move's send lock (as a run's). */
  async lockAlias(id: string): Promise<(() => Promise<void>) | null> {
    return tryLock(`${this.aliasFile(id)}.lock`, LOCK_STALE_MS);
  }
}

/** Parents before children, then by start time and id. */
export function orderRuns(runs: RunRecord[]): RunRecord[] {
  const sorted = [...runs].sort((a, b) => a.start_time - b.start_time || a.id.localeCompare(b.id));
  const byId = new Map(sorted.map((r) => [r.id, r]));
  const out: RunRecord[] = [];
  const placed = new Set<string>();
  const place = (run: RunRecord, depth = 0) => {
    if (placed.has(run.id)) return;
    const parent = run.parent_id ? byId.get(run.parent_id) : undefined;
    if (parent && depth < 16) place(parent, depth + 1);
    placed.add(run.id);
    out.push(run);
  };
  for (const run of sorted) place(run);
  return out;
}

const ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

function newRunId(startTime: number): string {
  const iso = new Date(startTime).toISOString(); // 2025-11-23T12:01:02.345Z
  return `${iso.slice(0, 10).replace(/-/g, '')}T${iso.slice(11, 19).replace(/:/g, '')}Z-${randomBytes(4).toString('hex')}`;
}

function checkId(id: string): string {
  if (!ID_PATTERN.test(id)) throw new InputError(`"${id}" is not a ledger run id (expected e.g. 20250101T120000Z-0123abcd)`);
  return id;
}

/** A relative, `/`-separated artifact path that stays inside the run's artifact folder. */
export function safeArtifactPath(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..') || path.startsWith('/')) throw new InputError(`artifact path "${path}" must be relative and stay inside the run`);
  const joined = parts.join('/');
  if (relative('.', joined).split(sep).includes('..')) throw new InputError(`artifact path "${path}" must stay inside the run`);
  return joined;
}

/** `gone`: released meanwhile (try again); `stale`: its holder is dead or it is too old; `live`. */
function serialize(record: RunRecord): string {
  return (
    JSON.stringify(record, (key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v), 2) + '\n'
  );
}

function deserialize(text: string, file: string): RunRecord {
  let record: RunRecord;
  try {
    record = JSON.parse(text) as RunRecord;
  } catch (err) {
    throw new InputError(`not a ledger run file: ${(err as Error).message}`, { file });
  }
  if (record.format !== RUN_FORMAT || record.version !== RUN_VERSION) throw new InputError(`not a ledger run file (format ${record.format} version ${record.version})`, { file });
  record.metrics = record.metrics.map((m) => ({ ...m, value: typeof m.value === 'string' ? Number(m.value) : m.value }));
  return record;
}
