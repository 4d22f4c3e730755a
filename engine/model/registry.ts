/**
 * Model registry: versions of a registered model and the aliases that point at them
 * (`challenger` for a freshly trained version, `champion` for the one in service), the way
 * MLflow's model registry works since stages were deprecated. `ModelRegistry` is the interface;
 * `LocalModelRegistry` keeps it in `<root>/registry.json` (written atomically) with each
 * version's files in `<root>/v<N>/`. An MLflow-backed registry can implement the same interface.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelError } from '../errors.js';
import { withLock } from '../util/lockfile.js';
import { writeFileAtomic } from '../util/atomic.js';
import { ensureDir } from '../util/fs-errors.js';
import type { ModelType, ParamValue } from './format.js';

export const REGISTRY_FORMAT = 'driftcatcher-registry';
export const REGISTRY_VERSION = 1;
export const REGISTRY_FILE = 'registry.json';
export const DEFAULT_MODEL_NAME = 'ddos_random_forest';
export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';

export interface ModelVersion {
  version: number;
  /** the version's folder, relative to the registry root */
  path: string;
  created: string;
  model_type: ModelType;
  metrics: Record<string, number>;
  params: Record<string, ParamValue>;
  /** the tracking run that produced it, when one was recorded */
  run_id: string | null;
}

export interface RegistryState {
  format: typeof REGISTRY_FORMAT;
  version: number;
  name: string;
  versions: ModelVersion[];
  aliases: Record<string, number>;
}

/** What a registry does; the local file implements it now, MLflow's registry later. */
export interface ModelRegistry {
  readonly name: string;
  /** A new version (number = last + 1) for files written into `folderFor(version)`. */
  reserveVersion(): Promise<{ version: number; dir: string }>;
  /** Record a reserved version and point `aliases` at it. */
  registerVersion(entry: Omit<ModelVersion, 'path'>, aliases: readonly string[]): Promise<ModelVersion>;
  /** Point an alias at a version (`promote` = champion). */
  setAlias(alias: string, version: number): Promise<void>;
  /** A version by number or by alias. */
  getVersion(ref: number | string): Promise<ModelVersion>;
  listVersions(): Promise<{ versions: ModelVersion[]; aliases: Record<string, number> }>;
  /** Absolute folder of a version's files. */
  folderOf(version: ModelVersion): string;
}

export class LocalModelRegistry implements ModelRegistry {
  readonly root: string;
  readonly name: string;

  constructor(root: string, name = DEFAULT_MODEL_NAME) {
    this.root = resolve(root);
    this.name = name;
  }

  get file(): string {
    return join(this.root, REGISTRY_FILE);
  }

  async #read(): Promise<RegistryState> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: REGISTRY_FORMAT, version: REGISTRY_VERSION, name: this.name, versions: [], aliases: {} };
      throw err;
    }
    let state: RegistryState;
    try {
      state = JSON.parse(text) as RegistryState;
    } catch {
      throw new ModelError('not a driftcatcher model registry: not JSON', { file: this.file });
    }
    if (state.format !== REGISTRY_FORMAT || !Array.isArray(state.versions) || typeof state.aliases !== 'object') throw new ModelError(`not a driftcatcher model registry (expected "format": "${REGISTRY_FORMAT}")`, { file: this.file });
    return state;
  }

  async #write(state: RegistryState): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(state, null, 1) + '\n');
  }

  /** Read, change and write registry.json under its lock, so two trainings or promotions at once lose nothing. */
  #update<T>(change: (state: RegistryState) => T): Promise<T> {
    return withLock(this.file, async () => {
      const state = await this.#read();
      const result = change(state);
      await this.#write(state);
      return result;
    });
  }

  async reserveVersion(): Promise<{ version: number; dir: string }> {
    const state = await this.#read();
    let version = state.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
    await ensureDir(this.root, 'the model registry');
    // the folder is the reservation: another run that read the same state takes the next number
    for (;;) {
      const dir = join(this.root, `v${version}`);
      try {
        await mkdir(dir);
        return { version, dir };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        version++;
      }
    }
  }

  async registerVersion(entry: Omit<ModelVersion, 'path'>, aliases: readonly string[]): Promise<ModelVersion> {
    return this.#update((state) => {
      const version: ModelVersion = { ...entry, path: `v${entry.version}` };
      state.versions = state.versions.filter((v) => v.version !== entry.version).concat(version).sort((a, b) => a.version - b.version);
      for (const alias of aliases) state.aliases[alias] = entry.version;
      state.name ||= this.name;
      return version;
    });
  }

  async setAlias(alias: string, version: number): Promise<void> {
    await this.#update((state) => {
      if (!state.versions.some((v) => v.version === version)) throw new ModelError(`model "${state.name}" has no version ${version} (versions: ${state.versions.map((v) => v.version).join(', ') || 'none'})`, { file: this.file });
      state.aliases[alias] = version;
    });
  }

  async getVersion(ref: number | string): Promise<ModelVersion> {
    const state = await this.#read();
    const number = typeof ref === 'number' ? ref : /^v?\d+$/.test(ref) ? Number(ref.replace(/^v/, '')) : state.aliases[ref];
    const found = state.versions.find((v) => v.version === number);
    if (!found) throw new ModelError(`model "${state.name}" has no ${typeof ref === 'string' && number === undefined ? `alias "${ref}"` : `version ${String(ref)}`}`, { file: this.file });
    return found;
  }

  async listVersions(): Promise<{ versions: ModelVersion[]; aliases: Record<string, number> }> {
    const state = await this.#read();
    return { versions: state.versions, aliases: state.aliases };
  }

  folderOf(version: ModelVersion): string {
    return join(this.root, version.path);
  }

  /** Remove a reserved folder that never got registered (a failed training run). */
  async abandon(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }
}
