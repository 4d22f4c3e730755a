/**
 * engine/scan: one pass over data files on the worker pool, counting every feature's values on
 * given bin edges: CSV files split into byte ranges that the workers read, parse and bin
 * themselves; Arrow IPC column buffers pread by the workers into their slot of the shared memory
 * (count.ts plans both); the pool and its memory layout (pool.ts), the tasks a worker runs
 * (tasks.ts, worker.ts, protocol.ts) and the additive histograms they produce (histograms.ts).
 * Drift checks count on the baseline's edges; baselines count on their own.
 * This is the area's only export.
 */
export { countFile, type CountOptions } from './count.js';
export { emptyHistograms, mergeHistograms, addSlotCounts, type Histograms } from './histograms.js';
export { ScanPool, autoWorkers, defaultWorkers, type PoolOptions } from './pool.js';
