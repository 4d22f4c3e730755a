/**
 * Piscina for both pools, loaded on first use: a scan on the main thread (workers = 0) and an
 * embedder that only imports the library never load it (~50 ms of start-up).
 */
import type { Piscina } from 'piscina';

export type { Piscina };

/** A pool of exactly `workers` threads running `filename`, kept for a minute when idle. */
export async function startPiscina(filename: string, workers: number, workerData: unknown): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  return new Piscina({ filename, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, workerData });
}
