/**
 * The bound on worker threads, for the scan pool and the training pool alike. More threads than
 * cores never makes a CPU-bound scan faster, and each costs a thread's heap plus a slot of shared
 * memory (a scan slot holds a 4 MiB read buffer and a column block), so `--workers 1000` is a
 * mistake to report, not 1000 threads to start. Small on purpose: the CLI reads it when it parses
 * its options, before any engine area is loaded.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../util/index.js';

/** Threads per core a pool may have at most... */
export const WORKERS_PER_CORE = 4;
/** ...but at least this many on any machine... */
export const WORKERS_FLOOR = 16;
/** ...and never more than this (257 scan slots already take 1.3 GiB of shared memory). */
export const WORKERS_CEILING = 256;

/** The most worker threads a pool may have on a machine with `cores` cores: min(256, max(16, 4 x cores)). */
export function maxWorkers(cores = availableParallelism()): number {
  return Math.min(WORKERS_CEILING, Math.max(WORKERS_FLOOR, WORKERS_PER_CORE * Math.max(1, cores)));
}

/** The rule in words, for messages and `--help`: "at most 16 here (4 per core, at least 16, at most 256)". */
export function workerBoundText(cores = availableParallelism()): string {
  return `at most ${maxWorkers(cores)} here (${WORKERS_PER_CORE} per core on ${cores} core${cores === 1 ? '' : 's'}, at least ${WORKERS_FLOOR}, at most ${WORKERS_CEILING})`;
}

/** `workers` when it is an integer from 0 to maxWorkers(); else a UsageError naming the bound. */
export function checkWorkers(workers: number, what = 'workers'): number {
  if (!Number.isInteger(workers) || workers < 0 || workers > maxWorkers()) {
    throw new UsageError(`${what} must be an integer from 0 to ${maxWorkers()}, ${workerBoundText()}; got ${workers}`);
  }
  return workers;
}
