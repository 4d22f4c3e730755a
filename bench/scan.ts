/**
 * `npm run bench -- scan [--rows N] [--reps R] [--methods] [--against DIR]`: on a synthetic CICIDS-shaped file (225,745 rows
 * by default) measure, side by side in one run:
 *   - CSV parse MB/s on one thread (byte-level parser into Float64 columns, no binning), with the
 *     JavaScript parser alone and with the WASM number scanner in front of it;
 *   - binning values/s of the WASM SIMD kernel against the plain WASM and plain-TS kernels;
 *   - end-to-end `scan` time with 1 and 2 workers (and inline on the main thread), and with the
 *     methods on the fine summary (`scan, ks` / `scan, wasserstein`) next to PSI, with their
 *     throughput as a share of PSI's (issue 12: at least 0.5), by wall time and by CPU time (the
 *     process's, worker threads included: steadier than wall time on a loaded machine).
 *     `--methods` runs only these three (and no binning or parse rows), so that more repetitions
 *     fit in the same time. `--against DIR` adds the same three scans by another built checkout
 *     (DIR/dist/engine/index.js: e.g. the revision before a change), alternating with this one's.
 * Contenders alternate within each repetition; medians and min-max are reported, as ratios
 * against a baseline measured in the same run. Results also go to bench/results/scan-*.json.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';
import { createBaseline, scanDrift } from '../engine/index.js';
import { createSharedMemory, loadBinKernel, type KernelName } from '../engine/kernels/index.js';
import { readCsvLayoutSync, CsvBlockParser, scanCsvRange } from '../engine/io/csv.js';
import { loadCsvKernel } from '../engine/kernels/csv.js';
import { packageRoot } from '../engine/util/paths.js';
import { alternate, summarise, time, fmt, table, type Timing } from './stats.js';
import { ensureData } from './data.js';

export interface ScanBenchOptions {
  rows: number;
  reps: number;
  methodsOnly: boolean;
  against: string | undefined;
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function dataFiles(rows: number) {
  const train = await ensureData({ rows, seed: 1, drift: 'none', format: 'csv' });
  const batch = await ensureData({ rows, seed: 2, drift: 'mild', format: 'csv' });
  return { train, batch };
}

/**
 * Parse a whole CSV file on this thread into a reused column block, with the JS parser alone or
 * with the WASM number scanner in front of it (bytes read into a shared memory, as a worker
 * does); no binning. Returns rows.
 */
function parseOnly(file: string, scanner: boolean): number {
  const layout = readCsvLayoutSync(file);
  const nFeatures = layout.names.length - 1;
  const columnMap = Int32Array.from(layout.names, (_, i) => (i < nFeatures ? i : -1));
  const blockRows = 8192;
  const readBytes = 4 << 20;
  const memory = createSharedMemory(65536 + blockRows * nFeatures * 8 + columnMap.length * 4 + readBytes + 65536);
  const buffer = memory.buffer;
  const outPtr = 65536;
  const columnMapPtr = outPtr + blockRows * nFeatures * 8;
  const bytesPtr = columnMapPtr + columnMap.length * 4;
  new Int32Array(buffer, columnMapPtr, columnMap.length).set(columnMap);
  const kernel = scanner ? loadCsvKernel(memory) : null;
  if (scanner && !kernel) throw new Error('the WASM CSV scanner did not load');
  const parser = new CsvBlockParser(layout, columnMap, nFeatures, { accelerator: kernel ? { kernel, buffer, columnMapPtr } : undefined });
  const out = new Float64Array(buffer);
  const readBuffer = new Uint8Array(buffer, bytesPtr, readBytes);
  const block = { values: out, base: outPtr / 8, stride: blockRows, rows: 0, capacity: blockRows };
  return scanCsvRange({ layout, start: layout.dataStart, end: layout.fileSize, parser, block, readBuffer, onBlock: () => {} }).rows;
}

