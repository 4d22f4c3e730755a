// Histogram kernel for drift binning. Compiled twice by assembly/build.mjs: with SIMD
// (build/histogram.simd.wasm) and without (build/histogram.wasm). Both import one shared
// WebAssembly.Memory (env.memory) so that Piscina workers bin data in place; the kernels
// allocate nothing and keep no state, so any number of threads may call them at once as long
// as their count regions do not overlap.
//
// countBins(values, n, edges, nEdges, counts) reads n f64 values and nEdges sorted f64 edges
// and adds to the u32 counters at `counts` (nEdges + 3 slots):
//   slot j in [0, nEdges]  finite values with exactly j edges <= v (np.searchsorted(edges, v, 'right'))
//   slot nEdges + 1        non-finite values (NaN, +Inf, -Inf)
//   slot nEdges + 2        finite values equal to the last edge (np.histogram closes its last bin)
// Both drift semantics derive from these slots: open outer bins use the interior edges directly;
// np.histogram bins are slots 1..nEdges-1 plus the last-edge count, slot 0 and the rest dropped.

import { edgesAtOrBelow } from './lib/search';

// @ts-ignore: decorator
@inline
function bump(counts: usize, slot: i32): void {
  const at = counts + (<usize>slot << 2);
  store<u32>(at, load<u32>(at) + 1);
}

function countScalar(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize, from: i32): void {
  const missing = nEdges + 1;
  const lastEdge = nEdges > 0 ? load<f64>(edges + (<usize>(nEdges - 1) << 3)) : NaN;
  for (let i = from; i < n; i++) {
    const v = load<f64>(values + (<usize>i << 3));
    if (v - v == 0) {
      bump(counts, edgesAtOrBelow(v, edges, nEdges));
      if (v == lastEdge) bump(counts, nEdges + 2);
    } else {
      bump(counts, missing);
    }
  }
}

export function countBins(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize): void {
  if (ASC_FEATURE_SIMD && nEdges <= 32) {
    countSimd(values, n, edges, nEdges, counts);
  } else {
    countScalar(values, n, edges, nEdges, counts, 0);
  }
}

// Linear-scan SIMD: for eight values at a time (four f64x2), count the edges <= v by
// subtracting the all-ones comparison masks; each edge is loaded once per eight values. Few edges
// (10 bins -> 9 or 11) make this cheaper than a search.
function countSimd(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize): void {
  const missing = nEdges + 1;
  const lastEdgeSlot = nEdges + 2;
  const last = nEdges > 0 ? f64x2.splat(load<f64>(edges + (<usize>(nEdges - 1) << 3))) : f64x2.splat(NaN);
  const zero = f64x2.splat(0);
  const missingV = i64x2.splat(missing);
  const groups = n & ~7;
  let i = 0;
  for (; i < groups; i += 8) {
    const p = values + (<usize>i << 3);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    let accA = i64x2.splat(0);
    let accB = i64x2.splat(0);
    let accC = i64x2.splat(0);
    let accD = i64x2.splat(0);
    for (let e = 0; e < nEdges; e++) {
      const edge = v128.load64_splat(edges + (<usize>e << 3));
      accA = i64x2.sub(accA, f64x2.le(edge, a));
      accB = i64x2.sub(accB, f64x2.le(edge, b));
      accC = i64x2.sub(accC, f64x2.le(edge, c));
      accD = i64x2.sub(accD, f64x2.le(edge, d));
    }
    const slotA = v128.bitselect(accA, missingV, f64x2.eq(f64x2.sub(a, a), zero));
    const slotB = v128.bitselect(accB, missingV, f64x2.eq(f64x2.sub(b, b), zero));
    const slotC = v128.bitselect(accC, missingV, f64x2.eq(f64x2.sub(c, c), zero));
    const slotD = v128.bitselect(accD, missingV, f64x2.eq(f64x2.sub(d, d), zero));
    bump(counts, <i32>i64x2.extract_lane(slotA, 0));
    bump(counts, <i32>i64x2.extract_lane(slotA, 1));
    bump(counts, <i32>i64x2.extract_lane(slotB, 0));
    bump(counts, <i32>i64x2.extract_lane(slotB, 1));
    bump(counts, <i32>i64x2.extract_lane(slotC, 0));
    bump(counts, <i32>i64x2.extract_lane(slotC, 1));
    bump(counts, <i32>i64x2.extract_lane(slotD, 0));
    bump(counts, <i32>i64x2.extract_lane(slotD, 1));
    const eq = v128.or(v128.or(f64x2.eq(a, last), f64x2.eq(b, last)), v128.or(f64x2.eq(c, last), f64x2.eq(d, last)));
    if (v128.any_true(eq)) {
      const hits = i64x2.sub(i64x2.sub(i64x2.sub(i64x2.sub(i64x2.splat(0), f64x2.eq(a, last)), f64x2.eq(b, last)), f64x2.eq(c, last)), f64x2.eq(d, last));
      const at = counts + (<usize>lastEdgeSlot << 2);
      store<u32>(at, load<u32>(at) + <u32>(i64x2.extract_lane(hits, 0) + i64x2.extract_lane(hits, 1)));
    }
  }
  countScalar(values, n, edges, nEdges, counts, i);
}
