/**
 * The streaming baseline (engine/profile/stream.ts: a pilot, a coarse pass and a collect pass on
 * the scan's workers) makes the same Profile as the in-memory one (buildProfile over the whole
 * table), field for field and profile id included, on the real extract and on generated columns
 * that stress it: ties, -0 next to 0, NaN and ±Inf (incomplete rows), constant and all-missing
 * columns, few-valued and named categorical columns, huge and tiny values, one row; under every
 * worker count, byte-range size (a first range too small for a representative pilot) and kernel.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBaseline, createBaselineInMemory, streamBaseline, type Profile, type StreamOptions } from '../../../engine/profile/index.js';
import { HEAD_9998, SAMPLE_10, rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-stream-');

const withoutDate = (p: Profile) => ({ ...p, created: '' });

async function expectSame(file: string, options: StreamOptions = {}): Promise<Profile> {
  return (await expectSameStats(file, options)).profile;
}

async function expectSameStats(file: string, options: StreamOptions = {}): ReturnType<typeof streamBaseline> {
  const streamed = await streamBaseline(file, options);
  const { workers: _w, kernel: _k, rangeBytes: _r, collectBudget: _c, ...baseline } = options;
  const memory = await createBaselineInMemory(file, baseline);
  expect(withoutDate(streamed.profile)).toEqual(withoutDate(memory));
  expect(streamed.profile.id).toBe(memory.id);
  return streamed;
}

/** A CSV of generated columns (rows x 10 features and a label) that exercises every path of the streaming baseline. */
function generated(rows: number, seed: number): string {
  const random = rng(seed);
  const lines = ['continuous,ties,signed_zero,rates,constant,missing,flag,port,mixed,late,Label'];
  for (let r = 0; r < rows; r++) {
    const u = random();
    const continuous = (Math.exp(random() * 30 - 10) * (random() < 0.1 ? -1 : 1)).toPrecision(9);
    const ties = random() < 0.6 ? '0' : random() < 0.5 ? String(Math.floor(random() * 5) * 1460) : String(Math.floor(random() * 5000));
    const signedZero = u < 0.3 ? '-0' : u < 0.6 ? '0' : (random() - 0.5).toFixed(4);
    const rates = u < 0.01 ? 'Infinity' : u < 0.015 ? 'NaN' : u < 0.02 ? '-Infinity' : (random() * 1e6).toFixed(3);
    const missing = 'NaN';
    const flag = random() < 0.3 ? '1' : '0';
    const port = String([80, 443, 22, 53][Math.floor(random() * 4)]! + (random() < 0.3 ? Math.floor(random() * 2000) : 0));
    const mixed = random() < 0.001 ? '1e300' : random() < 0.001 ? '1e-300' : (random() * 10).toFixed(2);
    // few distinct values for the first two thirds of the rows, then a new one a row: the value tables fill late, in some slots only
    const late = r < (2 * rows) / 3 ? String(r % 3) : (random() * 100).toFixed(6);
    lines.push([continuous, ties, signedZero, rates, '7', missing, flag, port, mixed, late, random() < 0.5 ? 'BENIGN' : 'DDoS'].join(','));
  }
  const file = join(dir, `generated-${rows}-${seed}.csv`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('the streaming baseline equals the in-memory one', () => {
  it('on the real CICIDS extract (9,998 rows), inline and with 2 workers, one range and many', async () => {
    await expectSame(HEAD_9998, { workers: 0 });
    await expectSame(HEAD_9998, { workers: 2, rangeBytes: 256 * 1024 });
    await expectSame(SAMPLE_10, { workers: 0 });
  });

  it('on generated columns: ties, -0 and 0, NaN/±Inf, constant, all-missing, categorical, huge and tiny values', async () => {
    const file = generated(30_000, 3);
    const profile = await expectSame(file, { workers: 0 });
    const byName = Object.fromEntries(profile.features.map((f) => [f.name, f]));
    expect(byName['missing']!.count).toBe(0);
    expect(byName['constant']!.fine!.distinct).toBe(1);
    expect(byName['flag']!.categorical?.kind).toBe('few_distinct');
    expect(profile.complete_rows).toBe(0); // the all-missing column leaves no complete row
  });

  it('under any layout: byte ranges of 4 KiB (a pilot of a few rows), 1 or 2 workers, the JavaScript kernels', async () => {
    const file = generated(6_000, 5);
    await expectSame(file, { workers: 2, rangeBytes: 4096 });
    await expectSame(file, { workers: 1, rangeBytes: 64 * 1024 });
    await expectSame(file, { workers: 0, rangeBytes: 4096, kernel: 'js' });
  });

  it('incomplete rows without an all-missing column: the compat baseline on the complete rows, a named categorical with many values', async () => {
    const file = join(dir, 'incomplete.csv');
    const random = rng(9);
    const lines = ['a,b,port,Label'];
    for (let r = 0; r < 8000; r++) lines.push([random() < 0.02 ? 'Infinity' : (random() * 100).toFixed(1), random() < 0.01 ? 'NaN' : String(Math.floor(random() * 50)), String(Math.floor(random() * 3000)), 'BENIGN'].join(','));
    writeFileSync(file, lines.join('\n') + '\n');
    const profile = await expectSame(file, { workers: 2, rangeBytes: 16 * 1024, categorical: ['port'], maxCategories: 20 });
    expect(profile.complete_rows).toBeGreaterThan(7000);
    expect(profile.complete_rows).toBeLessThan(8000);
    expect(profile.features[2]!.categorical).toMatchObject({ kind: 'named', distinct: expect.any(Number) });
    expect(profile.features[2]!.categorical!.distinct).toBeGreaterThan(1000);
  });

  it('with a collect budget too small for the values: the features that did not fit collected again, in groups', async () => {
    const one = await expectSameStats(HEAD_9998, { workers: 2, rangeBytes: 256 * 1024 });
    expect(one.stats.passes).toBe(2);
    const largest = Math.max(...one.stats.features.map((f) => f.stored));
    // below the largest feature's values: that feature alone in a pass, and many passes. With one
    // worker the values reach the pool in file order, so what each pass stores and loses is the
    // same in every run; with two it depends on which slot saw a value first (2 to 9 passes in
    // 18 runs), so that run checks the profile only
    const budget = Math.floor(largest * 0.75);
    await expectSameStats(HEAD_9998, { workers: 2, rangeBytes: 256 * 1024, collectBudget: budget });
    const grouped = await expectSameStats(HEAD_9998, { workers: 1, rangeBytes: 256 * 1024, collectBudget: budget });
    expect(grouped.stats.passes).toBeGreaterThan(4);
    expect(grouped.stats.collected).toBe(one.stats.collected);
    const tiny = await expectSameStats(generated(6_000, 5), { workers: 0, rangeBytes: 4096, collectBudget: 1, kernel: 'js' });
    expect(tiny.stats.passes).toBeGreaterThan(2);
    await expect(streamBaseline(HEAD_9998, { workers: 0, collectBudget: 0 })).rejects.toThrow(/^collectBudget must be a whole number of values, at least 1 \(got 0\)$/);
    await expect(streamBaseline(HEAD_9998, { workers: 0, collectBudget: NaN })).rejects.toThrow(/collectBudget/);
  });

  it('one row, and one value per column', async () => {
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'x,y,Label\n-0,5e-324,BENIGN\n');
    await expectSame(file, { workers: 0 });
  });

  it('createBaseline takes the streaming path for CSV files', async () => {
    const file = generated(500, 8);
    const { profile } = await streamBaseline(file, { workers: 0 });
    expect(withoutDate(await createBaseline(file, { workers: 0 }))).toEqual(withoutDate(profile));
  });
});
