/**
 * `npm run bench` / `npm run bench -- compare [--sizes 225745,2830743] [--reps 3]
 *   [--evidently-rows N] [--only id,id] [--timeout 600]`
 *
 * driftcatcher side by side with the Python tools a user would run instead, on synthetic
 * CICIDS-shaped data (bench/data.ts): a training profile (225,745 rows, seed 1) and a `mild`-drift
 * batch (seed 2) at each size, as CSV and as Arrow IPC. Every contender is a child process started
 * through bench/peers/measure.py, so wall time, CPU time and peak RSS are measured the same way for
 * everyone (process start-up and imports included; the in-process seconds each one reports are
 * shown beside). In each repetition the contenders run in a rotated order; medians and min-max
 * are reported, with the ratio to driftcatcher's 2-worker CSV scan measured in the same run.
 *
 * Every driftcatcher run uses `--compat driftcatcher`, and every Python peer bins on the profile's
 * compat edges, so all of them compute the same PSI: the harness checks each one's overall and
 * per-feature PSI against an untimed `--compat driftcatcher` reference run to 1e-9. Evidently bins
 * its own way (equal-width Sturges bins over reference + current): its value is shown with the
 * reason. Results go to stdout (tables) and bench/results/compare-<timestamp>.json;
 * `npm run bench -- report` renders that file as the Markdown of docs/BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { createBaseline, saveProfile } from '../engine/index.js';
import { packageRoot } from '../engine/util/paths.js';
import { ensureData, TRAIN_ROWS } from './data.js';
import { ensureBenchPython, peerVersions } from './python.js';
import { measureBinning } from './scan.js';
import { fmt, summarise, table, type Timing } from './stats.js';

export const DEFAULT_SIZES = [225_745, 2_830_743];
/** overall and per-feature PSI must agree with the compat reference to this (absolute) */
export const PSI_TOLERANCE = 1e-9;
/** the contender every ratio is taken against */
export const RATIO_BASE = 'dc-csv-w2';

export interface CompareOptions {
  sizes: number[];
  reps: number;
  /** Evidently reads only the first N rows of each file (null: all of them) */
  evidentlyRows: number | null;
  /** contender ids to run (null: all) */
  only: string[] | null;
  /** seconds a single run may take before it is killed and the contender dropped at that size */
  timeoutS: number;
}

interface Inputs {
  rows: number;
  train: string;
  profile: string;
  csv: string;
  csvBytes: number;
  arrow: string;
  arrowBytes: number;
  smallest: boolean;
}

interface Contender {
  id: string;
  label: string;
  family: 'driftcatcher' | 'python';
  input: 'csv' | 'arrow';
  /** true: its PSI must equal the compat reference; a string: why it does not */
  agrees: true | string;
  applies(inputs: Inputs, options: CompareOptions): boolean;
  command(inputs: Inputs, python: string, options: CompareOptions): string[];
  /** a note for the table (a subsample, ...) */
  note?(inputs: Inputs, options: CompareOptions): string | undefined;
}

/** What one run printed and how it was measured. */
export interface RunResult {
  wall_s: number;
  user_s: number;
  sys_s: number;
  max_rss_kb: number;
  exit: number;
  timed_out: boolean;
  /** seconds the contender reports for its own work (imports and process start excluded) */
  in_process_s?: number;
  phases?: Record<string, number>;
  overall_psi?: number;
  feature_psi?: Record<string, number>;
  rows?: number;
  workers?: number;
  kernel?: string;
  error?: string;
}

export interface ContenderSummary {
  id: string;
  label: string;
  family: 'driftcatcher' | 'python';
  input: 'csv' | 'arrow';
  note?: string;
  runs: RunResult[];
  wall?: Timing;
  in_process_median_s?: number;
  cpu_median_s?: number;
  max_rss_mb?: number;
  rss_median_mb?: number;
  rows_per_s?: number;
  csv_mb_per_s?: number;
  input_mb_per_s?: number;
  /** this contender's median wall time / driftcatcher 2-worker CSV median (how many times slower) */
  ratio_to_driftcatcher?: number;
  overall_psi?: number;
  /** largest |overall PSI - reference| over the runs */
  psi_delta?: number;
  /** largest |feature PSI - reference| over runs and features */
  feature_psi_delta?: number;
  agrees: boolean | string;
  error?: string;
}