/** Binning input at byte `valuesPtr`: n values spread over and beyond 10 bins, then the 9 interior edges 1..9. */
export function fillBinningInput(memory: WebAssembly.Memory, valuesPtr: number, n: number): { edgesPtr: number } {
  const f64 = new Float64Array(memory.buffer);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    f64[valuesPtr / 8 + i] = (seed / 4294967296) * 10 - 0.5;
  }
  const edgesPtr = valuesPtr + n * 8;
  f64.set([1, 2, 3, 4, 5, 6, 7, 8, 9], edgesPtr / 8);
  return { edgesPtr };
}

/**
 * Binning throughput of the histogram kernels on one thread: 2^22 values spread over and beyond
 * 10 bins (9 interior edges, as the scan bins deciles), in calls of 8,192 values, `reps`
 * alternating repetitions after a warm-up; seconds per pass over the values, per kernel.
 */
export function measureBinning(reps: number, kernels: KernelName[] = ['wasm-simd', 'wasm', 'js']): { n: number; timings: Record<string, Timing> } {
  const n = 1 << 22;
  const valuesPtr = 65536;
  const memory = createSharedMemory(valuesPtr + n * 8 + 4096);
  const { edgesPtr } = fillBinningInput(memory, valuesPtr, n);
  const countsPtr = edgesPtr + 1024;
  const passes = Object.fromEntries(
    kernels.map((name) => {
      const kernel = loadBinKernel(memory, name);
      return [name, () => {
        for (let at = 0; at < n; at += 8192) kernel.countBins(valuesPtr + at * 8, Math.min(8192, n - at), edgesPtr, 9, countsPtr);
      }];
    }),
  );
  return { n, timings: alternate(passes, reps) };
}

