// Kernels for gradient-boosted trees (engine/model/gbt.ts, gbt-boost.ts). Compiled twice by
// assembly/build.mjs, with SIMD (build/gbt.simd.wasm) and without (build/gbt.wasm); like the
// forest's kernels they import one shared WebAssembly.Memory, allocate nothing and keep no state.
// engine/kernels/gbt-js.ts is the plain-TypeScript oracle with the same signatures and results.
// The boosting reuses the forest's partitionRows and binColumn (assembly/forest.ts).
//
// Data they work on (byte addresses into the shared memory):
//   column      u8 bin of every training row for one feature (feature-major, bins 0..254)
//   rows        u32 row numbers of the rows in a tree node
//   rowGrad     per row, two f64: [gradient, hessian] of the log-loss at its current score (16 bytes)
//   features    per feature of the tree, two u32: its bin column's address, and the first bin of its
//               histogram (features get as many bins as they use, so histograms are compact)
//   hist        totalBins bins of [sum gradient f64, sum hessian f64, rows u32, 0 u32, 8 bytes
//               unused] (32 bytes a bin)

const BIN_SHIFT: i32 = 5;

// gradientHistograms(features, nFeatures, rows, nRows, rowGrad, hist, totalBins): clear the
// totalBins bins at `hist` and add up the gradients, hessians and row counts of a node's rows into
// them, in row order, feature k's bin b at bin first_k + b.
export function gradientHistograms(features: usize, nFeatures: i32, rows: usize, nRows: i32, rowGrad: usize, hist: usize, totalBins: i32): void {
  memory.fill(hist, 0, <usize>totalBins << BIN_SHIFT);
  // feature by feature (as LightGBM and scikit-learn do): one feature's histogram stays in cache
  // and a node's rows, ascending after every partition, read its column and the gradients in order
  for (let k = 0; k < nFeatures; k++) {
    const column = <usize>load<u32>(features + (<usize>k << 3));
    const base = hist + (<usize>load<u32>(features + (<usize>k << 3), 4) << BIN_SHIFT);
    for (let i = 0; i < nRows; i++) {
      const row = <usize>load<u32>(rows + (<usize>i << 2));
      const stats = rowGrad + (row << 4);
      const at = base + (<usize>load<u8>(column + row) << BIN_SHIFT);
      if (ASC_FEATURE_SIMD) {
        // gradient and hessian move together in one f64x2 add
        v128.store(at, f64x2.add(v128.load(at), v128.load(stats)));
      } else {
        store<f64>(at, load<f64>(at) + load<f64>(stats));
        store<f64>(at, load<f64>(at, 8) + load<f64>(stats, 8), 8);
      }
      store<u32>(at, load<u32>(at, 16) + 1, 16);
    }
  }
}

// subtractHistograms(parent, child, totalBins): parent -= child, bin by bin (the sibling's
// histograms from its parent's and its own, as LightGBM does: only the smaller child is counted).
export function subtractHistograms(parent: usize, child: usize, totalBins: i32): void {
  for (let b = 0; b < totalBins; b++) {
    const at = parent + (<usize>b << BIN_SHIFT);
    const from = child + (<usize>b << BIN_SHIFT);
    if (ASC_FEATURE_SIMD) {
      v128.store(at, f64x2.sub(v128.load(at), v128.load(from)));
    } else {
      store<f64>(at, load<f64>(at) - load<f64>(from));
      store<f64>(at, load<f64>(at, 8) - load<f64>(from, 8), 8);
    }
    store<u32>(at, load<u32>(at, 16) - load<u32>(from, 16), 16);
  }
}
