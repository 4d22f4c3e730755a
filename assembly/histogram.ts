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
function add(counts: usize, slot: i32, by: u32): void {
  const at = counts + (<usize>slot << 2);
  store<u32>(at, load<u32>(at) + by);
}

function countScalar(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize, from: i32): void {
  const missing = nEdges + 1;
  const lastEdge = nEdges > 0 ? load<f64>(edges + (<usize>(nEdges - 1) << 3)) : NaN;
  for (let i = from; i < n; i++) {
    const v = load<f64>(values + (<usize>i << 3));
    if (v - v == 0) {
      add(counts, edgesAtOrBelow(v, edges, nEdges), 1);
      if (v == lastEdge) add(counts, nEdges + 2, 1);
    } else {
      add(counts, missing, 1);
    }
  }
}

export function countBins(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize): void {
  if (ASC_FEATURE_SIMD && nEdges > 0 && nEdges <= 32) {
    countByEdge(values, n, edges, nEdges, counts);
  } else {
    countScalar(values, n, edges, nEdges, counts, 0);
  }
}

// Edge-major SIMD, a chunk of values at a time (8 KiB, held in L1): per edge, count the values at or
// above it with four f64x2 accumulators (a compare and a subtract per two values, no scatter), then
// turn those cumulative counts into slots: with G(e) the finite values with edge e <= v,
// slot 0 = finite - G(0), slot j = G(j - 1) - G(j), slot nEdges = G(nEdges - 1). Few edges
// (10 bins -> 9 or 11) make this cheaper than a search per value; it replaced a value-major loop
// (count the edges <= v for eight values, then eight scalar increments), 1.15x faster on one core
// (`npm run bench -- scan`, binning rows).
const CHUNK: i32 = 1024;

function countByEdge(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize): void {
  const groups = n & ~7;
  const infinity = f64x2.splat(Infinity);
  const zero = f64x2.splat(0);
  const last = f64x2.splat(load<f64>(edges + (<usize>(nEdges - 1) << 3)));
  for (let from = 0; from < groups; from += CHUNK) {
    const to = min(from + CHUNK, groups);
    // finite values, +Inf (at or above every edge but not finite) and values equal to the last edge
    let finite = i64x2.splat(0);
    let positiveInfinity = i64x2.splat(0);
    let atLast = i64x2.splat(0);
    for (let i = from; i < to; i += 2) {
      const v = v128.load(values + (<usize>i << 3));
      finite = i64x2.sub(finite, f64x2.eq(f64x2.sub(v, v), zero));
      positiveInfinity = i64x2.sub(positiveInfinity, f64x2.eq(v, infinity));
      atLast = i64x2.sub(atLast, f64x2.eq(v, last));
    }
    const nFinite = lanes(finite);
    const nPositiveInfinity = lanes(positiveInfinity);
    add(counts, 0, nFinite);
    add(counts, nEdges + 1, <u32>(to - from) - nFinite);
    add(counts, nEdges + 2, lanes(atLast));
    for (let e = 0; e < nEdges; e++) {
      const edge = v128.load64_splat(edges + (<usize>e << 3));
      let a = i64x2.splat(0);
      let b = i64x2.splat(0);
      let c = i64x2.splat(0);
      let d = i64x2.splat(0);
      for (let i = from; i < to; i += 8) {
        const p = values + (<usize>i << 3);
        a = i64x2.sub(a, f64x2.le(edge, v128.load(p)));
        b = i64x2.sub(b, f64x2.le(edge, v128.load(p, 16)));
        c = i64x2.sub(c, f64x2.le(edge, v128.load(p, 32)));
        d = i64x2.sub(d, f64x2.le(edge, v128.load(p, 48)));
      }
      // finite values with at least e + 1 edges <= v leave slot e for slot e + 1 (u32 wrap-around
      // in between is harmless: every slot ends at its true count)
      const atLeast = lanes(i64x2.add(i64x2.add(a, b), i64x2.add(c, d))) - nPositiveInfinity;
      add(counts, e, 0 - atLeast);
      add(counts, e + 1, atLeast);
    }
  }
  countScalar(values, n, edges, nEdges, counts, groups);
}

// @ts-ignore: decorator
@inline
function lanes(v: v128): u32 {
  return <u32>(i64x2.extract_lane(v, 0) + i64x2.extract_lane(v, 1));
}
