// `npm run build:ts`: compiles the TypeScript into dist/ (`tsc -b`, incremental) and makes the CLI's
// bin executable. Like make, it does not even start tsc when no input (engine/, cli/, bench/ *.ts,
// tsconfig.json, package.json) is newer than the last build: `prepare` runs again whenever npm
// installs this folder (`npx driftcatcher` in a fresh checkout does), and then costs nothing.
// `--force` builds all the same.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildInfo = join(root, 'dist', 'tsconfig.tsbuildinfo');
const main = join(root, 'dist', 'cli', 'main.js');

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestInput() {
  let newest = Math.max(mtime(join(root, 'tsconfig.json')) ?? 0, mtime(join(root, 'package.json')) ?? 0);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.cjs')) newest = Math.max(newest, mtime(path) ?? 0);
    }
  };
  for (const dir of ['engine', 'cli', 'bench']) walk(join(root, dir));
  return newest;
}

const built = mtime(buildInfo);
const fresh = !process.argv.includes('--force') && built !== undefined && mtime(main) !== undefined && built > newestInput();
if (!fresh) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.json'), ...(process.argv.includes('--force') ? ['--force'] : [])], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc -b leaves its info file alone when the touched inputs compile to the same output
  const now = new Date();
  utimesSync(buildInfo, now, now);
}
chmodSync(main, 0o755);
