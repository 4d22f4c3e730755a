/**
 * Where an agent command works: its resolved options, the state file, the daily log, the model
 * registry and the clock; and the registry version whose baseline checks compare with.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHALLENGER, CHAMPION, openRegistry, REGISTRY_FILE, type LocalModelRegistry, type ModelVersion } from '../model/index.js';
import { ModelError } from '../util/index.js';
import { AgentLog } from './log.js';
import { resolveAgentOptions, type AgentOptions, type ResolvedAgentOptions } from './options.js';
import { stateFileIn } from './state.js';

export interface AgentContext {
  options: AgentOptions;
  resolved: ResolvedAgentOptions;
  dir: string;
  stateFile: string;
  log: AgentLog;
  registry: LocalModelRegistry;
  now: () => Date;
}

export function agentContext(options: AgentOptions): AgentContext {
  const resolved = resolveAgentOptions(options);
  return {
    options,
    resolved,
    dir: resolved.dir,
    stateFile: stateFileIn(resolved.dir),
    log: new AgentLog(resolved.dir, options.onLog),
    registry: openRegistry(resolved),
    now: resolved.now,
  };
}

export type ServingAlias = 'champion' | 'challenger' | 'latest';

/** The version whose baseline checks use: the champion, else the challenger, else the latest. */
export async function servingVersion(registry: LocalModelRegistry): Promise<{ version: ModelVersion; alias: ServingAlias }> {
  if (!existsSync(join(registry.root, REGISTRY_FILE))) throw new ModelError('no model registry here (train a model into this folder first)', { file: join(registry.root, REGISTRY_FILE) });
  const { versions, aliases } = await registry.listVersions();
  for (const alias of [CHAMPION, CHALLENGER] as const) {
    const found = versions.find((v) => v.version === aliases[alias]);
    if (found) return { version: found, alias };
  }
  const latest = versions[versions.length - 1];
  if (!latest) throw new ModelError('the registry has no versions yet', { file: registry.file });
  return { version: latest, alias: 'latest' };
}

/** The baseline profile of a registry version. */
export function profileFileOf(registry: LocalModelRegistry, version: ModelVersion): string {
  return join(registry.folderOf(version), 'profile.json');
}