export interface SizeResult {
  rows: number;
  files: { train: string; profile: string; csv: string; csv_bytes: number; arrow: string; arrow_bytes: number };
  reference: { overall_psi: number; n_features: number; command: string };
  contenders: ContenderSummary[];
}

export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface CompareResults {
  kind: 'compare';
  command: string;
  started: string;
  finished: string;
  options: CompareOptions;
  machine: { cpus: number; model: string; memory_gib: number; loadavg_start: number[]; loadavg_end: number[]; os: string };
  versions: Record<string, string>;
  git: string;
  binning: { values: number; kernel: string; reps: number; median_s: number; min_s: number; max_s: number; g_values_per_s: number; g_values_per_s_best: number };
  sizes: SizeResult[];
  targets: Target[];
}

/**
 * Extra arguments of every driftcatcher scan: `--no-record` where the CLI has it, so that no
 * run goes to the local ledger (or MLflow) while benchmarking; the peers record nothing either.
 */
export function scanExtraArgs(): string[] {
  const help = spawnSync(process.execPath, [join(packageRoot(), 'dist', 'cli', 'main.js'), 'scan', '--help'], { encoding: 'utf8' });
  return help.stdout.includes('--no-record') ? ['--no-record'] : [];
}

let extraArgs: string[] = [];

const DC = (input: 'csv' | 'arrow', workers: number | null): Contender => ({
  id: `dc-${input}-${workers === null ? 'auto' : `w${workers}`}`,
  label: `driftcatcher scan, ${input === 'csv' ? 'CSV' : 'Arrow IPC'}, ${workers === null ? 'default workers' : `${workers} worker${workers === 1 ? '' : 's'}`}`,
  family: 'driftcatcher',
  input,
  agrees: true,
  applies: () => true,
  command: (inputs) => [
    process.execPath,
    join(packageRoot(), 'dist', 'cli', 'main.js'),
    'scan',
    '--baseline',
    inputs.profile,
    input === 'csv' ? inputs.csv : inputs.arrow,
    '--compat',
    'driftcatcher',
    '--json',
    ...(workers === null ? [] : ['--workers', String(workers)]),
    ...extraArgs,
  ],
});

const PEER = (id: string, script: string, label: string): Contender => ({
  id,
  label,
  family: 'python',
  input: 'csv',
  agrees: true,
  applies: () => true,
  command: (inputs, python) => [python, join(packageRoot(), 'bench', 'peers', script), inputs.profile, inputs.csv],
});

const EVIDENTLY_REASON =
  'Evidently bins each column on equal-width Sturges bins over reference + current (or per distinct value when the reference has <= 20), not on the training deciles, and fills empty bins its own way';

/**
 * Rows Evidently reads of each file (null: all). It runs at the smallest size only; at most
 * TRAIN_ROWS rows by default (one run at 225,745 rows takes 1-2 minutes here, so more would pass
 * the issue's 10-minute bound), or --evidently-rows.
 */
function evidentlyRows(inputs: Inputs, options: CompareOptions): number | null {
  const rows = options.evidentlyRows ?? (inputs.rows > TRAIN_ROWS ? TRAIN_ROWS : null);
  return rows !== null && rows < inputs.rows ? rows : null;
}

