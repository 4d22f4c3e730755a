/**
 * Piscina for both pools, loaded on first use: a scan on the main thread (workers = 0) and an
 * embedder that only imports the library never load it (~50 ms of start-up).
 */
import type { Piscina } from 'piscina';

export type { Piscina };

/**
 * A pool of at most `workers` threads running `filename`. None starts up front: Piscina starts
 * one when a task finds no free thread, so an input of one task costs one thread, not `workers`
 * (idle ones are kept for a minute).
 */
export async function startPiscina(filename: string, workers: number, workerData: unknown): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  // Piscina loads a worker file with require() first; Node 20's require() of an ES module can
  // abort the process (v8 "IsGraphAsync ... instantiated module", seen when a worker's module
  // fails to load). Off in the workers, so Piscina takes its import() path for our ESM files.
  const execArgv = process.version.startsWith('v20.') ? [...process.execArgv, '--no-experimental-require-module'] : process.execArgv;
  return new Piscina({ filename, minThreads: 0, maxThreads: workers, idleTimeout: 60_000, workerData, execArgv });
}
