// Kernels for growing histogram trees (engine/model). Compiled twice by assembly/build.mjs, with
// SIMD (build/forest.simd.wasm) and without (build/forest.wasm); both import one shared
// WebAssembly.Memory (env.memory), allocate nothing and keep no state, so Piscina workers call
// them at once on their own regions. engine/kernels/forest-js.ts is the plain-TypeScript oracle
// with the same signatures and results.
//
// Data they work on (byte addresses into the shared memory):
//   column      u8 bin of every training row for one feature (feature-major, bins 0..254)
//   rows        u32 row numbers of the rows in a tree node
//   rowStats    per row, four u32: [bootstrap weight w, w * label, 1, 0] (16 bytes)
//   hist        per feature, 256 bins of four u32: [sum w, sum w * label, rows, 0] (4 KiB)

import { edgesAtOrBelow } from './lib/search';

const BINS: i32 = 256;
const HIST_BYTES: i32 = BINS << 4;

// nodeHistograms(columns, nFeatures, rows, nRows, rowStats, hist): clear nFeatures histograms at
// `hist` and add up the rows of a node into them. `columns` holds nFeatures u32 addresses of the
// features' bin columns, so the rows are read once for all the features of a split.
export function nodeHistograms(columns: usize, nFeatures: i32, rows: usize, nRows: i32, rowStats: usize, hist: usize): void {
  memory.fill(hist, 0, <usize>(nFeatures * HIST_BYTES));
  if (nFeatures <= 0) return;
  for (let i = 0; i < nRows; i++) {
    const row = <usize>load<u32>(rows + (<usize>i << 2));
    const stats = rowStats + (row << 4);
    if (ASC_FEATURE_SIMD) {
      // one 128-bit add per row and feature: the four counters of a bin move together
      const add = v128.load(stats);
      for (let k = 0; k < nFeatures; k++) {
        const column = <usize>load<u32>(columns + (<usize>k << 2));
        const at = hist + <usize>(k * HIST_BYTES) + (<usize>load<u8>(column + row) << 4);
        v128.store(at, i32x4.add(v128.load(at), add));
      }
    } else {
      // two 64-bit adds: per-lane sums never exceed 2^32 (node weight <= rows), so no carry
      // crosses from one u32 into its neighbour
      const low = load<u64>(stats);
      const high = load<u64>(stats, 8);
      for (let k = 0; k < nFeatures; k++) {
        const column = <usize>load<u32>(columns + (<usize>k << 2));
        const at = hist + <usize>(k * HIST_BYTES) + (<usize>load<u8>(column + row) << 4);
        store<u64>(at, load<u64>(at) + low);
        store<u64>(at, load<u64>(at, 8) + high, 8);
      }
    }
  }
}

// partitionRows(column, rows, nRows, splitBin, scratch): stable partition of a node's rows: those
// whose bin is <= splitBin first (in their order), then the others (in their order). Returns the
// number on the left. `scratch` holds nRows u32.
export function partitionRows(column: usize, rows: usize, nRows: i32, splitBin: i32, scratch: usize): i32 {
  let nLeft: i32 = 0;
  let nRight: i32 = 0;
  for (let i = 0; i < nRows; i++) {
    const row = load<u32>(rows + (<usize>i << 2));
    const left = i32(<i32>load<u8>(column + <usize>row) <= splitBin);
    // branchless: write to both sides, advance one (nLeft <= i, so rows[nLeft] is already read)
    store<u32>(rows + (<usize>nLeft << 2), row);
    store<u32>(scratch + (<usize>nRight << 2), row);
    nLeft += left;
    nRight += 1 - left;
  }
  memory.copy(rows + (<usize>nLeft << 2), scratch, <usize>nRight << 2);
  return nLeft;
}

// binColumn(values, n, edges, nEdges, out): the bin of each of n f64 values, the number of the
// nEdges sorted f64 edges that are <= v (np.searchsorted(edges, v, 'right')), as u8. NaN goes to
// bin 0; callers clean non-finite values first. nEdges <= 254.
export function binColumn(values: usize, n: i32, edges: usize, nEdges: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    const v = load<f64>(values + (<usize>i << 3));
    store<u8>(out + <usize>i, <u8>edgesAtOrBelow(v, edges, nEdges));
  }
}
