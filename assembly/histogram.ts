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
  if (nEdges == 0) {
    countScalar(values, n, edges, nEdges, counts, 0);
  } else if (ASC_FEATURE_SIMD && nEdges <= 32) {
    countByEdge(values, n, edges, nEdges, counts);
  } else {
    countSearch(values, n, edges, nEdges, counts, 0, false);
  }
}

// countBinsTails(values, n, edges, nEdges, counts, tails): countBins, and the tails beyond the
// outer edges for the Wasserstein distance, added to the two f64 at `tails`:
//   [0] += the sum of (edges[0] - v) over finite v < edges[0]
//   [1] += the sum of (v - edges[nEdges - 1]) over finite v > edges[nEdges - 1]
// Each sum is the call's own, in value order from 0, then added once (bit-identical to the
// JavaScript loop it replaced in engine/scan/tasks.ts, and to countBinsTailsJs). No edges: no tails.
export function countBinsTails(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize, tails: usize): void {
  if (nEdges == 0) {
    countScalar(values, n, edges, nEdges, counts, 0);
  } else if (ASC_FEATURE_SIMD && nEdges <= 32) {
    countByEdge(values, n, edges, nEdges, counts);
    sumTails(values, n, edges, nEdges, tails);
  } else {
    countSearch(values, n, edges, nEdges, counts, tails, true);
  }
}

// @ts-ignore: decorator
@inline
function addTail(tails: usize, below: f64, above: f64): void {
  store<f64>(tails, load<f64>(tails) + below);
  store<f64>(tails, load<f64>(tails, 8) + above, 8);
}

function sumTails(values: usize, n: i32, edges: usize, nEdges: i32, tails: usize): void {
  const first = load<f64>(edges);
  const last = load<f64>(edges + (<usize>(nEdges - 1) << 3));
  let below: f64 = 0;
  let above: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f64>(values + (<usize>i << 3));
    // NaN compares false both ways; infinities are not finite and are left to the missing slot
    if (v < first) {
      if (v != -Infinity) below += first - v;
    } else if (v > last && v != Infinity) above += v - last;
  }
  addTail(tails, below, above);
}

// Many edges (the fine grid of KS and Wasserstein, up to ~2,000 a feature): a branchless binary
// search, eight values in lockstep. Every search over the same edges takes the same number of
// steps, so the eight chains of dependent loads (the edges stay in L1) overlap instead of running
// one after the other; the tails, when asked, are summed in value order in the same pass. Over
// 2,002 edges (`npm run bench -- kernels`): about 1.7x one search at a time with four in lockstep,
// 2.4-2.5x with eight (7.7 against 10.2 ns a value for eight against four, best of 15, same run).
// The lanes are written out: AssemblyScript has no arrays in registers.
// @ts-ignore: decorator
@inline
function countSearch(values: usize, n: i32, edges: usize, nEdges: i32, counts: usize, tails: usize, withTails: bool): void {
  const missing = nEdges + 1;
  const atLast = nEdges + 2;
  const first = load<f64>(edges);
  const last = load<f64>(edges + (<usize>(nEdges - 1) << 3));
  let below: f64 = 0;
  let above: f64 = 0;
  const groups = n & ~7;
  for (let i = 0; i < groups; i += 8) {
    const p = values + (<usize>i << 3);
    const v0 = load<f64>(p);
    const v1 = load<f64>(p, 8);
    const v2 = load<f64>(p, 16);
    const v3 = load<f64>(p, 24);
    const v4 = load<f64>(p, 32);
    const v5 = load<f64>(p, 40);
    const v6 = load<f64>(p, 48);
    const v7 = load<f64>(p, 56);
    let b0: i32 = 0;
    let b1: i32 = 0;
    let b2: i32 = 0;
    let b3: i32 = 0;
    let b4: i32 = 0;
    let b5: i32 = 0;
    let b6: i32 = 0;
    let b7: i32 = 0;
    let len = nEdges;
    while (len > 1) {
      const half = len >> 1;
      const probe = edges + (<usize>(half - 1) << 3);
      b0 = select<i32>(b0 + half, b0, load<f64>(probe + (<usize>b0 << 3)) <= v0);
      b1 = select<i32>(b1 + half, b1, load<f64>(probe + (<usize>b1 << 3)) <= v1);
      b2 = select<i32>(b2 + half, b2, load<f64>(probe + (<usize>b2 << 3)) <= v2);
      b3 = select<i32>(b3 + half, b3, load<f64>(probe + (<usize>b3 << 3)) <= v3);
      b4 = select<i32>(b4 + half, b4, load<f64>(probe + (<usize>b4 << 3)) <= v4);
      b5 = select<i32>(b5 + half, b5, load<f64>(probe + (<usize>b5 << 3)) <= v5);
      b6 = select<i32>(b6 + half, b6, load<f64>(probe + (<usize>b6 << 3)) <= v6);
      b7 = select<i32>(b7 + half, b7, load<f64>(probe + (<usize>b7 << 3)) <= v7);
      len -= half;
    }
    // len is 1 here (nEdges >= 1): the last comparison; NaN and -Inf end at 0, +Inf at nEdges
    b0 += i32(load<f64>(edges + (<usize>b0 << 3)) <= v0);
    b1 += i32(load<f64>(edges + (<usize>b1 << 3)) <= v1);
    b2 += i32(load<f64>(edges + (<usize>b2 << 3)) <= v2);
    b3 += i32(load<f64>(edges + (<usize>b3 << 3)) <= v3);
    b4 += i32(load<f64>(edges + (<usize>b4 << 3)) <= v4);
    b5 += i32(load<f64>(edges + (<usize>b5 << 3)) <= v5);
    b6 += i32(load<f64>(edges + (<usize>b6 << 3)) <= v6);
    b7 += i32(load<f64>(edges + (<usize>b7 << 3)) <= v7);
    add(counts, select<i32>(b0, missing, v0 - v0 == 0), 1);
    add(counts, select<i32>(b1, missing, v1 - v1 == 0), 1);
    add(counts, select<i32>(b2, missing, v2 - v2 == 0), 1);
    add(counts, select<i32>(b3, missing, v3 - v3 == 0), 1);
    add(counts, select<i32>(b4, missing, v4 - v4 == 0), 1);
    add(counts, select<i32>(b5, missing, v5 - v5 == 0), 1);
    add(counts, select<i32>(b6, missing, v6 - v6 == 0), 1);
    add(counts, select<i32>(b7, missing, v7 - v7 == 0), 1);
    if (v0 == last) add(counts, atLast, 1);
    if (v1 == last) add(counts, atLast, 1);
    if (v2 == last) add(counts, atLast, 1);
    if (v3 == last) add(counts, atLast, 1);
    if (v4 == last) add(counts, atLast, 1);
    if (v5 == last) add(counts, atLast, 1);
    if (v6 == last) add(counts, atLast, 1);
    if (v7 == last) add(counts, atLast, 1);
    if (withTails) {
      // in value order, as sumTails; values inside the edges (the most) take no branch
      if (v0 < first) {
        if (v0 != -Infinity) below += first - v0;
      } else if (v0 > last && v0 != Infinity) above += v0 - last;
      if (v1 < first) {
        if (v1 != -Infinity) below += first - v1;
      } else if (v1 > last && v1 != Infinity) above += v1 - last;
      if (v2 < first) {
        if (v2 != -Infinity) below += first - v2;
      } else if (v2 > last && v2 != Infinity) above += v2 - last;
      if (v3 < first) {
        if (v3 != -Infinity) below += first - v3;
      } else if (v3 > last && v3 != Infinity) above += v3 - last;
      if (v4 < first) {
        if (v4 != -Infinity) below += first - v4;
      } else if (v4 > last && v4 != Infinity) above += v4 - last;
      if (v5 < first) {
        if (v5 != -Infinity) below += first - v5;
      } else if (v5 > last && v5 != Infinity) above += v5 - last;
      if (v6 < first) {
        if (v6 != -Infinity) below += first - v6;
      } else if (v6 > last && v6 != Infinity) above += v6 - last;
      if (v7 < first) {
        if (v7 != -Infinity) below += first - v7;
      } else if (v7 > last && v7 != Infinity) above += v7 - last;
    }
  }
  for (let i = groups; i < n; i++) {
    const v = load<f64>(values + (<usize>i << 3));
    if (v - v == 0) {
      add(counts, edgesAtOrBelow(v, edges, nEdges), 1);
      if (v == last) add(counts, atLast, 1);
      if (withTails) {
        if (v < first) below += first - v;
        else if (v > last) above += v - last;
      }
    } else {
      add(counts, missing, 1);
    }
  }
  if (withTails) addTail(tails, below, above);
}

