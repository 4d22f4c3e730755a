/**
 * `npm run bench -- train [--rows N] [--trees T] [--iterations I] [--no-in-memory] [--no-sklearn]`:
 * the random forest and gradient-boosted trees on a synthetic CICIDS-shaped file (225,745 rows by
 * default; the training file of the other benchmarks). `--iterations I` fixes every boosting
 * contender at I iterations with early stopping off (ours `max_iter=I early_stopping=false`,
 * HistGradientBoosting `max_iter=I, early_stopping=False`, LightGBM `n_estimators=I`); without it
 * the boosting runs on HistGradientBoosting's defaults. `--no-in-memory` skips our in-memory fits
 * (the `driftcatcher forest` / `driftcatcher gbt` rows), leaving the CLI's bounded-memory path
 * against the peers: the size where the whole float64 table is what the peers pay, not us.
 *
 * The file is read, cleaned (rows with non-finite features dropped) and split 80/20 (stratified,
 * seed 42) once, in a child process (the parent stays small: a child's peak RSS starts at its
 * parent's RSS at the fork); the split goes to bench/data/train-split-<rows>/ as raw float64 columns. Then,
 * each in its own process so that peak RSS is its own:
 *   - driftcatcher's forest with 1 and with 2 workers (T trees, max_features sqrt, seed 42);
 *   - scikit-learn's RandomForestClassifier(n_estimators=T, max_features='sqrt', n_jobs=2) on the
 *     same split (bench/peers/sklearn_rf.py, with the python of .venv-bench or else .venv, when
 *     one has scikit-learn);
 *   - driftcatcher's gradient-boosted trees (one worker: boosting is one task) and scikit-learn's
 *     HistGradientBoostingClassifier (OMP_NUM_THREADS=2, bench/peers/sklearn_hgb.py), both with
 *     HistGradientBoosting's defaults (early stopping auto) or `--iterations`, in a table of their own;
 *   - LightGBM's LGBMClassifier (its defaults or `--iterations`, n_jobs=2, bench/peers/lightgbm_gbt.py) when the
 *     venv has it, in the boosting table;
 *   - `driftcatcher train --model rf` and `--model gbt` end to end (the bounded-memory path:
 *     streaming passes over the CSV, u8 bins; read, clean, split, fit with 2 workers, evaluate,
 *     write model + profile + metrics), with the child's peak RSS.
 * Reported: fit seconds (wall) and fit CPU seconds (all threads: on a busy machine the wall time
 * says more about the neighbours than about the code), peak RSS (the peers': the whole loaded
 * split included, and their load seconds in the note), test accuracy and ROC AUC, and scikit-learn's fit time over
 * each contender's. Results also go to bench/results/train-*.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { classificationMetrics, dropNonFinite, FOREST_DEFAULTS, forestMemoryBytes, forestPredict, GBT_DEFAULTS, gbtPredict, readLabelledData, stratifiedSplit, takeRows, trainForest, trainGbt, TrainPool, type Dataset } from '../engine/model/index.js';
import { packageRoot } from '../engine/util/paths.js';
import { ensureData, TRAIN_ROWS } from './data.js';
import { fmt, table } from './stats.js';

interface Outcome {
  name: string;
  fit_seconds: number;
  /** CPU seconds of the fit, all threads (robust to a busy machine, unlike wall time) */
  fit_cpu_seconds: number | null;
  peak_rss_bytes: number | null;
  accuracy: number;
  roc_auc: number;
  /** the peers': seconds to read the saved split into memory (their share of the whole-table cost) */
  load_seconds?: number;
  note?: string;
}

