import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * The package root (the folder holding package.json), found from this module's location so that
 * the same code works from the TypeScript sources (tests) and from dist/ (the CLI).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'engine'))) return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root');
    dir = up;
  }
}

/** True when this module runs from the TypeScript sources (vitest) rather than the compiled dist/. */
export function runningFromSource(): boolean {
  return fileURLToPath(import.meta.url).endsWith('.ts');
}
