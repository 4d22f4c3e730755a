/**
 * The streaming baseline's passes on the scan's machinery (engine/profile/stream.ts drives them):
 * a task of a plan with `MemoryPlan.profile` parses its unit into the slot's column block as any
 * scan does, and each block goes through the profile kernels (assembly/profile.ts) instead of the
 * bin counter. A slot's extra region accumulates over every task that borrows it during a pass
 * (the main side clears it before and adds the slots up after), so a task clears nothing.
 *
 * Slot extra region, per pass (profilePassLayout): a u8 row mask of the block, then per feature
 *   coarse:  stats (f64 x COARSE_STATS), bucket histogram and incomplete-row histogram
 *            (u32 per bucket of the feature's bucket map, each), sum and square-sum limbs (i64 x NLIMBS each), value
 *            table (u64 keys, u32 counts, i32 x 2 state), and the same table of the incomplete rows' values;
 *            the rows a value table counts are in its counts only, not in the histograms and sums
 *            (the main side adds the tables to them: addTable)
 *   collect: stats (f64), deviation limbs (i64 x NLIMBS), the selected buckets' runs (f64 x 2 each),
 *            the complete subset's, and the slot's two records of the feature's chunks (RECORD_BYTES)
 *   then the kernels' per-exponent sums (SUM_SCRATCH_BYTES)
 * A collect task stores the values it keeps in chunks of the pool every slot shares
 * (ProfilePass.poolPtr, taken by an atomic add), not in its slot: the values travel in no message
 * and are not copied.
 */
import { COARSE_STATS, RECORD_BYTES, MAP_BYTES, NLIMBS, SUM_SCRATCH_BYTES, type ProfileKernel } from '../kernels/index.js';
import type { MemoryPlan, ProfilePass, SlotAddress } from './protocol.js';

const align8 = (n: number) => Math.ceil(n / 8) * 8;

export interface FeatureLayout {
  stats: number;
  hist: number;
  incHist: number;
  /** coarse: sum then squares; collect: deviations */
  acc: number;
  keys: number;
  /** coarse: the value table's counts; collect: the selected buckets' runs (f64 value, f64 count) */
  counts: number;
  /* keys, collect: the complete subset's runs */
  state: number;
  /** coarse: the value table of the incomplete rows (keys, counts, state; -1 in collect) */
  incKeys: number;
  incCounts: number;
  incState: number;
  /** collect: the slot's records of the feature's chunks (-1 in coarse) */
  records: number;
}

export interface ProfilePassLayout {
  mask: number;
  features: FeatureLayout[];
  /** the kernels' per-exponent sums (SUM_SCRATCH_BYTES, zero between calls) */
  scratch: number;
  /** bytes of a slot's extra region */
  bytes: number;
}

/** Offsets (from SlotAddress.extraPtr) of a pass's per-slot state. */
export function profilePassLayout(pass: ProfilePass, blockRows: number): ProfilePassLayout {
  let at = align8(blockRows);
  const mask = 0;
  const features: FeatureLayout[] = [];
  for (let f = 0; f < pass.nFeatures; f++) {
    const stats = at;
    at += COARSE_STATS * 8;
    if (pass.kind === 'coarse') {
      const hist = at;
      const incHist = hist + align8(pass.buckets[f]! * 4);
      const acc = incHist + align8(pass.buckets[f]! * 4);
      const keys = acc + 2 * NLIMBS * 8;
      const capacity = pass.tableCapacity[f]!;
      const counts = keys + capacity * 8;
      const state = align8(counts + capacity * 4);
      const incKeys = state + 8;
      const incCounts = incKeys + capacity * 8;
      const incState = align8(incCounts + capacity * 4);
      at = incState + 8;
      features.push({ stats, hist, incHist, acc, keys, counts, state, incKeys, incCounts, incState, records: -1 });
    } else {
      const acc = at;
      at += NLIMBS * 8;
      const runs = at;
      at += (pass.runs?.[f] ?? 0) * 16;
      const completeRuns = at;
      at += (pass.completeRuns?.[f] ?? 0) * 16;
      const records = at;
      at += RECORD_BYTES;
      features.push({ stats, hist: -1, incHist: -1, acc, keys: completeRuns, counts: runs, state: -1, incKeys: -1, incCounts: -1, incState: -1, records });
    }
  }
  const scratch = at;
  at = scratch + SUM_SCRATCH_BYTES;
  return { mask, features, scratch, bytes: at };
}