export const CONTENDERS: Contender[] = [
  DC('csv', 1),
  DC('csv', 2),
  DC('csv', null),
  DC('arrow', 2),
  PEER('pandas', 'pandas_driftcatcher.py', 'DriftCatcher (Python): pandas read_csv + np.histogram PSI'),
  PEER('pyarrow', 'pyarrow_numpy.py', 'pyarrow csv.read_csv + numpy PSI'),
  PEER('polars', 'polars_numpy.py', 'polars read_csv + numpy PSI'),
  PEER('duckdb', 'duckdb_sql.py', 'DuckDB read_csv + histogram in SQL'),
  {
    id: 'evidently',
    label: 'Evidently DataDriftPreset(method="psi")',
    family: 'python',
    input: 'csv',
    agrees: EVIDENTLY_REASON,
    applies: (inputs) => inputs.smallest,
    command: (inputs, python, options) => {
      const rows = evidentlyRows(inputs, options);
      return [python, join(packageRoot(), 'bench', 'peers', 'evidently_preset.py'), inputs.profile, inputs.csv, inputs.train, ...(rows === null ? [] : ['--rows', String(rows)])];
    },
    note: (inputs, options) => {
      const rows = evidentlyRows(inputs, options);
      return rows === null ? `all rows; also reads the ${TRAIN_ROWS.toLocaleString('en-US')}-row training CSV` : `subsample: first ${rows.toLocaleString('en-US')} rows of training and batch`;
    },
  },
];

