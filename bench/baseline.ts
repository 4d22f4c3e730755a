/**
 * `npm run bench -- baseline [--rows 2830743] [--reps 3] [--workers 2] [--format csv|arrow|parquet] [--without duckdb,polars] [--against <checkout>]`: the baseline of the
 * synthetic CICIDS CSV (seed 2, no drift; bench/data.ts makes it), or of the same rows as an Arrow
 * IPC file (bench/data.ts) or as Parquet (pyarrow's defaults with snappy: bench/peers/parquet_peers.py
 * write), every contender reading that one file (DuckDB reads no Arrow IPC file: left out there), by driftcatcher (the streaming
 * baseline, engine/profile/stream.ts) beside driftcatcher's scan of the same file, polars + numpy
 * and DuckDB's quantile_cont computing the same quantiles (bench/peers/baseline_peers.py: deciles
 * and the fine grid of the finite values, the compat grid of the complete rows). Every contender
 * runs through bench/peers/measure.py (wall time, CPU time and peak RSS of its process), in an order that
 * rotates with each repetition. Prints a Markdown table with the ratios the issue sets targets
 * for (baseline <= 2.5x the scan, <= 300 MB, >= 4x faster than each peer). `--against` adds the
 * baseline of another built checkout of driftcatcher (e.g. the parent commit), run side by side.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { packageRoot } from '../engine/util/paths.js';
import { dataDir, ensureData } from './data.js';
import { ensureParquet } from './parquet.js';
import { ensureBenchPython } from './python.js';
import { fmt, summarise } from './stats.js';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function benchBaseline(args: string[]): Promise<void> {
  const rows = Number(argValue(args, '--rows') ?? 2_830_743);
  const reps = Number(argValue(args, '--reps') ?? 3);
  const workers = argValue(args, '--workers') ?? '2';
  const python = ensureBenchPython();
  const peers = join(packageRoot(), 'bench', 'peers');
  const cliMain = join(packageRoot(), 'dist', 'cli', 'main.js');
  const format = argValue(args, '--format') ?? 'csv';
  if (format !== 'csv' && format !== 'arrow' && format !== 'parquet') throw new Error(`bench baseline: --format is csv, arrow or parquet, not ${format}`);
  const input = await inputFile(format, rows, python);
  const scratch = join(packageRoot(), '.tmp', `bench-baseline-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  // the scan compares the file with a profile of itself (PSI, the default method)
  const profile = join(dataDir(), `baseline-bench-${rows}-${format}.json`);
  const made = spawnSync(process.execPath, [cliMain, 'baseline', input, '-o', profile, '--workers', workers], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`bench baseline: the profile for the scan failed: ${made.stderr.trim()}`);
  const without = new Set((argValue(args, '--without') ?? '').split(',').filter(Boolean));
  const all: { id: string; label: string; command: string[] }[] = [
    { id: 'dc-baseline', label: `driftcatcher baseline, ${workers} workers`, command: [process.execPath, cliMain, 'baseline', input, '-o', join(scratch, 'profile.json'), '--workers', workers] },
    { id: 'dc-scan', label: `driftcatcher scan (PSI), ${workers} workers`, command: [process.execPath, cliMain, 'scan', '--baseline', profile, input, '--json', '--workers', workers] },
    { id: 'polars', label: `polars ${{ csv: 'read_csv', arrow: 'read_ipc', parquet: 'read_parquet' }[format]} + np.quantile`, command: [python, join(peers, 'baseline_peers.py'), 'polars', input] },
    { id: 'duckdb', label: `DuckDB ${format === 'parquet' ? 'read_parquet' : 'read_csv'} + quantile_cont`, command: [python, join(peers, 'baseline_peers.py'), 'duckdb', input] },
  ];
  const against = argValue(args, '--against');
  if (against !== undefined) {
    all.splice(1, 0, { id: 'dc-against', label: `driftcatcher baseline of ${against}, ${workers} workers`, command: [process.execPath, join(against, 'dist', 'cli', 'main.js'), 'baseline', input, '-o', join(scratch, 'profile-against.json'), '--workers', workers] });
  }
  // a peer left out (DuckDB's quantile_cont on 1,012 quantiles a column takes minutes at 2.83M rows)
  const contenders = all.filter((c) => !without.has(c.id) && !(c.id === 'duckdb' && format === 'arrow'));
  const runs = new Map<string, { wall: number[]; cpu: number[]; rss: number[]; error?: string }>(all.map((c) => [c.id, { wall: [], cpu: [], rss: [] }]));
  const load = [loadavg()[0]!];
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(k + rep) % contenders.length]!;
      const out = join(scratch, `${contender.id}.out`);
      const err = join(scratch, `${contender.id}.err`);
      const measured = spawnSync(python, [join(peers, 'measure.py'), out, err, '900', '--', ...contender.command], { encoding: 'utf8' });
      const result = JSON.parse(measured.stdout) as { wall_s: number; user_s: number; sys_s: number; max_rss_kb: number; exit: number; timed_out: boolean };
      const entry = runs.get(contender.id)!;
      if (result.exit !== 0 || result.timed_out) {
        entry.error = result.timed_out ? 'timed out' : `exit ${result.exit}: ${readFileSync(err, 'utf8').trim().split('\n').slice(-2).join(' | ')}`;
        continue;
      }
      entry.wall.push(result.wall_s);
      // CPU seconds of the process, worker threads included: steadier than wall time on a shared machine
      entry.cpu.push(result.user_s + result.sys_s);
      entry.rss.push(result.max_rss_kb / 1024);
      console.error(`bench:   [${rep + 1}/${reps}] ${contender.id}: ${fmt(result.wall_s, 2)} s, ${fmt(result.user_s + result.sys_s, 2)} CPU s, ${fmt(result.max_rss_kb / 1024, 0)} MB`);
    }
    load.push(loadavg()[0]!);
  }
  const median = (id: string) => (runs.get(id)!.wall.length ? summarise(runs.get(id)!.wall).median : NaN);
  const ours = median('dc-baseline');
  const formatName = { csv: 'CSV', arrow: 'Arrow IPC', parquet: 'Parquet (snappy)' }[format];
  console.log(`${rows.toLocaleString('en-US')} rows, ${fmt(statSync(input).size / 1e6, 0)} MB ${formatName}; ${reps} repetitions, rotated; load average ${load.map((l) => l.toFixed(1)).join(' -> ')}`);
  console.log('| contender | median s | median CPU s | peak RSS MB | vs driftcatcher baseline |');
  console.log('|---|---:|---:|---:|---:|');
  for (const c of contenders) {
    const entry = runs.get(c.id)!;
    if (entry.error) {
      console.log(`| ${c.label} | ${entry.error} | | | |`);
      continue;
    }
    const m = median(c.id);
    console.log(`| ${c.label} | ${fmt(m, 2)} | ${fmt(summarise(entry.cpu).median, 2)} | ${fmt(Math.max(...entry.rss), 0)} | ${fmt(m / ours, 2)}x |`);
  }
  const peerRatios = contenders.filter((c) => c.id === 'polars' || c.id === 'duckdb').map((c) => `${c.id} / baseline = ${fmt(median(c.id) / ours, 2)}`);
  // the peers' target only when a peer ran (--without polars,duckdb leaves none)
  const peerTarget = peerRatios.length > 0 ? `; ${peerRatios.join(', ')} (>= 4)` : '';
  console.log(`targets: baseline / scan = ${fmt(ours / median('dc-scan'), 2)} (<= 2.5); peak RSS ${fmt(Math.max(...runs.get('dc-baseline')!.rss), 0)} MB (<= 300)${peerTarget}`);
}

/** The bench's input: the synthetic CSV, its Arrow IPC twin, or Parquet written from the CSV by pyarrow. */
async function inputFile(format: 'csv' | 'arrow' | 'parquet', rows: number, python: string): Promise<string> {
  if (format === 'arrow') return ensureData({ rows, seed: 2, drift: 'none', format: 'arrow' });
  const csv = await ensureData({ rows, seed: 2, drift: 'none', format: 'csv' });
  return format === 'csv' ? csv : ensureParquet(csv, join(dataDir(), `batch-none-${rows}-snappy.parquet`), 'snappy', python);
}
