/**
 * engine/parallel: the generic pieces of running work on worker threads: Piscina started on first
 * use (piscina.ts), the bound on worker threads (limits.ts) and the queue of numbered slots of a
 * shared memory that tasks borrow and hand back (slots.ts). What the workers do, and how their
 * memory is laid out, belongs to the area that owns the worker (engine/scan, engine/model).
 * This is the area's only export.
 */
export { maxWorkers, checkWorkers, workerBoundText, WORKERS_PER_CORE, WORKERS_FLOOR, WORKERS_CEILING } from './limits.js';
export { startPiscina, type Piscina } from './piscina.js';
export { SlotQueue } from './slots.js';
