/**
 * engine/kernels: the only loader of the assembly/ builds (build/*.wasm: the SIMD build, else the
 * plain one, else the plain-TypeScript oracle with the same signatures, which the kernel tests
 * compare them with; `DRIFTCATCHER_KERNEL` forces one): bin counting, the CSV number scanner and
 * the forest's node histograms, the streaming baseline's passes and exact sums, the boosting's gradient histograms, over a shared WebAssembly.Memory. This is the area's only export.
 */
export * from './load.js';
export { countBinsJs, countBinsTailsJs } from './js.js';
export { binColumnJs, nodeHistogramsJs, partitionRowsJs } from './forest-js.js';
export { gradientHistogramsJs, subtractHistogramsJs } from './gbt-js.js';
export { loadCsvKernel, type CsvScanKernel } from './csv.js';
export { loadProfileKernel, profileKernelJs, bucketFunction, keyParts, orderKeyParts, COARSE_BUCKETS, COARSE_STATS, MAP_BYTES, SUM_SCRATCH_BYTES, NO_HEAVY, CHUNK_VALUES, RECORD_BYTES, collectPoolBytes, writeCollectPool, collectPoolValues, type ProfileKernel } from './profile.js';
export { ExactSum, NLIMBS, SUM_SCALE, exactUnits, limbsToBigInt, roundRatio } from './exact.js';
