// Compiles the AssemblyScript kernels into build/: a SIMD build and a plain build of each.
// Run by `npm run build:wasm` (and so by `npm ci` through `prepare`); `compileKernel` is also used
// by `npm run bench -- kernels` to build another revision's sources with the same flags.
import { main } from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const KERNELS = ['histogram', 'csv', 'forest'];
const common = [
  '--runtime', 'stub',
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--enable', 'threads',
  '-O3', '--noAssert',
];

/** Compile `source` (an assembly/*.ts path) to the wasm file `out`, with or without SIMD. */
export async function compileKernel(source, out, simd, baseDir = root) {
  const args = [source, '-o', out, ...common, ...(simd ? ['--enable', 'simd'] : ['--disable', 'simd'])];
  const { error, stderr } = await main(args, { stdout: process.stdout, stderr: process.stderr, baseDir });
  if (error) throw new Error(`asc failed for ${out}: ${error.message}\n${stderr.toString()}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(join(root, 'build'), { recursive: true });
  try {
    for (const name of KERNELS) {
      for (const simd of [true, false]) await compileKernel(join('assembly', `${name}.ts`), join('build', `${name}${simd ? '.simd' : ''}.wasm`), simd);
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