/** A peer's note: its version and what it spent reading the whole split. */
function peerNote(r: { load_seconds?: number }, what: string): string {
  return r.load_seconds === undefined ? what : `${what}, split read in ${fmt(r.load_seconds, 1)} s`;
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function splitDir(rows: number): string {
  return join(packageRoot(), 'bench', 'data', `train-split-${rows}`);
}

/** Write the cleaned 80/20 split as feature-major float64 + u8 labels (the peers' format). */
async function prepareSplit(file: string, rows: number): Promise<{ dir: string; trainRows: number; testRows: number; features: number; dropped: number }> {
  const dir = splitDir(rows);
  const meta = join(dir, 'meta.json');
  if (existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    if (m.source_bytes === readFileSync(file).length) return { dir, trainRows: m.train_rows, testRows: m.test_rows, features: m.features, dropped: m.dropped };
  }
  const read = await readLabelledData([file]);
  const { dataset, dropped } = dropNonFinite(read);
  const split = stratifiedSplit(dataset.labels, 0.2, 42);
  const train = takeRows(dataset, split.train);
  const test = takeRows(dataset, split.test);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const write = (part: string, data: Dataset) => {
    const x = new Float64Array(data.rows * data.columns.length);
    data.columns.forEach((column, f) => x.set(column, f * data.rows));
    writeFileSync(join(dir, `X_${part}.f64`), x);
    writeFileSync(join(dir, `y_${part}.u8`), data.labels);
  };
  write('train', train);
  write('test', test);
  writeFileSync(meta, JSON.stringify({ train_rows: train.rows, test_rows: test.rows, features: train.columns.length, dropped, source_bytes: readFileSync(file).length }));
  return { dir, trainRows: train.rows, testRows: test.rows, features: train.columns.length, dropped };
}

function loadPart(dir: string, part: string, rows: number, features: number): Dataset {
  const bytes = readFileSync(join(dir, `X_${part}.f64`));
  const x = new Float64Array(bytes.buffer, bytes.byteOffset, rows * features);
  const columns = Array.from({ length: features }, (_, f) => x.slice(f * rows, (f + 1) * rows));
  return { featureNames: columns.map((_, f) => `f${f}`), columns, labels: new Uint8Array(readFileSync(join(dir, `y_${part}.u8`))), rows };
}

/** In a child process: fit on the saved split with `workers`, print one JSON line. */
async function child(args: string[]): Promise<void> {
  const dir = args[args.indexOf('--dir') + 1]!;
  const workers = argValue(args, '--workers', 2);
  const trees = argValue(args, '--trees', 100);
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  const train = loadPart(dir, 'train', meta.train_rows, meta.features);
  const test = loadPart(dir, 'test', meta.test_rows, meta.features);
  if (args.includes('--gbt')) {
    // gradient-boosted trees, scikit-learn HistGradientBoosting's defaults or --iterations without early stopping (one task: one worker)
    const iterations = argValue(args, '--iterations', 0);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const pool = new TrainPool({ workers }, 0);
    const trained = await trainGbt(pool, train, { ...GBT_DEFAULTS, ...(iterations > 0 ? { maxIter: iterations, earlyStopping: false } : {}), seed: 42 });
    await pool.close();
    const fitSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const { proba, pred } = gbtPredict(trained.booster, test.columns, test.rows);
    const metrics = classificationMetrics(test.labels, pred, proba);
    process.stdout.write(JSON.stringify({ fit_seconds: fitSeconds, fit_cpu_seconds: (cpu.user + cpu.system) / 1e6, peak_rss_bytes: process.resourceUsage().maxRSS * 1024, accuracy: metrics.accuracy, roc_auc: metrics.roc_auc, kernel: trained.kernel, nodes: trained.nodes, iterations: trained.iterations }) + '\n');
    return;
  }
  const params = { ...FOREST_DEFAULTS, nEstimators: trees, seed: 42 };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const pool = new TrainPool({ workers }, forestMemoryBytes(train.rows, meta.features, params, Math.max(1, workers)));
  const trained = await trainForest(pool, train, params);
  await pool.close();
  const fitSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const { proba, pred } = forestPredict(trained.forest, test.columns, test.rows);
  const metrics = classificationMetrics(test.labels, pred, proba);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ fit_seconds: fitSeconds, fit_cpu_seconds: (cpu.user + cpu.system) / 1e6, peak_rss_bytes: peak, accuracy: metrics.accuracy, roc_auc: metrics.roc_auc, kernel: trained.kernel, nodes: trained.nodes }) + '\n');
}

function runJson(command: string, args: string[]): any {
  return runJsonEnv(command, args, {});
}

function runJsonEnv(command: string, args: string[], env: Record<string, string>): any {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const text = result.stdout.trim();
  // the CLI prints one indented object; the peers and the child print one line
  return JSON.parse(text.startsWith('{\n') ? text : text.split('\n').pop()!);
}

