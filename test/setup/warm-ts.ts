/**
 * vitest globalSetup: transpile every engine/ and cli/ source into the cache of
 * test/setup/ts-hooks.mjs once, before the tests start. Child processes and worker threads that
 * run the sources then never load the TypeScript compiler, so a timed test does not pay for it
 * on a fresh checkout. About two seconds the first time, nothing after.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(): Promise<void> {
  const { load } = (await import(pathToFileURL(join(ROOT, 'test', 'setup', 'ts-hooks.mjs')).href)) as {
    load: (url: string, context: object, next: () => never) => Promise<unknown>;
  };
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(join(ROOT, 'engine'));
  walk(join(ROOT, 'cli'));
  for (const file of files) {
    await load(pathToFileURL(file).href, {}, () => {
      throw new Error('unreachable');
    });
  }
}
