/**
 * vitest globalSetup of the projects whose tests run the built CLI (`cli`, `mlflow`): fail the run
 * at once when dist/ or build/ is older than the sources, instead of silently testing the code as it
 * was before the last edit. `npm test` builds first; after an edit, `npm run build` (a no-op when
 * nothing changed). The unit tests need neither: they run the sources (test/setup/ts-loader.mjs).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function mtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The newest `.ts` file below `dirs`, as [path, mtime]. */
function newest(dirs: string[]): [string, number] {
  let found: [string, number] = ['', 0];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const time = mtime(path) ?? 0;
        if (time > found[1]) found = [path, time];
      }
    }
  };
  for (const dir of dirs) walk(join(ROOT, dir));
  return found;
}

export function staleBuild(): string | undefined {
  const [source, sourceTime] = newest(['engine', 'cli', 'bench']);
  const built = mtime(join(ROOT, 'dist', 'tsconfig.tsbuildinfo'));
  if (built === undefined) return 'dist/ has not been built';
  if (built < sourceTime) return `dist/ is older than ${relative(ROOT, source)}`;
  const [kernel, kernelTime] = newest(['assembly']);
  for (const wasm of ['histogram', 'csv', 'forest']) {
    const time = mtime(join(ROOT, 'build', `${wasm}.simd.wasm`));
    if (time === undefined) return `build/${wasm}.simd.wasm has not been built`;
    if (time < kernelTime) return `build/${wasm}.simd.wasm is older than ${relative(ROOT, kernel)}`;
  }
  return undefined;
}

export default function setup(): void {
  const stale = staleBuild();
  if (stale) throw new Error(`${stale}: these tests run the built CLI; run \`npm run build\` first (npm test does)`);
}
