/**
 * The plain-TypeScript histogram kernel: the same signature and results as the WASM build, over
 * the same memory. It is the fallback where WASM cannot load and the oracle in the kernel tests.
 * See assembly/histogram.ts for the meaning of the count slots.
 */
export function countBinsJs(memory: WebAssembly.Memory, valuesPtr: number, n: number, edgesPtr: number, nEdges: number, countsPtr: number): void {
  const f64 = new Float64Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const values = valuesPtr >>> 3;
  const edges = edgesPtr >>> 3;
  const counts = countsPtr >>> 2;
  const last = nEdges > 0 ? f64[edges + nEdges - 1]! : NaN;
  for (let i = 0; i < n; i++) {
    const v = f64[values + i]!;
    if (!Number.isFinite(v)) {
      u32[counts + nEdges + 1]!++;
      continue;
    }
    // number of edges <= v
    let lo = 0;
    let hi = nEdges;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f64[edges + mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    u32[counts + lo]!++;
    if (v === last) u32[counts + nEdges + 2]!++;
  }
}

/**
 * countBinsJs, and the tails beyond the outer edges added to the two f64 at tailsPtr: [0] the sum
 * of (first edge - v) over finite v below the first edge, [1] of (v - last edge) over finite v
 * above the last; each sum is the call's own, in value order from 0, then added (as the WASM
 * builds do, bit for bit). No edges: no tails.
 */
export function countBinsTailsJs(memory: WebAssembly.Memory, valuesPtr: number, n: number, edgesPtr: number, nEdges: number, countsPtr: number, tailsPtr: number): void {
  countBinsJs(memory, valuesPtr, n, edgesPtr, nEdges, countsPtr);
  if (nEdges === 0) return;
  const f64 = new Float64Array(memory.buffer);
  const first = f64[edgesPtr >>> 3]!;
  const last = f64[(edgesPtr >>> 3) + nEdges - 1]!;
  const values = valuesPtr >>> 3;
  let below = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = f64[values + i]!;
    // NaN compares false both ways; infinities are not finite and are left to the missing slot
    if (v < first) {
      if (v !== -Infinity) below += first - v;
    } else if (v > last && v !== Infinity) above += v - last;
  }
  f64[tailsPtr >>> 3]! += below;
  f64[(tailsPtr >>> 3) + 1]! += above;
}