export async function benchScan(args: string[]): Promise<void> {
  const options: ScanBenchOptions = { rows: argValue(args, '--rows', 225_745), reps: argValue(args, '--reps', 5), methodsOnly: args.includes('--methods'), against: args.includes('--against') ? args[args.indexOf('--against') + 1] : undefined };
  const { train, batch } = await dataFiles(options.rows);
  const bytes = statSync(batch).size;
  console.error(`bench scan: ${options.rows} rows, ${(bytes / 1e6).toFixed(1)} MB CSV, ${options.reps} repetitions`);
  const profile = await createBaseline(train);
  const nFeatures = profile.features.length;

  // binning: the same values through each kernel, alternating
  const { n, timings: bin } = options.methodsOnly ? { n: 0, timings: {} as Record<string, Timing> } : measureBinning(options.reps);

  // parse only, and end-to-end scans, alternating
  const all: Array<{ name: string; run: () => Promise<unknown> | unknown }> = [
    { name: 'parse only, JS parser (1 thread)', run: () => parseOnly(batch, false) },
    { name: 'parse only, WASM scanner + JS (1 thread)', run: () => parseOnly(batch, true) },
    { name: 'scan, inline, plain-TS kernels', run: () => scanDrift(profile, [batch], { workers: 0, kernel: 'js' }) },
    { name: 'scan, inline (main thread)', run: () => scanDrift(profile, [batch], { workers: 0 }) },
    { name: 'scan, 1 worker', run: () => scanDrift(profile, [batch], { workers: 1 }) },
    { name: 'scan, 2 workers', run: () => scanDrift(profile, [batch], { workers: 2 }) },
    { name: 'scan, 2 workers, 8,192-row blocks', run: () => scanDrift(profile, [batch], { workers: 2, blockRows: 8192 }) },
    { name: 'scan, default (auto)', run: () => scanDrift(profile, [batch], {}) },
    // the methods on the fine summary bin on about 2,000 edges a feature (fineScanEdges) and sum the tails: the issue asks >= half the PSI scan's throughput
    { name: 'scan, psi, 2 workers', run: () => scanDrift(profile, [batch], { workers: 2, method: 'psi' }) },
    { name: 'scan, ks, 2 workers', run: () => scanDrift(profile, [batch], { workers: 2, method: 'ks' }) },
    { name: 'scan, wasserstein, 2 workers', run: () => scanDrift(profile, [batch], { workers: 2, method: 'wasserstein' }) },
  ];
  const methodRows = ['scan, psi, 2 workers', 'scan, ks, 2 workers', 'scan, wasserstein, 2 workers'];
  const contenders = options.methodsOnly ? all.filter((c) => methodRows.includes(c.name)) : all;
  if (options.against) {
    // another checkout's engine, built (its own workers and kernels): the same three scans, labelled by its folder
    const other = (await import(pathToFileURL(join(resolve(options.against), 'dist', 'engine', 'index.js')).href)) as { scanDrift: typeof scanDrift };
    for (const method of ['psi', 'ks', 'wasserstein'] as const) contenders.push({ name: `${options.against}: scan, ${method}, 2 workers`, run: () => other.scanDrift(profile, [batch], { workers: 2, method }) });
  }
  const runs: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cpuRuns: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await c.run(); // warm-up
  for (let r = 0; r < options.reps; r++) {
    for (const c of contenders) {
      const cpuStarted = process.cpuUsage();
      runs[c.name]!.push(await time(c.run));
      const cpu = process.cpuUsage(cpuStarted);
      cpuRuns[c.name]!.push((cpu.user + cpu.system) / 1e6);
    }
  }

  const kernels = Object.keys(bin) as KernelName[];
  const binRows = kernels.map((k) => [
    `bin ${k}`,
    fmt(n / bin[k]!.median / 1e6, 0),
    fmt((bin[k]!.median * 1e9) / n, 2),
    `${fmt((bin[k]!.min * 1e9) / n, 2)}-${fmt((bin[k]!.max * 1e9) / n, 2)}`,
    fmt(bin['js']!.median / bin[k]!.median, 1) + 'x',
  ]);
  const scan: Record<string, Timing> = Object.fromEntries(contenders.map((c) => [c.name, summarise(runs[c.name]!)]));
  const scanCpu: Record<string, Timing> = Object.fromEntries(contenders.map((c) => [c.name, summarise(cpuRuns[c.name]!)]));
  const base = scan[options.methodsOnly ? 'scan, psi, 2 workers' : 'scan, 1 worker']!.median;
  const scanRows = contenders.map((c) => {
    const t = scan[c.name]!;
    return [c.name, fmt(t.median, 3), `${fmt(t.min, 3)}-${fmt(t.max, 3)}`, fmt(scanCpu[c.name]!.median, 3), fmt(bytes / t.median / 1e6, 0), fmt(options.rows / t.median / 1e6, 2), fmt(base / t.median, 2) + 'x'];
  });
  if (!options.methodsOnly) {
    console.log(`\nbinning ${n} values, 10 bins (9 interior edges), ${options.reps} reps`);
    console.log(table(['kernel', 'M values/s', 'ns/value', 'ns range', 'vs js'], binRows));
  }
  console.log(`\nCSV ${options.rows} rows x ${nFeatures} features, ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(table(['contender', 'median s', 'min-max s', 'CPU s', 'MB/s', 'M rows/s', options.methodsOnly ? 'vs psi' : 'vs 1 worker'], scanRows));
  // issue 12: a non-PSI scan keeps at least half the PSI scan's throughput (time ratio psi / method, same run)
  for (const prefix of ['', ...(options.against ? [`${options.against}: `] : [])]) {
    const share = (timings: Record<string, Timing>) => methodRows.slice(1).map((m) => `${m.split(', ')[1]} ${fmt(timings[`${prefix}scan, psi, 2 workers`]!.median / timings[prefix + m]!.median, 2)}`).join(', ');
    console.log(`\n${prefix || 'this tree: '}throughput as a share of the PSI scan's (2 workers, medians; target >= 0.5): by wall time ${share(scan)}; by CPU time ${share(scanCpu)}`);
  }
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, `scan-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify({ options, bytes, features: nFeatures, binning: bin, scan, scanCpu, machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version } }, null, 1));
  console.error(`results: ${out}`);
}