/** A python that can import scikit-learn: the bench venv's, else the tests' venv's. */
function sklearnPython(): string | null {
  const root = packageRoot();
  for (const venv of ['.venv-bench', '.venv']) {
    const python = join(root, venv, 'bin', 'python');
    if (existsSync(python) && spawnSync(python, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) return python;
  }
  return null;
}

export async function benchTrain(args: string[]): Promise<void> {
  if (args.includes('--child')) return child(args);
  if (args.includes('--prepare')) {
    process.stdout.write(JSON.stringify(await prepareSplit(args[args.indexOf('--file') + 1]!, argValue(args, '--rows', TRAIN_ROWS))) + '\n');
    return;
  }
  const rows = argValue(args, '--rows', TRAIN_ROWS);
  const trees = argValue(args, '--trees', 100);
  /** 0: HistGradientBoosting's defaults (early stopping auto); else that many iterations, early stopping off */
  const iterations = argValue(args, '--iterations', 0);
  const inMemory = !args.includes('--no-in-memory');
  const file = await ensureData({ rows, seed: 1, drift: 'none', format: 'csv' });
  const self = join(packageRoot(), 'dist', 'bench', 'run.js');
  // the split (the whole table) is made in a child: on Linux a child's peak RSS starts at its
  // parent's RSS when it was forked, so a parent that had held the table would inflate each contender's
  const prepareStarted = performance.now();
  const split: Awaited<ReturnType<typeof prepareSplit>> = runJson(process.execPath, [self, 'train', '--prepare', '--file', file, '--rows', String(rows)]);
  const prepareSeconds = (performance.now() - prepareStarted) / 1000;
  console.error(`bench train: ${rows} rows (${split.dropped} with non-finite features dropped), ${split.trainRows} train / ${split.testRows} test, ${split.features} features, ${trees} trees, gbt ${iterations > 0 ? `${iterations} iterations, no early stopping` : 'defaults'}; split ready in ${fmt(prepareSeconds, 1)} s`);
  const outcomes: Outcome[] = [];
  for (const workers of inMemory ? [1, 2] : []) {
    console.error(`  driftcatcher forest, ${workers} worker(s)...`);
    const r = runJson(process.execPath, [self, 'train', '--child', '--dir', split.dir, '--workers', String(workers), '--trees', String(trees)]);
    outcomes.push({ name: `driftcatcher forest, ${workers} worker${workers > 1 ? 's' : ''}`, fit_seconds: r.fit_seconds, fit_cpu_seconds: r.fit_cpu_seconds, peak_rss_bytes: r.peak_rss_bytes, accuracy: r.accuracy, roc_auc: r.roc_auc, note: `${r.kernel}, ${r.nodes} nodes` });
  }
  const python = args.includes('--no-sklearn') ? null : sklearnPython();
  if (python) {
    console.error('  scikit-learn RandomForestClassifier, n_jobs=2...');
    const r = runJson(python, [join(packageRoot(), 'bench', 'peers', 'sklearn_rf.py'), split.dir, String(trees), '2', '42']);
    outcomes.push({ name: 'scikit-learn RandomForest, n_jobs=2', fit_seconds: r.fit_seconds, fit_cpu_seconds: r.fit_cpu_seconds, peak_rss_bytes: r.peak_rss_bytes, accuracy: r.accuracy, roc_auc: r.roc_auc, load_seconds: r.load_seconds, note: peerNote(r, `scikit-learn ${r.sklearn}`) });
  } else console.error('  scikit-learn: not available (no venv with scikit-learn), skipped');

  // gradient-boosted trees side by side: ours (one task, so one worker) and scikit-learn's HistGradientBoosting on 2 threads
  const boosting: Outcome[] = [];
  const fixed = iterations > 0 ? [String(iterations)] : [];
  if (inMemory) {
    console.error(`  driftcatcher gbt (${iterations > 0 ? `${iterations} iterations` : 'HistGradientBoosting defaults'}), 1 worker...`);
    const g = runJson(process.execPath, [self, 'train', '--child', '--gbt', '--dir', split.dir, '--workers', '1', ...(iterations > 0 ? ['--iterations', String(iterations)] : [])]);
    boosting.push({ name: 'driftcatcher gbt, 1 worker', fit_seconds: g.fit_seconds, fit_cpu_seconds: g.fit_cpu_seconds, peak_rss_bytes: g.peak_rss_bytes, accuracy: g.accuracy, roc_auc: g.roc_auc, note: `${g.kernel}, ${g.iterations} iterations, ${g.nodes} nodes` });
  }
  if (python) {
    console.error('  scikit-learn HistGradientBoostingClassifier, 2 threads...');
    const r = runJsonEnv(python, [join(packageRoot(), 'bench', 'peers', 'sklearn_hgb.py'), split.dir, '42', ...fixed], { OMP_NUM_THREADS: '2' });
    boosting.push({ name: 'scikit-learn HistGradientBoosting, 2 threads', fit_seconds: r.fit_seconds, fit_cpu_seconds: r.fit_cpu_seconds, peak_rss_bytes: r.peak_rss_bytes, accuracy: r.accuracy, roc_auc: r.roc_auc, load_seconds: r.load_seconds, note: peerNote(r, `scikit-learn ${r.sklearn}, ${r.iterations} iterations`) });
    if (spawnSync(python, ['-c', 'import lightgbm'], { encoding: 'utf8' }).status === 0) {
      console.error('  LightGBM LGBMClassifier, n_jobs=2...');
      const l = runJson(python, [join(packageRoot(), 'bench', 'peers', 'lightgbm_gbt.py'), split.dir, '42', '2', ...fixed]);
      boosting.push({ name: 'LightGBM, n_jobs=2', fit_seconds: l.fit_seconds, fit_cpu_seconds: l.fit_cpu_seconds, peak_rss_bytes: l.peak_rss_bytes, accuracy: l.accuracy, roc_auc: l.roc_auc, load_seconds: l.load_seconds, note: peerNote(l, `lightgbm ${l.lightgbm}, ${l.iterations} iterations (no early stopping)`) });
    } else console.error('  LightGBM: not installed in that venv (bench/peers/requirements.txt), skipped');
  }

  // `driftcatcher train` end to end from the CSV (the bounded-memory path: streaming passes, u8
  // bins, engine/model/stream.ts), peak RSS of the child (worker threads included) by a preload
  const out = join(packageRoot(), 'bench', 'data', 'train-bench-models');
  const preload = join(packageRoot(), 'bench', 'data', 'peak-rss.mjs');
  const peakFile = join(packageRoot(), 'bench', 'data', 'peak-rss.txt');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const endToEnd = (model: 'rf' | 'gbt'): Outcome => {
    console.error(`  driftcatcher train --model ${model} (CLI, end to end, 2 workers)...`);
    rmSync(out, { recursive: true, force: true });
    const started = performance.now();
    const flags = model === 'rf' ? ['--n-estimators', String(trees)] : iterations > 0 ? ['--param', `max_iter=${iterations}`, '--param', 'early_stopping=false'] : [];
    const cli = runJson(process.execPath, ['--import', preload, join(packageRoot(), 'dist', 'cli', 'main.js'), 'train', file, '--model', model, ...flags, '--workers', '2', '--out', out, '--no-record', '--json']);
    const seconds = (performance.now() - started) / 1000;
    rmSync(out, { recursive: true, force: true });
    const peak = Number(readFileSync(peakFile, 'utf8'));
    return { name: `driftcatcher train --model ${model} (CLI), 2 workers`, fit_seconds: cli.seconds.fit, fit_cpu_seconds: null, peak_rss_bytes: peak, accuracy: cli.metrics.accuracy, roc_auc: cli.metrics.roc_auc, note: `end to end ${fmt(seconds, 1)} s, ${fmt(peak / rows, 0)} B/row read` };
  };
  outcomes.push(endToEnd('rf'));
  boosting.push(endToEnd('gbt'));

  const sklearn = outcomes.find((o) => o.name.startsWith('scikit-learn'));
  const rowsOut = outcomes.map((o) => [
    o.name,
    fmt(o.fit_seconds, 2),
    sklearn ? fmt(sklearn.fit_seconds / o.fit_seconds, 1) + 'x' : '-',
    o.fit_cpu_seconds === null ? '-' : fmt(o.fit_cpu_seconds, 2),
    sklearn?.fit_cpu_seconds && o.fit_cpu_seconds ? fmt(sklearn.fit_cpu_seconds / o.fit_cpu_seconds, 1) + 'x' : '-',
    o.peak_rss_bytes === null ? '-' : fmt(o.peak_rss_bytes / 2 ** 20, 0),
    fmt(o.accuracy, 5),
    fmt(o.roc_auc, 6),
    o.note ?? '',
  ]);
  console.log(`\nrandom forest, ${trees} trees, max_features sqrt, ${split.trainRows} x ${split.features} train, ${split.testRows} test`);
  console.log(table(['contender', 'fit s', 'sklearn / this', 'fit CPU s', 'sklearn CPU / this', 'peak RSS MiB', 'accuracy', 'roc_auc', ''], rowsOut));
  const hgb = boosting.find((o) => o.name.startsWith('scikit-learn'));
  console.log(`\ngradient-boosted trees, ${iterations > 0 ? `${iterations} iterations, early stopping off` : 'scikit-learn HistGradientBoosting defaults (early stopping auto)'}, same split`);
  console.log(table(['contender', 'fit s', 'sklearn / this', 'fit CPU s', 'sklearn CPU / this', 'peak RSS MiB', 'accuracy', 'roc_auc', ''], boosting.map((o) => [
    o.name,
    fmt(o.fit_seconds, 2),
    hgb ? fmt(hgb.fit_seconds / o.fit_seconds, 1) + 'x' : '-',
    o.fit_cpu_seconds === null ? '-' : fmt(o.fit_cpu_seconds, 2),
    hgb?.fit_cpu_seconds && o.fit_cpu_seconds ? fmt(hgb.fit_cpu_seconds / o.fit_cpu_seconds, 1) + 'x' : '-',
    o.peak_rss_bytes === null ? '-' : fmt(o.peak_rss_bytes / 2 ** 20, 0),
    fmt(o.accuracy, 5),
    fmt(o.roc_auc, 6),
    o.note ?? '',
  ])));
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

  const resultsDir = join(packageRoot(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = join(resultsDir, `train-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(resultFile, JSON.stringify({ rows, trees, iterations: iterations || null, split: { train: split.trainRows, test: split.testRows, features: split.features, dropped: split.dropped, prepare_seconds: prepareSeconds }, outcomes, boosting, machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version } }, null, 1));
  console.error(`results: ${resultFile}`);
}
