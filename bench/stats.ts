/** Timing helpers for the benchmarks: repetitions, medians and ranges, peak RSS. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarise(runs: number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs };
}

/**
 * Run each named pass `reps` times, alternating, after warming each one for `warmupMs` (at least
 * 3 passes): V8 runs new WASM code in its baseline tier first and swaps in optimised code compiled
 * in the background, which takes a while on a loaded machine; a fixed count of warm-up passes once
 * measured the baseline tier (3.3 ns against 2.0 a value). Seconds per pass, per name.
 */
export function alternate(passes: Record<string, () => unknown>, reps: number, warmupMs = 1500): Record<string, Timing> {
  const names = Object.keys(passes);
  for (const name of names) {
    const until = performance.now() + warmupMs;
    for (let w = 0; w < 3 || performance.now() < until; w++) passes[name]!();
  }
  const runs: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (const name of names) {
      const start = performance.now();
      passes[name]!();
      runs[name]!.push((performance.now() - start) / 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarise(runs[n]!)]));
}

export async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

export function fmt(value: number, digits = 2): string {
  return value.toFixed(digits);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
