/**
 * The CSV number scanner of assembly/csv.ts, over a shared memory. It parses the common rows and
 * leaves every other row to the JavaScript parser (engine/io/csv/block-parser.ts), which is both its
 * fallback and its oracle; so there is no plain-TS copy of it here.
 */
import { instantiate, preferred, type KernelName } from './load.js';

export interface CsvScanKernel {
  readonly name: KernelName;
  readonly memory: WebAssembly.Memory;
  /**
   * Parse simple rows (see assembly/csv.ts); byte addresses throughout. Returns rows; consumed()
   * gives their bytes. Rows longer than `maxLineBytes` (line feed not counted) are left to the
   * JavaScript parser, which reports them; 0 or absent: no limit.
   */
  parseRows(bytes: number, end: number, lineStartLimit: number, columnMap: number, nColumns: number, out: number, strideBytes: number, maxRows: number, maxLineBytes?: number): number;
  consumed(): number;
}

/** The CSV scanner over `memory`, or null where it cannot load or `DRIFTCATCHER_KERNEL=js`. */
export function loadCsvKernel(memory: WebAssembly.Memory, only?: KernelName): CsvScanKernel | null {
  for (const name of only ? [only] : preferred()) {
    if (name === 'js') return null;
    const instance = instantiate(name === 'wasm-simd' ? 'csv.simd.wasm' : 'csv.wasm', memory);
    if (instance) {
      return {
        name,
        memory,
        parseRows: instance.exports['parseRows'] as CsvScanKernel['parseRows'],
        consumed: instance.exports['consumed'] as CsvScanKernel['consumed'],
      };
    }
  }
  return null;
}