/** Zero a slot's extra region for a pass (value tables: empty keys, all ones). */
export function clearProfileSlot(memory: WebAssembly.Memory, pass: ProfilePass, layout: ProfilePassLayout, slot: SlotAddress): void {
  new Uint8Array(memory.buffer, slot.extraPtr, layout.bytes).fill(0);
  if (pass.kind !== 'coarse') return;
  layout.features.forEach((f, i) => {
    new Uint8Array(memory.buffer, slot.extraPtr + f.keys, pass.tableCapacity[i]! * 8).fill(0xff);
    new Uint8Array(memory.buffer, slot.extraPtr + f.incKeys, pass.tableCapacity[i]! * 8).fill(0xff);
  });
}

/** One parsed block of `rows` rows through a pass's kernels. */
export function profileBlock(kernel: ProfileKernel, plan: MemoryPlan, slot: SlotAddress, layout: ProfilePassLayout, rows: number): void {
  if (rows === 0) return;
  const pass = plan.profile!;
  const base = slot.extraPtr;
  const stride = plan.blockRows * 8;
  const mask = base + layout.mask;
  // the collect pass reads the row mask only for a complete-row subset's selection (none when every row is complete)
  const complete = pass.kind === 'coarse' || pass.completeRuns?.some((r) => r > 0) ? kernel.completeMask(slot.columnsPtr, stride, pass.nFeatures, rows, mask) : rows;
  for (let f = 0; f < pass.nFeatures; f++) {
    const values = slot.columnsPtr + f * stride;
    const at = layout.features[f]!;
    if (pass.kind === 'coarse') {
      // the rows the value table counts take no bucket or sum here: the main side adds the
      // table's counts (a column with few distinct values costs a table lookup a value)
      const counted = kernel.countValues(values, rows, base + at.keys, base + at.counts, pass.tableCapacity[f]!, pass.tableLimit[f]!, base + at.state);
      kernel.coarseColumn(values, rows, counted, mask, base + at.stats, base + at.hist, base + at.incHist, base + at.acc, base + at.acc + NLIMBS * 8, pass.mapsPtr + f * MAP_BYTES, base + layout.scratch);
      // the incomplete rows' value counts among those rows (never more distinct values than the
      // table holds): the complete rows' are the feature's less them, and their histogram the
      // main side adds likewise
      if (complete < rows && counted > 0) kernel.countIncompleteValues(values, counted, mask, base + at.incKeys, base + at.incCounts, pass.tableCapacity[f]!, pass.tableLimit[f]!, base + at.incState);
    } else {
      const deviations = (pass.deviations?.[f] ?? 1) !== 0;
      // a feature with exact value counts and no complete-row selection: nothing to do here
      if (!deviations && (pass.runs?.[f] ?? 0) === 0 && (pass.completeRuns?.[f] ?? 0) === 0) continue;
      const flags = pass.flagsPtr! + pass.flagsOffset![f]!;
      const completeIndex = pass.flagsPtr! + (pass.completeIndexOffset?.[f] ?? pass.indexOffset![f]!);
      kernel.collectColumn(values, rows, mask, flags, pass.flagsPtr! + pass.indexOffset![f]!, base + at.counts, completeIndex, base + at.keys, base + at.records, pass.poolPtr!, 2 * f, pass.mean![f]!, pass.divisor![f]!, deviations ? base + at.acc : 0, base + at.stats, pass.mapsPtr + f * MAP_BYTES, base + layout.scratch);
    }
  }
}
