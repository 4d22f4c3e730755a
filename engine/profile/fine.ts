/**
 * The edges a scan bins on for the methods on the fine summary, and the baseline's counts on
 * them: each fine edge e followed by nextUp(e), the next double, so that the bin [e, nextUp(e))
 * holds exactly the values equal to e (FineSummary.atoms on the baseline side). Ties at an edge
 * are then counted on both sides, and only the values strictly between two edges are placed by
 * the methods (docs/STATISTICS.md). The decile edges are among them.
 */
import type { FineSummary } from './types.js';

const scratch = new Float64Array(1);
const bits = new BigInt64Array(scratch.buffer);

/** The smallest double above a finite x (Math.nextUp). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  scratch[0] = x;
  bits[0]! += x > 0 ? 1n : -1n;
  return scratch[0]!;
}

/** e[0], nextUp(e[0]), e[1], nextUp(e[1]), ...: 2 m sorted edges (a pair may touch: nextUp(e[t]) = e[t + 1] gives an empty bin). */
export function fineScanEdges(fine: Pick<FineSummary, 'edges'>): number[] {
  const out: number[] = [];
  for (const e of fine.edges) out.push(e, nextUp(e));
  return out;
}

/** The baseline's counts of the 2 m + 1 open bins on fineScanEdges: below e[0], then per edge its atom and the values strictly above it up to the next edge. */
export function fineScanCounts(fine: Pick<FineSummary, 'edges' | 'counts' | 'atoms'>): number[] {
  const out = [fine.counts[0]!];
  for (let t = 0; t < fine.edges.length; t++) out.push(fine.atoms[t]!, fine.counts[t + 1]! - fine.atoms[t]!);
  return out;
}
