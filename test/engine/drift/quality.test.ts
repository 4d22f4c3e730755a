/**
 * The data-quality signals (engine/drift/quality.ts), each on counts worked out by hand, then
 * through the real histogram kernel (the range edges: out-of-range counts, values equal to the
 * training minimum, the deciles' counts unchanged), then in a check (the verdict's floor, the
 * option that turns it off, compat keeping the original verdict).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSharedMemory, loadBinKernel, countSlots } from '../../../engine/kernels/index.js';
import {
  constancy,
  featureCounts,
  missingRate,
  newCategories,
  outOfRange,
  qualitySummary,
  rangeScanEdges,
  referenceConstancy,
  resolveDriftOptions,
  resolveQualityOptions,
  withQualityFloor,
  DRIFT_METHODS,
  type FeatureQuality,
} from '../../../engine/drift/index.js';
import { checkDrift, createBaseline, type Profile } from '../../../engine/index.js';
import { nextUp, type FeatureProfile } from '../../../engine/profile/index.js';
import { rng, tempDir } from '../../helpers.js';

const memory = createSharedMemory(1 << 20);
const kernel = loadBinKernel(memory);

/** The kernel's slots for `values` binned on `edges`, as f64 totals (as the scan hands them over). */
function slotsOf(values: number[], edges: number[]): Float64Array {
  const f64 = new Float64Array(memory.buffer);
  const valuesPtr = 65536;
  const edgesPtr = valuesPtr + 8 * 4096;
  const countsPtr = edgesPtr + 8 * 64;
  f64.set(values, valuesPtr / 8);
  f64.set(edges, edgesPtr / 8);
  const u32 = new Uint32Array(memory.buffer, countsPtr, countSlots(edges.length));
  u32.fill(0);
  kernel.countBins(valuesPtr, values.length, edgesPtr, edges.length, countsPtr);
  return Float64Array.from(u32);
}

describe('missing rate: non-finite values / rows on each side, judged on the absolute change', () => {
  it('worked by hand: 2 of 100 baseline rows, 30 of 200 batch rows: 0.02 -> 0.15, change 0.13', () => {
    const m = missingRate({ missing: 2, rows: 100 }, { nonFinite: 30, rows: 200 }, 0.05);
    expect(m).toEqual({ reference_rate: 0.02, current_rate: 0.15, change: 0.15 - 0.02, breach: true });
  });

  it('a fall counts as much as a rise (an upstream fill that hides the gaps), and the threshold is strict', () => {
    expect(missingRate({ missing: 20, rows: 100 }, { nonFinite: 0, rows: 50 }, 0.05).breach).toBe(true);
    // 0.5 - 0.25 = 0.25 exactly (both rates are exact in binary): not above 0.25
    expect(missingRate({ missing: 1, rows: 4 }, { nonFinite: 1, rows: 2 }, 0.25)).toMatchObject({ change: 0.25, breach: false });
    expect(missingRate({ missing: 0, rows: 10 }, { nonFinite: 0, rows: 0 }, 0.05)).toMatchObject({ current_rate: 0, breach: false });
  });
});

describe('out of range: current finite values beyond the training minimum and maximum', () => {
  it('count and share of the finite values; a breach above the threshold', () => {
    expect(outOfRange({ below: 3, above: 7 }, 100, 0.05)).toEqual({ below: 3, above: 7, count: 10, share: 0.1, breach: true });
    expect(outOfRange({ below: 0, above: 5 }, 100, 0.05)).toMatchObject({ share: 0.05, breach: false });
    expect(outOfRange({ below: 0, above: 0 }, 0, 0.05)).toMatchObject({ share: 0, breach: false });
    expect(outOfRange(null, 100, 0.05)).toBeNull();
  });
});

