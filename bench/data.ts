/**
 * The benchmark's data, cached in bench/data/ (git-ignored): synthetic CICIDS-shaped files from the
 * engine's `synthesize`. A manifest records how each file was made (rows, seed, drift and a hash of
 * the synth code that wrote it), so a file is made again when any of that changes, and never
 * otherwise (the 2.83M-row files take about a minute).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize, type DriftKind } from '../engine/synth/index.js';
import { packageRoot } from '../engine/util/paths.js';

export interface DataSpec {
  rows: number;
  seed: number;
  drift: DriftKind;
  format: 'csv' | 'arrow';
}

/** Training data of every comparison: seed 1, no drift (the batches use seed 2). */
export const TRAIN_ROWS = 225_745;

export function dataDir(): string {
  const dir = join(packageRoot(), 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function dataPath(spec: DataSpec): string {
  const kind = spec.drift === 'none' && spec.seed === 1 ? 'train' : `batch-${spec.drift}`;
  const seed = spec.seed === 1 || spec.seed === 2 ? '' : `-s${spec.seed}`;
  return join(dataDir(), `${kind}-${spec.rows}${seed}.${spec.format}`);
}

let synthHash: string | undefined;

/** Hash of the compiled synth code: data written by other code is made again. */
function synthFingerprint(): string {
  if (synthHash) return synthHash;
  const dir = fileURLToPath(new URL('../engine/synth/', import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return (synthHash = hash.digest('hex').slice(0, 16));
}

type Manifest = Record<string, { rows: number; seed: number; drift: DriftKind; synth: string; bytes: number }>;

function manifestPath(): string {
  return join(dataDir(), 'manifest.json');
}

function readManifest(): Manifest {
  try {
    return JSON.parse(readFileSync(manifestPath(), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

function writeManifest(manifest: Manifest): void {
  const temp = `${manifestPath()}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(manifest, null, 1));
  renameSync(temp, manifestPath());
}

/** The file for `spec`, synthesized first when missing or made by other synth code. */
export async function ensureData(spec: DataSpec): Promise<string> {
  const file = dataPath(spec);
  const name = file.slice(dataDir().length + 1);
  const synth = synthFingerprint();
  const entry = readManifest()[name];
  const current =
    entry && existsSync(file) && entry.rows === spec.rows && entry.seed === spec.seed && entry.drift === spec.drift && entry.synth === synth && statSync(file).size === entry.bytes;
  if (current) return file;
  const started = performance.now();
  console.error(`bench: synthesizing ${name} (${spec.rows} rows, seed ${spec.seed}, drift ${spec.drift})`);
  const result = await synthesize({ rows: spec.rows, seed: spec.seed, drift: spec.drift, out: file });
  console.error(`bench:   ${(result.bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const manifest = readManifest();
  manifest[name] = { rows: spec.rows, seed: spec.seed, drift: spec.drift, synth, bytes: result.bytes };
  writeManifest(manifest);
  return file;
}
