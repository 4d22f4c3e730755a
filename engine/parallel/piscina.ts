/**
 * Piscina for both pools, loaded on first use: a scan on the main thread (workers = 0) and an
 * embedder that only imports the library never load it (~50 ms of start-up).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';

export type { Piscina };

/**
 * A pool of at most `workers` threads running `filename`. None starts up front: Piscina starts
 * one when a task finds no free thread, so an input of one task costs one thread, not `workers`
 * (idle ones are kept for a minute).
 */
export async function startPiscina(filename: string, workers: number, workerData: unknown): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  // Piscina starts entry.cjs, which import()s `filename` (see there why): its URL goes last in
  // the thread's process.argv
  const entry = fileURLToPath(new URL('./entry.cjs', import.meta.url));
  const argv = [pathToFileURL(filename).href];
  return new Piscina({ filename: entry, argv, minThreads: 0, maxThreads: workers, idleTimeout: 60_000, workerData });
}
