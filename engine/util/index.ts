/**
 * engine/util: small helpers every area uses: typed errors with stable codes and their one-line,
 * escaped messages (errors.ts); file-system errors as input errors naming the path (fs-errors.ts);
 * atomic writes (temp + rename, atomic.ts); JSON-lines files (jsonl.ts); lock files and owner
 * records (lockfile.ts); the package's own root and version (paths.ts); the seeded PRNG (rng.ts); float64 sorting (sort.ts).
 * This is the area's only export.
 */
export * from './errors.js';
export * from './fs-errors.js';
export * from './atomic.js';
export * from './jsonl.js';
export * from './lockfile.js';
export * from './paths.js';
export * from './rng.js';
export * from './sort.js';