describe('constant: the baseline state, and a batch stuck at one value the baseline had less of', () => {
  const fine = (atoms: number[], distinct: number) => ({ edges: [], counts: [], atoms, distinct, sum: 0, sum_squares: 0 });

  it('baseline: std 0 is constant, a top value share >= the threshold almost constant (from the fine atoms), else neither', () => {
    expect(referenceConstancy({ count: 10, std: 0, fine: fine([10], 1) }, 0.95)).toEqual({ reference: 'constant', reference_top_share: 1 });
    expect(referenceConstancy({ count: 100, std: 0.3, fine: fine([96, 1, 3], 3) }, 0.95)).toEqual({ reference: 'almost_constant', reference_top_share: 0.96 });
    expect(referenceConstancy({ count: 100, std: 0.3, fine: fine([60, 40], 2) }, 0.95)).toEqual({ reference: null, reference_top_share: 0.6 });
    // version 1: no atoms, only std says anything
    expect(referenceConstancy({ count: 100, std: 0, fine: undefined }, 0.95)).toEqual({ reference: 'constant', reference_top_share: 1 });
    expect(referenceConstancy({ count: 100, std: 2, fine: undefined }, 0.95)).toEqual({ reference: null, reference_top_share: null });
    expect(referenceConstancy({ count: 0, std: null, fine: undefined }, 0.95)).toEqual({ reference: null, reference_top_share: null });
  });

  const baseline = { count: 1000, std: 1, fine: fine([100, 1], 500) };
  const atZero = (count: number, finite: number, reference: number) => ({ finite, topBin: { count, lo: 0, hi: nextUp(0), reference } });

  it('a breach: 96 of 100 values equal to 0, which holds 10% of the baseline', () => {
    const c = constancy(baseline, atZero(96, 100, 100), 0.95);
    expect(c).toMatchObject({ current_top_share: 0.96, current_top_value: 0, current_top_bin: [0, nextUp(0)], reference_share_in_bin: 0.1, breach: true });
  });

  it('no breach: below the share, already that concentrated in the baseline, a share that merely crosses the threshold, too few values, or a bin wider than one value', () => {
    expect(constancy(baseline, atZero(94, 100, 100), 0.95).breach).toBe(false);
    expect(constancy(baseline, atZero(100, 100, 960), 0.95).breach).toBe(false);
    // 94% of the baseline there, 96% of the batch: crossing the threshold is not a collapse (the others 6% -> 4%, not halved)
    expect(constancy(baseline, atZero(96, 100, 940), 0.95)).toMatchObject({ current_top_share: 0.96, reference_share_in_bin: 0.94, breach: false });
    expect(constancy(baseline, atZero(98, 100, 940), 0.95).breach).toBe(true);
    // 29 values all equal: fewer than QUALITY_MIN_VALUES (30) cannot tell a broken column from chance
    expect(constancy(baseline, atZero(29, 29, 100), 0.95).breach).toBe(false);
    expect(constancy(baseline, atZero(30, 30, 100), 0.95).breach).toBe(true);
    const wide = constancy(baseline, { finite: 100, topBin: { count: 100, lo: 0, hi: 5, reference: 100 } }, 0.95);
    expect(wide).toMatchObject({ current_top_share: 1, current_top_value: null, current_top_bin: [0, 5], breach: false });
    // a version 1 profile cannot say how much of the baseline sits at one value
    expect(constancy(baseline, atZero(100, 100, NaN), 0.95)).toMatchObject({ reference_share_in_bin: null, breach: false });
    // no finite value in the batch: the missing rate speaks, not this
    expect(constancy(baseline, { finite: 0, topBin: null }, 0.95)).toMatchObject({ current_top_share: null, breach: false });
  });
});

describe('new categories: read from the categorical counts when they give a share', () => {
  it('null for a numeric feature; a breach above the threshold', () => {
    expect(newCategories(undefined, 0.05)).toBeNull();
    expect(newCategories(0.2, 0.05)).toEqual({ share: 0.2, breach: true });
    expect(newCategories(0.05, 0.05)).toEqual({ share: 0.05, breach: false });
  });
});

