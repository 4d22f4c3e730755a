/**
 * Model registry: versions of a registered model and the aliases that point at them
 * (`challenger` for a freshly trained version, `champion` for the one in service), the way
 * MLflow's model registry works since stages were deprecated. `ModelRegistry` is the interface;
 * `LocalModelRegistry` keeps it in `<root>/registry.json` (written atomically) with each
 * version's files in `<root>/v<N>/`. An MLflow-backed registry can implement the same interface.
 *
 * A version number is reserved by creating its folder, with the reserving process recorded in
 * `v<N>/.reserved`, under the registry's lock. A reservation whose process died before it was
 * registered (a training killed with kill -9) is removed by the next reservation (or
 * `reclaimAbandoned()`), so its number is given again and no unregistered folder stays behind.
 * Unregistered folders without that record (not made by a reservation of this version of
 * driftcatcher) are left alone and their numbers skipped.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ModelError } from '../util/index.js';
import { ownerGone, ownerRecord, readOwner, removeDeadTemps, withLock } from '../util/index.js';
import { writeFileAtomic } from '../util/index.js';
import { ensureDir } from '../util/index.js';
import type { ModelType, ParamValue } from './format.js';

export const REGISTRY_FORMAT = 'driftcatcher-registry';
export const REGISTRY_VERSION = 1;
export const REGISTRY_FILE = 'registry.json';
/** Where versions go and what the registered model is called, when the caller does not say. */
export const REGISTRY_DEFAULTS: { readonly registry: string; readonly registeredModel: string } = {
  /** the registry's root folder: versions go to `<registry>/v<N>/` */
  registry: 'models',
  /** the registered model: one name holds every family (the original tool's name) */
  registeredModel: 'ddos_random_forest',
};
export const DEFAULT_MODEL_NAME: string = REGISTRY_DEFAULTS.registeredModel;

/** Which registry and registered model, as every area's options spell them (both optional). */
export interface RegistryOptions {
  /** registry root folder (default `models`) */
  registry?: string;
  /** registered model name (default `ddos_random_forest`) */
  registeredModel?: string;
}

/** The local registry these options name, with the defaults filled in. */
export function openRegistry(options: RegistryOptions = {}): LocalModelRegistry {
  return new LocalModelRegistry(options.registry ?? REGISTRY_DEFAULTS.registry, options.registeredModel ?? REGISTRY_DEFAULTS.registeredModel);
}
export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';
/** The lifecycle stages `models tag` sets on a version (seed 000's production/staging/archived). */
export const MODEL_STAGES = ['production', 'staging', 'archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];
/** In a reserved, not yet registered version folder: the owner record of the reserving process. */
export const RESERVATION_FILE = '.reserved';

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
  /** its lifecycle stage, once `models tag` set one */
  stage?: ModelStage;
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
  /** Set a version's lifecycle stage (several versions may share one). */
  setStage(version: number, stage: ModelStage): Promise<void>;
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
    await ensureDir(this.root, 'the model registry');
    return withLock(this.file, async () => {
      const state = await this.#read();
      await this.#reclaim(state);
      let version = state.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      // the folder is the reservation (a folder left without a record keeps its number)
      for (;;) {
        const dir = join(this.root, `v${version}`);
        try {
          await mkdir(dir);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          version++;
          continue;
        }
        await writeFile(join(dir, RESERVATION_FILE), JSON.stringify({ ...ownerRecord(), version }));
        return { version, dir };
      }
    });
  }

  /**
   * Remove the reserved version folders whose process died before registering them, and the
   * registry's temp files left by dead writers. Returns the version numbers freed.
   */
  async reclaimAbandoned(): Promise<number[]> {
    // look first without the lock: most of the time there is nothing to reclaim
    const names = await readdir(this.root).catch(() => null);
    if (!names || (await this.#abandoned(await this.#read(), names)).length === 0) {
      if (names) await removeDeadTemps(this.root);
      return [];
    }
    return withLock(this.file, async () => this.#reclaim(await this.#read()));
  }

  /** The unregistered `v<N>` folders whose reserving process is gone. */
  async #abandoned(state: RegistryState, names: string[]): Promise<number[]> {
    const registered = new Set(state.versions.map((v) => v.version));
    const found: number[] = [];
    for (const name of names) {
      const match = /^v(\d+)$/.exec(name);
      if (!match || registered.has(Number(match[1]))) continue;
      if (ownerGone(await readOwner(join(this.root, name, RESERVATION_FILE)))) found.push(Number(match[1]));
    }
    return found.sort((a, b) => a - b);
  }

  /** Under the lock: the unregistered `v<N>` folders of dead reservers go, with dead writers' temp files. */
  async #reclaim(state: RegistryState): Promise<number[]> {
    const freed = await this.#abandoned(state, await readdir(this.root));
    for (const version of freed) await rm(join(this.root, `v${version}`), { recursive: true, force: true });
    await removeDeadTemps(this.root);
    return freed;
  }

  async registerVersion(entry: Omit<ModelVersion, 'path'>, aliases: readonly string[]): Promise<ModelVersion> {
    const registered = await this.#update((state) => {
      const version: ModelVersion = { ...entry, path: `v${entry.version}` };
      state.versions = state.versions.filter((v) => v.version !== entry.version).concat(version).sort((a, b) => a.version - b.version);
      for (const alias of aliases) state.aliases[alias] = entry.version;
      state.name ||= this.name;
      return version;
    });
    // registered: no longer a reservation (a record left by a kill here is ignored: the version is registered)
    await rm(join(this.root, registered.path, RESERVATION_FILE), { force: true });
    return registered;
  }

  async setAlias(alias: string, version: number): Promise<void> {
    await this.#update((state) => {
      if (!state.versions.some((v) => v.version === version)) throw new ModelError(`model "${state.name}" has no version ${version} (versions: ${state.versions.map((v) => v.version).join(', ') || 'none'})`, { file: this.file });
      state.aliases[alias] = version;
    });
  }

  async setStage(version: number, stage: ModelStage): Promise<void> {
    await this.#update((state) => {
      const found = state.versions.find((v) => v.version === version);
      if (!found) throw new ModelError(`model "${state.name}" has no version ${version} (versions: ${state.versions.map((v) => v.version).join(', ') || 'none'})`, { file: this.file });
      found.stage = stage;
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
