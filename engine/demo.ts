/**
 * The demo: on a fresh machine, with no server and no arguments, generate a training set and
 * three production batches (no drift, mild, severe), build the baseline, check each batch.
 */
import { join, resolve } from 'node:path';
import { ensureDir } from './util/index.js';
import { synthesize, type DriftKind } from './synth/index.js';
import { createBaseline, saveProfile } from './profile/index.js';
import { scanDrift, type DriftReport } from './drift/index.js';

export interface DemoOptions {
  /** folder for the generated files (default `driftcatcher-demo` in the working directory) */
  dir?: string;
  trainRows?: number;
  batchRows?: number;
  workers?: number;
  /** progress lines (stderr in the CLI) */
  log?: (line: string) => void;
}

export interface DemoBatch {
  drift: DriftKind;
  file: string;
  /** the features the generator shifted */
  shifted: string[];
  report: DriftReport;
}

export interface DemoResult {
  dir: string;
  train: string;
  profile: string;
  batches: DemoBatch[];
  seconds: number;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const dir = resolve(options.dir ?? 'driftcatcher-demo');
  const log = options.log ?? (() => {});
  await ensureDir(dir, 'the demo folder');
  const trainRows = options.trainRows ?? 100_000;
  const batchRows = options.batchRows ?? 50_000;

  log(`generating ${trainRows} training rows in ${dir}`);
  const train = await synthesize({ rows: trainRows, seed: 1, drift: 'none', out: join(dir, 'train.csv') });
  const kinds: DriftKind[] = ['none', 'mild', 'severe'];
  const generated = [];
  for (const [i, drift] of kinds.entries()) {
    log(`generating a production batch of ${batchRows} rows, drift ${drift}`);
    generated.push(await synthesize({ rows: batchRows, seed: 100 + i, drift, out: join(dir, `batch-${drift}.csv`) }));
  }
  log('building the baseline profile');
  const profile = await createBaseline(train.file);
  const profileFile = join(dir, 'profile.json');
  await saveProfile(profile, profileFile);
  log('checking the batches');
  const scan = await scanDrift(profile, generated.map((g) => g.file), { workers: options.workers });
  return {
    dir,
    train: train.file,
    profile: profileFile,
    batches: generated.map((g, i) => ({ drift: kinds[i]!, file: g.file, shifted: g.drifted_features, report: scan.files[i]! })),
    seconds: (performance.now() - started) / 1000,
  };
}