describe('the dataset summary and the verdict floor', () => {
  const quality = (breaches: FeatureQuality['breaches']): FeatureQuality => ({
    missing_rate: { reference_rate: 0, current_rate: 0, change: 0, breach: breaches.includes('missing_rate') },
    out_of_range: null,
    constant: { reference: null, reference_top_share: null, current_top_share: null, current_top_bin: null, current_top_value: null, reference_share_in_bin: null, breach: false },
    new_categories: null,
    breaches,
  });

  it('rates over rows x features, out-of-range share over the finite values, breaches in feature order, the missing columns among them', () => {
    const summary = qualitySummary(
      [
        { name: 'a', quality: quality(['missing_rate']), missing: { reference: 1, current: 40 }, outOfRange: 0, finite: 60 },
        { name: 'b', quality: quality(['out_of_range', 'constant']), missing: { reference: 3, current: 0 }, outOfRange: 25, finite: 100 },
      ],
      { referenceRows: 200, currentRows: 100 },
      { onlyInBaseline: ['c'], onlyInBatch: ['extra'] },
      ['b'],
      resolveQualityOptions(),
    );
    expect(summary).toEqual({
      missing_rate: { reference: 4 / 400, current: 40 / 200, change: 40 / 200 - 4 / 400 },
      out_of_range: { count: 25, share: 25 / 160 },
      constant_in_baseline: ['b'],
      columns: { only_in_baseline: ['c'], only_in_batch: ['extra'] },
      breaches: [
        { feature: 'a', signal: 'missing_rate' },
        { feature: 'b', signal: 'out_of_range' },
        { feature: 'b', signal: 'constant' },
        { feature: 'c', signal: 'missing_column' },
      ],
      n_breaches: 4,
      action: 'alert',
    });
    expect(qualitySummary([], { referenceRows: 1, currentRows: 1 }, { onlyInBaseline: ['c'], onlyInBatch: [] }, [], resolveQualityOptions({ action: 'none' })).action).toBeNull();
    expect(qualitySummary([], { referenceRows: 1, currentRows: 1 }, { onlyInBaseline: [], onlyInBatch: ['new'] }, [], resolveQualityOptions()).action).toBeNull();
  });

  it('the floor raises a verdict, never lowers one', () => {
    expect(withQualityFloor('wait', 'alert')).toBe('alert');
    expect(withQualityFloor('retrain', 'alert')).toBe('retrain');
    expect(withQualityFloor('alert', 'retrain')).toBe('retrain');
    expect(withQualityFloor('wait', null)).toBe('wait');
  });

  it('options: defaults stated, bad values refused naming the option, compat never touches the verdict', () => {
    expect(resolveQualityOptions()).toEqual({ missing_threshold: 0.05, out_of_range_threshold: 0.05, constant_threshold: 0.95, new_category_threshold: 0.05, constant_min_values: 30, action: 'alert' });
    expect(() => resolveQualityOptions({ missingThreshold: 1.5 })).toThrow(expect.objectContaining({ code: 'DC_ERR_USAGE', option: 'quality.missingThreshold' }));
    expect(() => resolveQualityOptions({ constantThreshold: 0.4 })).toThrow(expect.objectContaining({ option: 'quality.constantThreshold' }));
    expect(() => resolveQualityOptions({ outOfRangeThreshold: NaN })).toThrow(expect.objectContaining({ option: 'quality.outOfRangeThreshold' }));
    expect(() => resolveQualityOptions({ action: 'panic' as never })).toThrow(expect.objectContaining({ option: 'quality.action' }));
    expect(resolveQualityOptions({ action: 'retrain' }, 'compat:driftcatcher').action).toBe('none');
  });
});

