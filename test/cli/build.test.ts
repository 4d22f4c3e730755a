/**
 * The package as a fresh checkout uses it: `npx driftcatcher` runs `prepare` (the build) again when
 * it installs this folder into its cache, so a build with nothing to do must do nothing; and
 * `--version` is driftcatcher's own, not the version of whatever npm script calls it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli } from '../helpers.js';

const outputs = ['dist/tsconfig.tsbuildinfo', 'dist/cli/main.js', 'dist/engine/index.js', 'build/histogram.simd.wasm', 'build/csv.wasm', 'build/forest.wasm'];
const mtimes = () => outputs.map((file) => statSync(join(ROOT, file)).mtimeMs);

describe('build and package', () => {
  it('a second build compiles nothing: every output keeps its time, and it takes well under the compile time', () => {
    const before = mtimes();
    const started = performance.now();
    for (const script of ['assembly/build.mjs', 'cli/build.mjs']) {
      const run = spawnSync(process.execPath, [join(ROOT, script)], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(mtimes()).toEqual(before);
    // tsc alone takes 10-20 s on this project and asc several seconds; two node starts take < 1 s
    expect(seconds).toBeLessThan(5);
  });

  it('--version prints our own package.json version, also inside another package\'s npm script', () => {
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    const result = cli(['--version'], { env: { npm_package_version: '9.9.9-caller', npm_package_name: 'some-pipeline' } });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(own);
  });

  it('every entry point of package.json exports loads by its package name from dist/, cheaply (heavy modules wait for first use)', () => {
    const subpaths = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports as Record<string, unknown>).filter((s) => s !== './package.json');
    expect(subpaths.length).toBeGreaterThan(5);
    for (const subpath of subpaths) {
      const name = subpath === '.' ? 'driftcatcher' : `driftcatcher/${subpath.slice(2)}`;
      const script = `const t = performance.now(); const m = await import(${JSON.stringify(name)}); process.stdout.write(JSON.stringify({ names: Object.keys(m).length, ms: performance.now() - t }));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
      expect(run.status, `${name}: ${run.stderr}`).toBe(0);
      const { names, ms } = JSON.parse(run.stdout) as { names: number; ms: number };
      expect(names, name).toBeGreaterThan(0);
      // tfjs, apache-arrow and the WASM kernels load only when used: an entry point alone is quick (~0.1 s)
      expect(ms, name).toBeLessThan(1500);
    }
  });
});