// Edge-major SIMD, a chunk of values at a time (8 KiB, held in L1): per edge, count the values at or
// above it with f64x2 accumulators (a compare and a subtract per two values, no scatter; three
// edges a pass, so each value is loaded once for three), then
// turn those cumulative counts into slots: with G(e) the finite values with edge e <= v,
// slot 0 = finite - G(0), slot j = G(j - 1) - G(j), slot nEdges = G(nEdges - 1). Few edges
// (10 bins -> 9 or 11) make this cheaper than a search per value; it replaced a value-major loop
// (count the edges <= v for eight values, then eight scalar increments), 1.15x faster on one core
// (`npm run bench -- scan`, binning rows); three edges a pass gained another ~10% over one.
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
    // finite values with at least e + 1 edges <= v leave slot e for slot e + 1 (u32 wrap-around
    // in between is harmless: every slot ends at its true count)
    let e = 0;
    for (; e + 2 < nEdges; e += 3) {
      // three edges a pass: each value is loaded once for all three
      const edge0 = v128.load64_splat(edges + (<usize>e << 3));
      const edge1 = v128.load64_splat(edges + (<usize>(e + 1) << 3));
      const edge2 = v128.load64_splat(edges + (<usize>(e + 2) << 3));
      let a0 = i64x2.splat(0);
      let b0 = i64x2.splat(0);
      let a1 = i64x2.splat(0);
      let b1 = i64x2.splat(0);
      let a2 = i64x2.splat(0);
      let b2 = i64x2.splat(0);
      for (let i = from; i < to; i += 4) {
        const p = values + (<usize>i << 3);
        const x = v128.load(p);
        const y = v128.load(p, 16);
        a0 = i64x2.sub(a0, f64x2.le(edge0, x));
        b0 = i64x2.sub(b0, f64x2.le(edge0, y));
        a1 = i64x2.sub(a1, f64x2.le(edge1, x));
        b1 = i64x2.sub(b1, f64x2.le(edge1, y));
        a2 = i64x2.sub(a2, f64x2.le(edge2, x));
        b2 = i64x2.sub(b2, f64x2.le(edge2, y));
      }
      const atLeast0 = lanes(i64x2.add(a0, b0)) - nPositiveInfinity;
      const atLeast1 = lanes(i64x2.add(a1, b1)) - nPositiveInfinity;
      const atLeast2 = lanes(i64x2.add(a2, b2)) - nPositiveInfinity;
      add(counts, e, 0 - atLeast0);
      add(counts, e + 1, atLeast0 - atLeast1);
      add(counts, e + 2, atLeast1 - atLeast2);
      add(counts, e + 3, atLeast2);
    }
    for (; e < nEdges; e++) {
      // the last one or two edges
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
