/**
 * `npm run bench -- kernels [--against <revision>] [--reps 7]`: this tree's WASM kernels against
 * another revision's, built from `git archive <revision> assembly` with the same flags
 * (assembly/build.mjs), alternating in one process over the same inputs in one shared memory:
 *   - histogram (SIMD build): ns a value, 2^22 values over 9 interior edges in calls of 8,192
 *     values (as `bench scan`'s binning rows), and over 2,002 edges (the size of the fine grid
 *     that KS and Wasserstein scans bin on, the binary-search path); both builds must give the
 *     same counts;
 *   - CSV number scanner (SIMD build): MB/s of `parseRows` alone over the first 48 MB of the
 *     225,745-row batch; a row it leaves to the JavaScript parser is skipped to the next line feed
 *     (the same rows for both builds, checked).
 * The default revision, 4e78d64, has the kernels from before issue 6's work on them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSharedMemory } from '../engine/kernels/index.js';
import { readCsvLayoutSync } from '../engine/io/csv.js';
import { packageRoot } from '../engine/util/paths.js';
import { ensureData } from './data.js';
import { alternate, fmt, table, type Timing } from './stats.js';
import { fillBinningInput } from './scan.js';

interface KernelExports {
  countBins(values: number, n: number, edges: number, nEdges: number, counts: number): void;
  parseRows(bytes: number, end: number, lineStartLimit: number, columnMap: number, nColumns: number, out: number, strideBytes: number, maxRows: number): number;
  consumed(): number;
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Build `revision`'s histogram and CSV kernels (SIMD) into a temp folder; returns its path. */
async function buildRevision(revision: string): Promise<string> {
  if (!/^[\w./-]+$/.test(revision)) throw new Error(`bench kernels: not a revision name: ${revision}`);
  const dir = mkdtempSync(join(tmpdir(), 'dc-kernels-'));
  const archive = execFileSync('git', ['archive', revision, 'assembly'], { cwd: packageRoot(), maxBuffer: 64 << 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const build = (await import(pathToFileURL(join(packageRoot(), 'assembly', 'build.mjs')).href)) as { compileKernel: (source: string, out: string, simd: boolean, baseDir: string) => Promise<void> };
  for (const name of ['histogram', 'csv']) await build.compileKernel(join(dir, 'assembly', `${name}.ts`), join(dir, `${name}.simd.wasm`), true, dir);
  return dir;
}

function instantiate(file: string, memory: WebAssembly.Memory): KernelExports {
  const module = new WebAssembly.Module(readFileSync(file));
  return new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error(`${file}: abort`); } } }).exports as unknown as KernelExports;
}

/** 2,002 sorted edges over the binning input's range (fillBinningInput), at byte `edgesPtr`. */
export const FINE_EDGES = 2002;
export function fillFineEdges(memory: WebAssembly.Memory, edgesPtr: number): void {
  new Float64Array(memory.buffer, edgesPtr, FINE_EDGES).set(Float64Array.from({ length: FINE_EDGES }, (_, i) => (i * 9) / (FINE_EDGES - 1) + Math.sin(i) * 1e-3));
}

function benchHistogram(builds: Record<string, string>, reps: number, nEdges = 9) {
  const n = 1 << 22;
  const valuesPtr = 65536;
  const memory = createSharedMemory(valuesPtr + n * 8 + FINE_EDGES * 8 + (FINE_EDGES + 3) * 4 + 4096);
  let { edgesPtr } = fillBinningInput(memory, valuesPtr, n);
  if (nEdges !== 9) fillFineEdges(memory, (edgesPtr = valuesPtr + n * 8));
  const countsPtr = edgesPtr + Math.max(1024, nEdges * 8);
  const counts = new Uint32Array(memory.buffer, countsPtr, nEdges + 3);
  const results: Record<string, string> = {};
  const passes = Object.fromEntries(
    Object.entries(builds).map(([name, file]) => {
      const kernel = instantiate(file, memory);
      return [
        name,
        () => {
          counts.fill(0);
          for (let at = 0; at < n; at += 8192) kernel.countBins(valuesPtr + at * 8, 8192, edgesPtr, nEdges, countsPtr);
          results[name] = counts.join(',');
          return 0;
        },
      ];
    }),
  );
  const timings = alternate(passes, reps);
  if (new Set(Object.values(results)).size !== 1) throw new Error(`bench kernels: the histogram builds disagree: ${JSON.stringify(results)}`);
  return { values: n, timings };
}

