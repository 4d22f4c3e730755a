/**
 * The plain-TypeScript gradient-boosting kernels: the same signatures and results as
 * assembly/gbt.ts, over the same memory. The fallback where WASM cannot load and the oracle in
 * the kernel tests.
 */

/** f64 words in a bin: gradient, hessian, then the row count (u32) and padding. */
const BIN_WORDS = 4;

/** See assembly/gbt.ts `gradientHistograms`. */
export function gradientHistogramsJs(memory: WebAssembly.Memory, features: number, nFeatures: number, rows: number, nRows: number, rowGrad: number, hist: number, totalBins: number): void {
  const u8 = new Uint8Array(memory.buffer);
  const u32 = new Uint32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const histWords = hist >>> 3;
  new Uint8Array(memory.buffer, hist, totalBins * BIN_WORDS * 8).fill(0);
  for (let i = 0; i < nRows; i++) {
    const row = u32[(rows >>> 2) + i]!;
    const gradient = f64[(rowGrad >>> 3) + row * 2]!;
    const hessian = f64[(rowGrad >>> 3) + row * 2 + 1]!;
    for (let k = 0; k < nFeatures; k++) {
      const column = u32[(features >>> 2) + 2 * k]!;
      const first = u32[(features >>> 2) + 2 * k + 1]!;
      const at = histWords + (first + u8[column + row]!) * BIN_WORDS;
      f64[at] = f64[at]! + gradient;
      f64[at + 1] = f64[at + 1]! + hessian;
      u32[(at + 2) * 2] = (u32[(at + 2) * 2]! + 1) >>> 0;
    }
  }
}

/** See assembly/gbt.ts `subtractHistograms`. */
export function subtractHistogramsJs(memory: WebAssembly.Memory, parent: number, child: number, totalBins: number): void {
  const u32 = new Uint32Array(memory.buffer);
  const f64 = new Float64Array(memory.buffer);
  const p = parent >>> 3;
  const c = child >>> 3;
  for (let b = 0; b < totalBins; b++) {
    const at = p + b * BIN_WORDS;
    const from = c + b * BIN_WORDS;
    f64[at] = f64[at]! - f64[from]!;
    f64[at + 1] = f64[at + 1]! - f64[from + 1]!;
    u32[(at + 2) * 2] = (u32[(at + 2) * 2]! - u32[(from + 2) * 2]!) >>> 0;
  }
}
