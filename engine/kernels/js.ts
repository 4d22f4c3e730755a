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
