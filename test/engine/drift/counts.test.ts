/**
 * The kernel's count slots, read by name (COUNT_SLOTS): the slots the real histogram kernel fills
 * become the open bins + missing bin of the default semantics and np.histogram's bins of the
 * original tool, with the sizes each divides by. Expected counts are worked out by hand from the
 * values.
 */
import { describe, expect, it } from 'vitest';
import { createSharedMemory, loadBinKernel, countSlots } from '../../../engine/kernels/index.js';
import { COUNT_SLOTS, featureCounts, readSlots } from '../../../engine/drift/index.js';
import type { FeatureProfile, Profile } from '../../../engine/profile/index.js';

const memory = createSharedMemory(1 << 20);
const kernel = loadBinKernel(memory);

/** The kernel's slots for `values` binned on `edges`, as f64 totals (as the scan hands them over). */
function slotsOf(values: number[], edges: number[]): Float64Array {
  const f64 = new Float64Array(memory.buffer);
  const valuesPtr = 65536;
  const edgesPtr = valuesPtr + 8 * 1024;
  const countsPtr = edgesPtr + 8 * 64;
  f64.set(values, valuesPtr / 8);
  f64.set(edges, edgesPtr / 8);
  const u32 = new Uint32Array(memory.buffer, countsPtr, countSlots(edges.length));
  u32.fill(0);
  kernel.countBins(valuesPtr, values.length, edgesPtr, edges.length, countsPtr);
  return Float64Array.from(u32);
}

const VALUES = [0.5, 1, 1.5, 2, 3, 3, 4, NaN, Infinity, -Infinity];
const EDGES = [1, 2, 3];

function profileWith(feature: Partial<FeatureProfile>, rows: number, completeRows: number): { profile: Profile; feature: FeatureProfile } {
  const f = { name: 'x', edges: EDGES, counts: [1, 2, 3, 4], missing: 5, compat: { edges: EDGES, counts: [6, 7] }, ...feature } as FeatureProfile;
  return { profile: { rows, complete_rows: completeRows, features: [f] } as Profile, feature: f };
}

describe('count slots by name', () => {
  it('names the slots the kernel fills: between edges, non-finite, at the last edge', () => {
    const slots = slotsOf(VALUES, EDGES);
    // below 1: 0.5 | [1, 2): 1, 1.5 | [2, 3): 2 | at or above 3: 3, 3, 4 | NaN, +-Infinity | equal to 3: 3, 3
    expect(Array.from(slots)).toEqual([1, 2, 1, 3, 3, 2]);
    expect(slots[COUNT_SLOTS.between(0)]).toBe(1);
    expect(slots[COUNT_SLOTS.between(3)]).toBe(3);
    expect(slots[COUNT_SLOTS.nonFinite(3)]).toBe(3);
    expect(slots[COUNT_SLOTS.atLastEdge(3)]).toBe(2);
    const read = readSlots(slots, 3);
    expect({ finiteBins: Array.from(read.finiteBins), finite: read.finite, nonFinite: read.nonFinite, atLastEdge: read.atLastEdge }).toEqual({ finiteBins: [1, 2, 1, 3], finite: 7, nonFinite: 3, atLastEdge: 2 });
  });

  it('default semantics: the open bins, then the missing bin; sizes = baseline rows and every value counted', () => {
    const { profile, feature } = profileWith({}, 15, 13);
    const counts = featureCounts(profile, feature, slotsOf(VALUES, EDGES), 'default');
    expect(Array.from(counts.current)).toEqual([1, 2, 1, 3, 3]);
    expect(Array.from(counts.reference)).toEqual([1, 2, 3, 4, 5]);
    expect(counts).toMatchObject({ referenceSize: 15, currentSize: 10, bins: 'open', edges: EDGES, nonFinite: 3 });
  });

  it("compat: np.histogram's bins [1, 2), [2, 3] (last closed); out-of-range values only in the size", () => {
    const { profile, feature } = profileWith({}, 15, 13);
    const counts = featureCounts(profile, feature, slotsOf(VALUES, EDGES), 'compat:driftcatcher');
    // [1, 2): 1, 1.5 | [2, 3]: 2, 3, 3 | 0.5 and 4 dropped, but counted in the 7 finite values
    expect(Array.from(counts.current)).toEqual([2, 3]);
    expect(Array.from(counts.reference)).toEqual([6, 7]);
    expect(counts).toMatchObject({ referenceSize: 13, currentSize: 7, bins: 'histogram', nonFinite: 3 });
  });

  it('compat with repeated edges: the empty bins np.histogram makes between them', () => {
    const edges = [0, 0, 1, 2];
    const { profile, feature } = profileWith({ compat: { edges, counts: [0, 1, 1] } }, 2, 2);
    // np.histogram([0, 0.5, 2, 5], [0, 0, 1, 2]) = [0, 2, 1]: [0, 0) is empty, 0 and 0.5 in [0, 1), 2 in [1, 2]
    const counts = featureCounts(profile, feature, slotsOf([0, 0.5, 2, 5], edges), 'compat:driftcatcher');
    expect(Array.from(counts.current)).toEqual([0, 2, 1]);
    expect(counts.currentSize).toBe(4);
  });
});
