/**
 * The plain-TypeScript forest kernels: the same signatures and results as assembly/forest.ts,
 * over the same memory. The fallback where WASM cannot load and the oracle in the kernel tests.
 */

const BINS = 256;

/** See assembly/forest.ts `nodeHistograms`. */
export function nodeHistogramsJs(memory: WebAssembly.Memory, columns: number, nFeatures: number, rows: number, nRows: number, rowStats: number, hist: number): void {
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const histBase = hist >>> 2;
  u32.fill(0, histBase, histBase + nFeatures * BINS * 4);
  for (let i = 0; i < nRows; i++) {
    const row = u32[(rows >>> 2) + i]!;
    const stats = (rowStats >>> 2) + row * 4;
    for (let k = 0; k < nFeatures; k++) {
      const column = u32[(columns >>> 2) + k]!;
      const at = histBase + k * BINS * 4 + u8[column + row]! * 4;
      for (let lane = 0; lane < 4; lane++) u32[at + lane] = (u32[at + lane]! + u32[stats + lane]!) >>> 0;
    }
  }
}

/** See assembly/forest.ts `partitionRows`. */
export function partitionRowsJs(memory: WebAssembly.Memory, column: number, rows: number, nRows: number, splitBin: number, scratch: number): number {
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const rowsBase = rows >>> 2;
  const scratchBase = scratch >>> 2;
  let nLeft = 0;
  let nRight = 0;
  for (let i = 0; i < nRows; i++) {
    const row = u32[rowsBase + i]!;
    if (u8[column + row]! <= splitBin) u32[rowsBase + nLeft++] = row;
    else u32[scratchBase + nRight++] = row;
  }
  u32.copyWithin(rowsBase + nLeft, scratchBase, scratchBase + nRight);
  return nLeft;
}

/** See assembly/forest.ts `binColumn`. */
export function binColumnJs(memory: WebAssembly.Memory, values: number, n: number, edges: number, nEdges: number, out: number): void {
  const f64 = new Float64Array(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const edgeBase = edges >>> 3;
  for (let i = 0; i < n; i++) {
    const v = f64[(values >>> 3) + i]!;
    let lo = 0;
    let hi = nEdges;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (f64[edgeBase + mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    u8[out + i] = lo;
  }
}