describe('the range edges through the real kernel', () => {
  // training: min 0, max 10, deciles 2, 5, 8; values equal to 0 are 30 of the 100
  const feature = {
    name: 'x', count: 100, min: 0, max: 10, std: 3, edges: [2, 5, 8], counts: [40, 20, 20, 20], missing: 4,
    fine: { edges: [0, 2, 5, 8, 10], counts: [0, 40, 20, 20, 19, 1], atoms: [30, 5, 5, 5, 1], distinct: 40, sum: 0, sum_squares: 0 },
    compat: { edges: [0, 2, 5, 8, 10], counts: [40, 20, 20, 20] },
  } as unknown as FeatureProfile;
  const profile = { rows: 104, complete_rows: 100, features: [feature] } as unknown as Profile;

  it('adds the minimum, nextUp(minimum) and nextUp(maximum) to the deciles, once', () => {
    expect(rangeScanEdges(feature)).toEqual([0, nextUp(0), 2, 5, 8, nextUp(10)]);
    // the minimum already a decile edge (a feature mostly at its minimum): not repeated
    expect(rangeScanEdges({ min: 2, max: 8, edges: [2, 5, 8] })).toEqual([2, nextUp(2), 5, 8, nextUp(8)]);
    expect(rangeScanEdges({ min: null, max: null, edges: [] })).toEqual([]);
  });

  const values = [-3, -1, 0, 0, 0, 1, 2, 4, 5, 9, 10, 10.5, 11, NaN, Infinity];

  it('the decile counts are the ones binned on the deciles alone (so every method scores the same), plus what lies outside [min, max]', () => {
    const onDeciles = featureCounts(profile, feature, slotsOf(values, feature.edges), 'default');
    const edges = rangeScanEdges(feature);
    const onRange = featureCounts(profile, feature, slotsOf(values, edges), 'default', edges);
    expect(Array.from(onRange.current)).toEqual(Array.from(onDeciles.current));
    // below 2: -3 -1 0 0 0 1 | [2, 5): 2 4 | [5, 8): 5 | >= 8: 9 10 10.5 11 | missing: NaN, Infinity
    expect(Array.from(onRange.current)).toEqual([6, 2, 1, 4, 2]);
    expect(onRange).toMatchObject({ finite: 13, nonFinite: 2, outOfRange: { below: 2, above: 2 } });
    expect(onDeciles.outOfRange).toBeNull();
    // the largest bin: (-inf, 0) has 2, [0, nextUp(0)) 3 (the zeros), the baseline's 30 there
    expect(onRange.topBin).toEqual({ count: 3, lo: 0, hi: nextUp(0), reference: 30 });
    // every PSI-path method scores the same counts either way
    for (const method of DRIFT_METHODS.filter((m) => m.needs !== 'fine')) {
      const input = { epsilon: 1e-4, summary: { reference: feature } };
      expect(method.compute({ ...onRange, ...input }).score, method.id).toBe(method.compute({ ...onDeciles, ...input }).score);
    }
  });

  it('compat: out of range against the original edges (the complete rows\' min and max, last edge closed)', () => {
    const compat = featureCounts(profile, feature, slotsOf(values, feature.compat.edges), 'compat:driftcatcher');
    expect(compat.outOfRange).toEqual({ below: 2, above: 2 });
  });
});