function parseOptions(args: string[]): CompareOptions {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const known = new Set(['--sizes', '--reps', '--evidently-rows', '--only', '--timeout']);
  for (let i = 0; i < args.length; i += 2) {
    if (!known.has(args[i]!)) throw new Error(`bench compare: unknown option "${args[i]}": expected ${[...known].join(', ')}`);
  }
  const sizes = (value('--sizes') ?? DEFAULT_SIZES.join(',')).split(',').map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error(`bench compare: --sizes must be row counts, got "${value('--sizes')}"`);
  const reps = Number(value('--reps') ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bench compare: --reps must be a positive integer`);
  const evidentlyRows = value('--evidently-rows') === undefined ? null : Number(value('--evidently-rows'));
  const only = value('--only')?.split(',').map((s) => s.trim()) ?? null;
  const unknown = only?.filter((id) => !CONTENDERS.some((c) => c.id === id)) ?? [];
  if (unknown.length) throw new Error(`bench compare: unknown contender ${unknown.join(', ')}: expected ${CONTENDERS.map((c) => c.id).join(', ')}`);
  return { sizes: [...sizes].sort((a, b) => a - b), reps, evidentlyRows, only, timeoutS: Number(value('--timeout') ?? 600) };
}

/** Run one contender through measure.py; parse what it printed. */
function runOnce(contender: Contender, inputs: Inputs, python: string, options: CompareOptions, scratch: string): RunResult {
  const out = join(scratch, `${contender.id}.out`);
  const err = join(scratch, `${contender.id}.err`);
  const command = contender.command(inputs, python, options);
  const measured = spawnSync(python, [join(packageRoot(), 'bench', 'peers', 'measure.py'), out, err, String(options.timeoutS), '--', ...command], { encoding: 'utf8' });
  if (measured.status !== 0) throw new Error(`bench: measure.py failed: ${measured.stderr}`);
  const result = JSON.parse(measured.stdout) as RunResult;
  if (result.timed_out) return { ...result, error: `timed out after ${options.timeoutS} s` };
  if (result.exit !== 0) {
    const tail = readFileSync(err, 'utf8').trim().split('\n').slice(-3).join(' | ');
    return { ...result, error: `exit ${result.exit}: ${tail}` };
  }
  try {
    const printed = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    if (contender.family === 'driftcatcher') {
      const combined = printed['combined'] as { overall_psi: number; features: Array<{ name: string; psi: number }>; current: { rows: number } };
      return {
        ...result,
        in_process_s: printed['seconds'] as number,
        overall_psi: combined.overall_psi,
        feature_psi: Object.fromEntries(combined.features.map((f) => [f.name, f.psi])),
        rows: combined.current.rows,
        workers: printed['workers'] as number,
        kernel: printed['kernel'] as string,
      };
    }
    const features = printed['features'] as Array<{ name: string; psi: number }>;
    return {
      ...result,
      in_process_s: printed['seconds'] as number,
      phases: printed['phases'] as Record<string, number>,
      overall_psi: printed['overall_psi'] as number,
      feature_psi: Object.fromEntries(features.map((f) => [f.name, f.psi])),
      rows: printed['rows'] as number,
    };
  } catch (e) {
    return { ...result, error: `unreadable output: ${(e as Error).message}` };
  }
}

/** Read a file once so that every contender finds it in the page cache. */
function warmPageCache(file: string): void {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 22);
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function median(values: number[]): number {
  return summarise(values).median;
}

function summariseContender(contender: Contender, inputs: Inputs, options: CompareOptions, runs: RunResult[], reference: { overall: number; features: Record<string, number> }): ContenderSummary {
  const ok = runs.filter((r) => !r.error);
  const failed = runs.find((r) => r.error);
  const summary: ContenderSummary = {
    id: contender.id,
    label: contender.label,
    family: contender.family,
    input: contender.input,
    note: contender.note?.(inputs, options),
    runs,
    agrees: contender.agrees === true ? true : contender.agrees,
    error: failed?.error,
  };
  if (!ok.length) return { ...summary, agrees: false };
  const wall = summarise(ok.map((r) => r.wall_s));
  const rows = ok[0]!.rows ?? inputs.rows;
  let psiDelta = 0;
  let featureDelta = 0;
  for (const run of ok) {
    psiDelta = Math.max(psiDelta, Math.abs((run.overall_psi ?? NaN) - reference.overall));
    for (const [name, psi] of Object.entries(reference.features)) featureDelta = Math.max(featureDelta, Math.abs((run.feature_psi?.[name] ?? NaN) - psi));
  }
  if (Number.isNaN(psiDelta)) psiDelta = Infinity;
  if (Number.isNaN(featureDelta)) featureDelta = Infinity;
  const rowsOk = ok.every((r) => r.rows === rows) && (contender.id !== 'evidently' ? rows === inputs.rows : true);
  let agrees: boolean | string = summary.agrees;
  if (contender.agrees === true) agrees = rowsOk && psiDelta <= PSI_TOLERANCE && featureDelta <= PSI_TOLERANCE;
  return {
    ...summary,
    wall,
    in_process_median_s: ok.every((r) => r.in_process_s !== undefined) ? median(ok.map((r) => r.in_process_s!)) : undefined,
    cpu_median_s: median(ok.map((r) => r.user_s + r.sys_s)),
    max_rss_mb: Math.max(...ok.map((r) => r.max_rss_kb)) / 1024,
    rss_median_mb: median(ok.map((r) => r.max_rss_kb)) / 1024,
    rows_per_s: rows / wall.median,
    csv_mb_per_s: (inputs.csvBytes * (rows / inputs.rows)) / wall.median / 1e6,
    input_mb_per_s: ((contender.input === 'arrow' ? inputs.arrowBytes : inputs.csvBytes) * (rows / inputs.rows)) / wall.median / 1e6,
    overall_psi: ok[0]!.overall_psi,
    psi_delta: psiDelta,
    feature_psi_delta: featureDelta,
    agrees,
  };
}

async function prepareSize(rows: number, smallest: boolean, train: string, profile: string): Promise<Inputs> {
  const csv = await ensureData({ rows, seed: 2, drift: 'mild', format: 'csv' });
  const arrow = await ensureData({ rows, seed: 2, drift: 'mild', format: 'arrow' });
  return { rows, train, profile, csv, csvBytes: statSync(csv).size, arrow, arrowBytes: statSync(arrow).size, smallest };
}

function gitDescription(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: packageRoot(), encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: packageRoot(), encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`;
}

function cpuModel(): string {
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' });
  const line = lscpu.status === 0 ? lscpu.stdout.split('\n').find((l) => l.startsWith('Model name:')) : undefined;
  return line ? line.slice('Model name:'.length).trim() : (cpus()[0]?.model ?? 'unknown');
}

/** 3 significant digits, without an exponent */
export function sig(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return value.toFixed(digits);
}

export function compareTables(results: CompareResults): string {
  const parts: string[] = [];
  for (const size of results.sizes) {
    const header = ['contender', 'median s', 'min-max s', 'in-proc s', 'CPU s', 'M rows/s', 'CSV MB/s', 'input MB/s', 'peak RSS MB', 'x dc 2w', 'overall PSI', '|d| vs compat'];
    const rows = size.contenders.map((c) =>
      c.wall
        ? [
            c.label + (c.note ? ` [${c.note}]` : ''),
            fmt(c.wall.median, 2),
            `${fmt(c.wall.min, 2)}-${fmt(c.wall.max, 2)}`,
            c.in_process_median_s === undefined ? '-' : fmt(c.in_process_median_s, 2),
            fmt(c.cpu_median_s!, 2),
            sig(c.rows_per_s! / 1e6),
            sig(c.csv_mb_per_s!),
            sig(c.input_mb_per_s!),
            fmt(c.max_rss_mb!, 0),
            c.ratio_to_driftcatcher === undefined ? '-' : `${fmt(c.ratio_to_driftcatcher, c.ratio_to_driftcatcher >= 10 ? 0 : 2)}x`,
            c.overall_psi === undefined ? '-' : c.overall_psi.toPrecision(12),
            c.agrees === true ? `${c.psi_delta!.toExponential(1)} ok` : typeof c.agrees === 'string' ? `${c.psi_delta!.toExponential(1)} (bins differ)` : `${c.psi_delta!.toExponential(1)} DIFFERS`,
          ]
        : [c.label, 'failed', c.error ?? '', '', '', '', '', '', '', '', '', ''],
    );
    const mb = (size.files.csv_bytes / 1e6).toFixed(0);
    parts.push(
      `${size.rows.toLocaleString('en-US')} rows x ${size.reference.n_features} features: CSV ${mb} MB, Arrow IPC ${(size.files.arrow_bytes / 1e6).toFixed(0)} MB; ` +
        `${results.options.reps} reps; compat reference overall PSI ${size.reference.overall_psi.toPrecision(17)}`,
    );
    parts.push(table(header, rows), '');
  }
  parts.push(`binning (${results.binning.kernel} kernel, one thread, ${results.binning.values} values, ${results.binning.reps} reps): ${fmt(results.binning.g_values_per_s, 3)} G values/s median, ${fmt(results.binning.g_values_per_s_best, 3)} best`);
  parts.push('', table(['target', 'measured', 'met'], results.targets.map((t) => [t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO'])));
  parts.push('', `machine: ${results.machine.cpus} x ${results.machine.model}, ${results.machine.memory_gib} GiB; load ${results.machine.loadavg_start.map((l) => l.toFixed(2)).join(' ')} at start, ${results.machine.loadavg_end.map((l) => l.toFixed(2)).join(' ')} at end`);
  parts.push(`versions: ${Object.entries(results.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return parts.join('\n');
}

function targets(results: Omit<CompareResults, 'targets'>): Target[] {
  const out: Target[] = [];
  const largest = results.sizes[results.sizes.length - 1];
  for (const size of results.sizes) {
    const by = (id: string) => size.contenders.find((c) => c.id === id);
    const base = by(RATIO_BASE)?.wall?.median;
    const at = `${size.rows.toLocaleString('en-US')} rows`;
    if (base === undefined) continue;
    const peers = size.contenders.filter((c) => ['pyarrow', 'polars', 'duckdb', 'pandas'].includes(c.id) && c.wall);
    if (peers.length) {
      const fastest = peers.reduce((a, b) => (a.wall!.median <= b.wall!.median ? a : b));
      out.push({ target: `${at}: dc 2-worker CSV scan >= fastest Python peer`, measured: `${fmt(base, 2)} s vs ${fastest.id} ${fmt(fastest.wall!.median, 2)} s (${fmt(fastest.wall!.median / base, 2)}x)`, met: base <= fastest.wall!.median });
    }
    const pandas = by('pandas');
    if (pandas?.wall) out.push({ target: `${at}: >= 20x the pandas path`, measured: `${fmt(pandas.wall.median / base, 2)}x`, met: pandas.wall.median / base >= 20 });
    const evidently = by('evidently');
    if (evidently?.wall) out.push({ target: `${at}: >= 100x Evidently`, measured: `${fmt(evidently.wall.median / base, 1)}x${evidently.note?.startsWith('subsample') ? ' (subsample)' : ''}`, met: evidently.wall.median / base >= 100 });
    const arrow = by('dc-arrow-w2');
    if (arrow?.wall) out.push({ target: `${at}: Arrow IPC scan >= 1 GB/s`, measured: `${fmt(arrow.input_mb_per_s! / 1000, 3)} GB/s (in-process ${fmt(size.files.arrow_bytes / arrow.in_process_median_s! / 1e9, 3)} GB/s)`, met: arrow.input_mb_per_s! >= 1000 });
  }
  out.push({ target: 'binning >= 0.5 G values/s per core', measured: `${fmt(results.binning.g_values_per_s, 3)} G values/s median, ${fmt(results.binning.g_values_per_s_best, 3)} best of ${results.binning.reps} (${results.binning.kernel} kernel, one thread)`, met: results.binning.g_values_per_s >= 0.5 });
  if (largest) {
    const dc = largest.contenders.filter((c) => c.family === 'driftcatcher' && c.max_rss_mb !== undefined);
    if (dc.length) {
      const worst = dc.reduce((a, b) => (a.max_rss_mb! >= b.max_rss_mb! ? a : b));
      out.push({ target: `peak RSS <= 300 MB at ${largest.rows.toLocaleString('en-US')} rows`, measured: `${fmt(worst.max_rss_mb!, 0)} MB (${worst.id}); ${dc.map((c) => `${c.id} ${fmt(c.max_rss_mb!, 0)}`).join(', ')}`, met: worst.max_rss_mb! <= 300 });
    }
  }
  out.push({ target: 'scaling to 16 workers >= 12x', measured: 'not measured: no 16-core device machine was lent to this task', met: null });
  return out;
}

export async function benchCompare(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const started = new Date();
  const loadStart = loadavg();
  const python = ensureBenchPython();
  extraArgs = scanExtraArgs();
  const versions = { node: process.version, ...peerVersions(python) };
  const dir = join(packageRoot(), 'bench', 'data');
  const contenders = CONTENDERS.filter((c) => options.only === null || options.only.includes(c.id) || c.id === RATIO_BASE);

  // the training data and its profile (rebuilt each run: the engine may have changed)
  const train = await ensureData({ rows: TRAIN_ROWS, seed: 1, drift: 'none', format: 'csv' });
  const profile = join(dir, `profile-train-${TRAIN_ROWS}.json`);
  await saveProfile(await createBaseline(train), profile);

  const binReps = 9;
  const binning = measureBinning(binReps, ['wasm-simd']);
  const bin = binning.timings['wasm-simd']!;
  const scratch = mkdtempSync(join(tmpdir(), 'dc-bench-'));
  const sizes: SizeResult[] = [];
  try {
    for (const rows of options.sizes) {
      const inputs = await prepareSize(rows, rows === options.sizes[0], train, profile);
      for (const file of [inputs.csv, inputs.arrow, inputs.train]) warmPageCache(file);
      const active = contenders.filter((c) => c.applies(inputs, options));
      console.error(`bench compare: ${rows} rows (${(inputs.csvBytes / 1e6).toFixed(0)} MB CSV), ${active.length} contenders x ${options.reps} reps`);

      // the compat reference (untimed; it also warms up node's compile cache)
      const refCommand = [process.execPath, join(packageRoot(), 'dist', 'cli', 'main.js'), 'scan', '--baseline', profile, inputs.csv, '--compat', 'driftcatcher', '--json', '--workers', '0', ...extraArgs];
      const ref = spawnSync(refCommand[0]!, refCommand.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (ref.status !== 0) throw new Error(`bench: the reference scan failed: ${ref.stderr}`);
      const refReport = (JSON.parse(ref.stdout) as { combined: { overall_psi: number; features: Array<{ name: string; psi: number }> } }).combined;
      const reference = { overall: refReport.overall_psi, features: Object.fromEntries(refReport.features.map((f) => [f.name, f.psi])) };

      // warm-up at the smallest size: every contender once (not Evidently: a minute), untimed;
      // it also shows that each one works before the long runs
      if (inputs.smallest) {
        for (const c of active.filter((c) => c.id !== 'evidently')) {
          const warm = runOnce(c, inputs, python, options, scratch);
          if (warm.error) console.error(`bench:   warm-up ${c.id}: ${warm.error}`);
        }
      }

      const runs: Record<string, RunResult[]> = Object.fromEntries(active.map((c) => [c.id, []]));
      const dropped = new Set<string>();
      for (let rep = 0; rep < options.reps; rep++) {
        const order = active.map((_, i) => active[(i + rep) % active.length]!);
        for (const c of order) {
          if (dropped.has(c.id)) continue;
          const result = runOnce(c, inputs, python, options, scratch);
          runs[c.id]!.push(result);
          if (result.error) dropped.add(c.id);
          const psi = result.overall_psi === undefined ? '' : `, PSI ${result.overall_psi.toPrecision(10)}`;
          console.error(`bench:   [${rep + 1}/${options.reps}] ${c.id}: ${result.error ?? `${fmt(result.wall_s, 2)} s, ${(result.max_rss_kb / 1024).toFixed(0)} MB${psi}`}`);
        }
      }
      const summaries = active.map((c) => summariseContender(c, inputs, options, runs[c.id]!, reference));
      const base = summaries.find((s) => s.id === RATIO_BASE)?.wall?.median;
      for (const s of summaries) if (s.wall && base !== undefined) s.ratio_to_driftcatcher = s.wall.median / base;
      const rel = (p: string) => relative(packageRoot(), p);
      sizes.push({
        rows,
        files: { train: rel(train), profile: rel(profile), csv: rel(inputs.csv), csv_bytes: inputs.csvBytes, arrow: rel(inputs.arrow), arrow_bytes: inputs.arrowBytes },
        reference: { overall_psi: reference.overall, n_features: refReport.features.length, command: `driftcatcher ${refCommand.slice(2).map((a) => (a.startsWith('/') ? rel(a) : a)).join(' ')}` },
        contenders: summaries,
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const partial: Omit<CompareResults, 'targets'> = {
    kind: 'compare',
    command: `npm run bench -- compare ${args.join(' ')}`.trim(),
    started: started.toISOString(),
    finished: new Date().toISOString(),
    options,
    machine: { cpus: cpus().length, model: cpuModel(), memory_gib: Math.round(totalmem() / 2 ** 30), loadavg_start: loadStart, loadavg_end: loadavg(), os: `${process.platform} ${process.arch}` },
    versions,
    git: gitDescription(),
    binning: { values: binning.n, kernel: 'wasm-simd', reps: binReps, median_s: bin.median, min_s: bin.min, max_s: bin.max, g_values_per_s: binning.n / bin.median / 1e9, g_values_per_s_best: binning.n / bin.min / 1e9 },
    sizes,
  };
  const results: CompareResults = { ...partial, targets: targets(partial) };
  console.log('\n' + compareTables(results));
  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const out = join(resultsDir, `compare-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, JSON.stringify(results, null, 1));
  console.error(`results: ${relative(packageRoot(), out)} (render as Markdown: npm run bench -- report ${relative(packageRoot(), out)})`);
}
