/**
 * `npm run bench -- parquet [--rows N] [--reps R] [--codec snappy|zstd|gzip]`: a Parquet batch
 * scanned by driftcatcher (2 workers; the CSV of the same rows beside it) against polars and
 * DuckDB reading the same Parquet file, each computing the compat PSI on the same profile's edges
 * (bench/peers/parquet_peers.py). The batch is the bench's synthetic CSV (seed 2, mild drift; the
 * profile from the seed-1 training file) written as Parquet by pyarrow with the codec (cached in
 * bench/data/). Every contender runs through bench/peers/measure.py: wall time, CPU and peak RSS
 * of its process; contenders alternate within each repetition. Results: a Markdown table here and
 * bench/results/parquet-*.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/util/paths.js';
import { dataDir, ensureData, TRAIN_ROWS } from './data.js';
import { scanExtraArgs, type RunResult } from './compare.js';
import { ensureBenchPython } from './python.js';
import { fmt, summarise } from './stats.js';

/** What measure.py reports of one process (compare.ts's RunResult without what a peer adds). */
type Measured = Pick<RunResult, 'wall_s' | 'user_s' | 'sys_s' | 'max_rss_kb' | 'exit' | 'timed_out'>;

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function run(command: string[], what: string): void {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`bench parquet: ${what} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}

/** `parquet`, written from `csv` by pyarrow (bench/peers/parquet_peers.py write) unless it is there and newer than the CSV. */
export function ensureParquet(csv: string, parquet: string, codec: string, python: string): string {
  if (!existsSync(parquet) || statSync(parquet).mtimeMs < statSync(csv).mtimeMs) {
    console.error(`bench: writing ${parquet} (pyarrow, ${codec})`);
    run([python, join(packageRoot(), 'bench', 'peers', 'parquet_peers.py'), 'write', csv, parquet, codec], 'writing the Parquet file');
  }
  return parquet;
}

export async function benchParquet(args: string[]): Promise<void> {
  const rows = Number(argValue(args, '--rows') ?? TRAIN_ROWS);
  const reps = Number(argValue(args, '--reps') ?? 3);
  const codec = argValue(args, '--codec') ?? 'snappy';
  const python = ensureBenchPython();
  const peers = join(packageRoot(), 'bench', 'peers');
  const cliMain = join(packageRoot(), 'dist', 'cli', 'main.js');
  const train = await ensureData({ rows: TRAIN_ROWS, seed: 1, drift: 'none', format: 'csv' });
  const csv = await ensureData({ rows, seed: 2, drift: 'mild', format: 'csv' });
  const parquet = ensureParquet(csv, join(dataDir(), `batch-mild-${rows}-${codec}.parquet`), codec, python);
  const profile = join(dataDir(), 'parquet-bench-profile.json');
  if (!existsSync(profile) || statSync(profile).mtimeMs < statSync(train).mtimeMs) run([process.execPath, cliMain, 'baseline', train, '-o', profile], 'the baseline');

  const extra = scanExtraArgs();
  const dc = (file: string) => [process.execPath, cliMain, 'scan', '--baseline', profile, file, '--compat', 'driftcatcher', '--json', '--workers', '2', ...extra];
  const contenders: { id: string; label: string; command: string[] }[] = [
    { id: 'dc-parquet-w2', label: `driftcatcher scan, Parquet (${codec}), 2 workers`, command: dc(parquet) },
    { id: 'dc-csv-w2', label: 'driftcatcher scan, CSV, 2 workers', command: dc(csv) },
    { id: 'polars', label: 'polars read_parquet + numpy PSI', command: [python, join(peers, 'parquet_peers.py'), 'polars', profile, parquet] },
    { id: 'duckdb', label: 'DuckDB read_parquet + histogram SQL', command: [python, join(peers, 'parquet_peers.py'), 'duckdb', profile, parquet] },
  ];
  const scratch = join(packageRoot(), '.tmp', `bench-parquet-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const runs = new Map<string, { wall: number[]; rss: number[]; psi?: number; error?: string }>(contenders.map((c) => [c.id, { wall: [], rss: [] }]));
  for (let rep = 0; rep < reps; rep++) {
    for (const contender of contenders) {
      const out = join(scratch, `${contender.id}.out`);
      const err = join(scratch, `${contender.id}.err`);
      const measured = spawnSync(python, [join(peers, 'measure.py'), out, err, '600', '--', ...contender.command], { encoding: 'utf8' });
      const entry = runs.get(contender.id)!;
      const result = JSON.parse(measured.stdout) as Measured;
      if (result.exit !== 0 || result.timed_out) {
        entry.error = `exit ${result.exit}: ${readFileSync(err, 'utf8').trim().split('\n').slice(-2).join(' | ')}`;
        continue;
      }
      const printed = JSON.parse(readFileSync(out, 'utf8')) as { overall_psi?: number; combined?: { overall_psi: number } };
      entry.psi = printed.combined?.overall_psi ?? printed.overall_psi;
      entry.wall.push(result.wall_s);
      entry.rss.push(result.max_rss_kb / 1024);
    }
  }
  const parquetMb = statSync(parquet).size / 1e6;
  const base = summarise(runs.get('dc-parquet-w2')!.wall).median;
  console.log(`${rows.toLocaleString('en-US')} rows: Parquet (${codec}) ${fmt(parquetMb, 0)} MB, CSV ${fmt(statSync(csv).size / 1e6, 0)} MB; ${reps} repetitions`);
  console.log('| contender | wall s (median) | min-max | peak RSS MB | vs driftcatcher Parquet | overall PSI |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const results = contenders.map((contender) => {
    const entry = runs.get(contender.id)!;
    if (entry.error || entry.wall.length === 0) {
      console.log(`| ${contender.label} | failed: ${entry.error ?? 'no run'} |`);
      return { id: contender.id, error: entry.error };
    }
    const wall = summarise(entry.wall);
    const rss = Math.max(...entry.rss);
    console.log(`| ${contender.label} | ${fmt(wall.median, 2)} | ${fmt(wall.min, 2)}–${fmt(wall.max, 2)} | ${fmt(rss, 0)} | ${fmt(wall.median / base, 2)}x | ${entry.psi?.toPrecision(12)} |`);
    return { id: contender.id, label: contender.label, wall, peak_rss_mb: rss, overall_psi: entry.psi };
  });
  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `parquet-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ rows, codec, reps, parquet_bytes: statSync(parquet).size, results }, null, 1));
}
