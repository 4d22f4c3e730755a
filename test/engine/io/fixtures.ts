/** Test helpers for engine/io: the real CICIDS2017 fixtures (test/fixtures/cicids2017), generated files in os.tmpdir(). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The real CICIDS2017 extracts kept in the repository (see test/fixtures/cicids2017/README.md). */
export const CICIDS_DIR = path.resolve(here, '../../fixtures/cicids2017');
export const HEAD_9998 = path.join(CICIDS_DIR, 'friday-ddos-head-9998.csv');
export const SAMPLE_10 = path.join(CICIDS_DIR, 'friday-ddos-sample-10.csv');
export const FLOWS_299 = path.join(CICIDS_DIR, 'friday-ddos-flows-299.csv');

let dir: string | undefined;
// Registered when a test file imports this module, so it runs after all of that file's tests
// (registered from inside a describe, it would run after that describe only).
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A fresh directory for this test file, removed after its tests. */
export function tempDir(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'driftcatcher-io-'));
  return dir;
}

/** Write a file into the temp directory; returns its path. */
export function writeTemp(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bits of a double, so that -0, NaN and every last ulp compare exactly. */
export function bitsOf(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}
