import { readFileSync } from 'node:fs';
import { internalError } from './errors.js';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

let cachedVersion: string | undefined;

/**
 * The package root (the folder holding driftcatcher's own package.json), found from this module's
 * location so that the same code works from the TypeScript sources (tests), from dist/ (the CLI)
 * and from an installed package (which has dist/ and build/ but no sources).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readManifest(dir);
    if (manifest?.name === 'driftcatcher') {
      cachedVersion = manifest.version;
      return (cachedRoot = dir);
    }
    const up = dirname(dir);
    if (up === dir) throw internalError(`cannot find the driftcatcher package root (its package.json) above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** driftcatcher's own version (its package.json), whatever project or npm script runs it. */
export function packageVersion(): string {
  packageRoot();
  return cachedVersion ?? '0.0.0';
}

function readManifest(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

/**
 * The module `name` beside the calling one (`import.meta.url`), with the caller's extension:
 * `worker.ts` when the engine runs from its TypeScript sources (the unit tests, which load them
 * through test/setup/ts-loader.mjs, inherited by worker threads), `worker.js` from dist/. So a
 * test never runs a compiled worker that is older than the sources it tests.
 */
export function siblingModule(callerUrl: string, name: string): string {
  const caller = fileURLToPath(callerUrl);
  return join(dirname(caller), `${name}${extname(caller)}`);
}