async function benchCsv(builds: Record<string, string>, reps: number) {
  const file = await ensureData({ rows: 225_745, seed: 2, drift: 'mild', format: 'csv' });
  const layout = readCsvLayoutSync(file);
  const nColumns = layout.names.length;
  const bytesPtr = 1 << 20;
  const window = 48 << 20;
  const columnMapPtr = bytesPtr + window + (1 << 20);
  const outPtr = columnMapPtr + (1 << 20);
  const stride = 8192;
  const memory = createSharedMemory(outPtr + stride * nColumns * 8 + 65536);
  const u8 = new Uint8Array(memory.buffer);
  const fd = openSync(file, 'r');
  const read = readSync(fd, u8, bytesPtr, window, layout.dataStart);
  closeSync(fd);
  let end = bytesPtr + read;
  while (u8[end - 1] !== 0x0a) end--;
  new Int32Array(memory.buffer, columnMapPtr, nColumns).set(Int32Array.from(layout.names, (_, i) => (i < nColumns - 1 ? i : -1)));
  const outcome: Record<string, string> = {};
  const passes = Object.fromEntries(
    Object.entries(builds).map(([name, path]) => {
      const kernel = instantiate(path, memory);
      return [
        name,
        () => {
          let p = bytesPtr;
          let rows = 0;
          let left = 0;
          while (p < end) {
            const done = kernel.parseRows(p, end, end, columnMapPtr, nColumns, outPtr, stride * 8, stride);
            if (done === 0) {
              while (u8[p] !== 0x0a) p++;
              p++;
              left++;
              continue;
            }
            rows += done;
            p += kernel.consumed();
          }
          outcome[name] = `${rows} rows, ${left} left to JS`;
          return rows;
        },
      ];
    }),
  );
  const timings = alternate(passes, reps);
  if (new Set(Object.values(outcome)).size !== 1) throw new Error(`bench kernels: the CSV scanner builds disagree: ${JSON.stringify(outcome)}`);
  return { bytes: end - bytesPtr, outcome: Object.values(outcome)[0]!, timings };
}

export async function benchKernels(args: string[]): Promise<void> {
  const revision = argValue(args, '--against') ?? '4e78d64';
  const reps = Number(argValue(args, '--reps') ?? 7);
  const dir = await buildRevision(revision);
  try {
    const current = (name: string) => join(packageRoot(), 'build', `${name}.simd.wasm`);
    const histogramBuilds = { 'this tree': current('histogram'), [revision]: join(dir, 'histogram.simd.wasm') };
    const histogram = benchHistogram(histogramBuilds, reps);
    const fine = benchHistogram(histogramBuilds, reps, FINE_EDGES);
    const csv = await benchCsv({ 'this tree': current('csv'), [revision]: join(dir, 'csv.simd.wasm') }, reps);
    const base = (t: Record<string, Timing>) => t[revision]!.median;
    console.log(`\nhistogram kernel (SIMD build), ${histogram.values} values, 9 interior edges, ${reps} reps alternating`);
    console.log(
      table(
        ['build', 'ns/value', 'min-max ns', 'G values/s', `vs ${revision}`],
        Object.entries(histogram.timings).map(([name, t]) => [name, fmt((t.median * 1e9) / histogram.values, 2), `${fmt((t.min * 1e9) / histogram.values, 2)}-${fmt((t.max * 1e9) / histogram.values, 2)}`, fmt(histogram.values / t.median / 1e9, 3), fmt(base(histogram.timings) / t.median, 2) + 'x']),
      ),
    );
    console.log(`\nhistogram kernel (SIMD build), ${fine.values} values, ${FINE_EDGES} edges (a fine grid: the binary search), ${reps} reps alternating`);
    console.log(
      table(
        ['build', 'ns/value', 'min-max ns', 'G values/s', `vs ${revision}`],
        Object.entries(fine.timings).map(([name, t]) => [name, fmt((t.median * 1e9) / fine.values, 2), `${fmt((t.min * 1e9) / fine.values, 2)}-${fmt((t.max * 1e9) / fine.values, 2)}`, fmt(fine.values / t.median / 1e9, 3), fmt(base(fine.timings) / t.median, 2) + 'x']),
      ),
    );
    console.log(`\nCSV number scanner (SIMD build), parseRows alone over ${fmt(csv.bytes / 1e6, 1)} MB (${csv.outcome}), ${reps} reps alternating`);
    console.log(
      table(
        ['build', 'median s', 'min-max s', 'MB/s', `vs ${revision}`],
        Object.entries(csv.timings).map(([name, t]) => [name, fmt(t.median, 4), `${fmt(t.min, 4)}-${fmt(t.max, 4)}`, fmt(csv.bytes / t.median / 1e6, 0), fmt(base(csv.timings) / t.median, 2) + 'x']),
      ),
    );
    console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}`);
    const resultsDir = join(packageRoot(), 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const out = join(resultsDir, `kernels-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(out, JSON.stringify({ against: revision, reps, histogram, fine, csv }, null, 1));
    console.error(`results: ${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
