// Compiles the AssemblyScript kernels into build/: a SIMD build and a plain build of each.
// Run by `npm run build:wasm` (and so by `npm ci` through `prepare`).
import { main } from 'assemblyscript/asc';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'build'), { recursive: true });

const kernels = ['histogram', 'csv', 'forest'];
const common = [
  '--runtime', 'stub',
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
  '--enable', 'threads',
  '-O3', '--noAssert',
];

for (const name of kernels) {
  for (const simd of [true, false]) {
    const out = join('build', `${name}${simd ? '.simd' : ''}.wasm`);
    const args = [join('assembly', `${name}.ts`), '-o', out, ...common, ...(simd ? ['--enable', 'simd'] : ['--disable', 'simd'])];
    const { error, stderr } = await main(args, { stdout: process.stdout, stderr: process.stderr, baseDir: root });
    if (error) {
      console.error(`asc failed for ${out}: ${error.message}\n${stderr.toString()}`);
      process.exit(1);
    }
  }
}
