// Compiles the AssemblyScript kernels into build/: a SIMD build and a plain build of each.
// Run by `npm run build:wasm` (and so by `npm ci` through `prepare`); `compileKernel` is also used
// by `npm run bench -- kernels` to build another revision's sources with the same flags.
// Like make, it compiles nothing when every output is newer than every source (assembly/**/*.ts
// and this file): `prepare` runs again whenever npm installs this folder (`npx driftcatcher` in a
// fresh checkout does), and then costs nothing. `--force` compiles all the same.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const KERNELS = ['histogram', 'csv', 'forest', 'gbt', 'profile'];
const common = [
  '--runtime', 'stub',
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--enable', 'threads',
  '-O3', '--noAssert',
];

/** Compile `source` (an assembly/*.ts path) to the wasm file `out`, with or without SIMD. */
export async function compileKernel(source, out, simd, baseDir = root) {
  const { main } = await import('assemblyscript/asc');
  const args = [source, '-o', out, ...common, ...(simd ? ['--enable', 'simd'] : ['--disable', 'simd'])];
  const { error, stderr } = await main(args, { stdout: process.stdout, stderr: process.stderr, baseDir });
  if (error) throw new Error(`asc failed for ${out}: ${error.message}\n${stderr.toString()}`);
}

/** Newest modification time of the kernel sources and of this script. */
function newestSource() {
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(root, 'assembly'));
  return newest;
}

function upToDate(outputs) {
  const newest = newestSource();
  return outputs.every((out) => {
    try {
      return statSync(out).mtimeMs > newest;
    } catch {
      return false;
    }
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(join(root, 'build'), { recursive: true });
  const outputs = KERNELS.flatMap((name) => [true, false].map((simd) => join(root, 'build', `${name}${simd ? '.simd' : ''}.wasm`)));
  if (!process.argv.includes('--force') && upToDate(outputs)) process.exit(0);
  try {
    for (const name of KERNELS) {
      for (const simd of [true, false]) await compileKernel(join('assembly', `${name}.ts`), join('build', `${name}${simd ? '.simd' : ''}.wasm`), simd);
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