describe('in a check: a breach makes the verdict at least alert, never retrain on its own', () => {
  const dir = tempDir('dc-quality-');
  let profile: Profile;
  const file = (name: string) => join(dir, `${name}.csv`);

  /** x uniform, y uniform with 20% of its cells empty (missing), z in 0..9; `edit` changes a row's cells; returns the rows */
  function write(path: string, rows: number, seed: number, edit: (cells: string[], i: number) => void = () => {}): string[][] {
    const random = rng(seed);
    const lines = ['x,y,z,Label'];
    const out: string[][] = [];
    for (let i = 0; i < rows; i++) {
      const cells = [String(random()), i % 5 === 0 ? '' : String(random()), String(Math.floor(random() * 10)), 'BENIGN'];
      edit(cells, i);
      lines.push(cells.join(','));
      out.push(cells);
    }
    writeFileSync(path, lines.join('\n') + '\n');
    return out;
  }
  let beyond: string[][] = [];

  beforeAll(async () => {
    write(file('train'), 4000, 1);
    write(file('quiet'), 2000, 2);
    // y missing in 30% of the rows instead of 20%: the missing bin's share moves by half and the
    // others shrink a little, so PSI (about 0.05) stays far below its threshold (Evidently #187)
    write(file('gaps'), 2000, 3, (cells, i) => {
      cells[1] = i % 10 < 3 ? '' : String(Math.random());
    });
    beyond = write(file('beyond'), 2000, 4, (cells, i) => {
      if (i % 10 === 0) cells[0] = String(1.5 + Math.random());
    });
    write(file('stuck'), 2000, 5, (cells) => {
      cells[2] = '0';
    });
    profile = await createBaseline(file('train'));
  });

  const check = (name: string, options: Parameters<typeof checkDrift>[2] = {}) => checkDrift(profile, file(name), { workers: 0, ...options });

  it('a quiet batch: no breach, verdict wait', async () => {
    const report = await check('quiet');
    expect(report.quality).toMatchObject({ n_breaches: 0, action: null, breaches: [] });
    expect(report.action).toBe('wait');
    expect(report.settings.quality).toEqual(resolveDriftOptions(profile).quality);
  });

  it('missing values: the missing rate breaches where PSI alone would wait', async () => {
    const report = await check('gaps');
    const y = report.features.find((f) => f.name === 'y')!;
    expect(y.quality.missing_rate).toEqual({ reference_rate: 0.2, current_rate: 0.3, change: 0.3 - 0.2, breach: true });
    expect(y.score).toBeLessThan(0.1);
    expect(y.quality.breaches).toEqual(['missing_rate']);
    expect(report.n_drifted_features).toBe(0);
    expect(report.quality).toMatchObject({ n_breaches: 1, breaches: [{ feature: 'y', signal: 'missing_rate' }], action: 'alert' });
    expect(report.action).toBe('alert');
    expect((await check('gaps', { quality: { action: 'none' } })).action).toBe('wait');
    expect((await check('gaps', { quality: { action: 'retrain' } })).action).toBe('retrain');
    expect((await check('gaps', { quality: { missingThreshold: 0.2 } })).quality.n_breaches).toBe(0);
  });

  it('values beyond the training maximum: counted, and their share of the finite values', async () => {
    const report = await check('beyond');
    const x = report.features.find((f) => f.name === 'x')!;
    const { min, max } = profile.features.find((f) => f.name === 'x')!;
    // fresh uniform values fall below the training minimum now and then too: counted from the rows written
    const below = beyond.filter((cells) => Number(cells[0]) < min!).length;
    const above = beyond.filter((cells) => Number(cells[0]) > max!).length;
    expect(above).toBeGreaterThanOrEqual(200);
    expect(x.quality.out_of_range).toEqual({ below, above, count: below + above, share: (below + above) / 2000, breach: true });
    const others = report.features.filter((f) => f.name !== 'x').reduce((n, f) => n + f.quality.out_of_range!.count, 0);
    const finite = report.features.reduce((n, f) => n + f.count - f.non_finite, 0);
    expect(report.quality.out_of_range).toEqual({ count: below + above + others, share: (below + above + others) / finite });
  });

  it('a column stuck at its minimum: constant, equal to 0, where the baseline had about 10%', async () => {
    const report = await check('stuck');
    const z = report.features.find((f) => f.name === 'z')!;
    expect(z.quality.constant).toMatchObject({ current_top_share: 1, current_top_value: 0, breach: true });
    expect(z.quality.constant.reference_share_in_bin).toBeCloseTo(0.1, 1);
    expect(report.quality.breaches).toContainEqual({ feature: 'z', signal: 'constant' });
  });

  it('compat: the signals are reported, the original verdict is kept', async () => {
    const report = await check('gaps', { compat: 'driftcatcher' });
    expect(report.quality.breaches).toContainEqual({ feature: 'y', signal: 'missing_rate' });
    expect(report.settings.quality.action).toBe('none');
    expect(report.quality.action).toBeNull();
    expect(report.action).toBe('wait');
  });
});
