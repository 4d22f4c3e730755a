/**
 * The format-blind scan runner (engine/scan/count.ts countPlan) on plans made here: steps over
 * the pool's slots, outcomes judged in file order (a failure wins unless a unit before it asked
 * to replan), fallbacks, absent features, quality from the kernel's missing slot, every slot
 * handed back. Counts are hand-computed (edges 1 and 2: slot j holds values with j edges <= v).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countFile, ScanPool } from '../../../engine/scan/index.js';
import { countPlan, runPlan } from '../../../engine/scan/count.js';
import { InputError } from '../../../engine/util/index.js';
import { csvReader, IO_DEFAULTS, QUALITY, qualityIndex, type ScanPlan, type ScanRequest, type ScanStep } from '../../../engine/io/index.js';
import { tempDir } from '../../helpers.js';

const EDGES = [Float64Array.of(1, 2), Float64Array.of(1, 2)];
const FEATURES = ['a', 'b'];

async function withPool<T>(workers: number, run: (pool: ScanPool) => Promise<T>): Promise<T> {
  const pool = new ScanPool({ workers, blockRows: 4 });
  try {
    pool.prepare(EDGES);
    const result = await run(pool);
    // prepare() refuses while a slot is borrowed: every slot came back
    expect(() => pool.prepare(EDGES)).not.toThrow();
    return result;
  } finally {
    await pool.close();
  }
}

/** A fill step of the rows of columns a and b. */
function fill(a: number[], b: number[]): ScanStep<never> {
  return {
    rows: a.length,
    fill: (columns, stride) => {
      columns.set(a, 0);
      columns.set(b, stride);
    },
  };
}

function plan(steps: () => AsyncGenerator<ScanStep<never>, boolean | void>, more: Partial<ScanPlan<never>> = {}): ScanPlan<never> {
  return { steps, absent: () => [], quality: 'bins', noRows: () => new InputError('no rows'), close() {}, ...more };
}

describe('countPlan', () => {
  for (const workers of [0, 2]) {
    it(`adds up the steps' counts and rows, zeroes absent features, reports non-finite values from the missing slot (${workers} workers)`, async () => {
      let closed = 0;
      const counted = await withPool(workers, (pool) =>
        countPlan(
          pool,
          'test',
          plan(
            async function* () {
              yield fill([0.5, 1.5, NaN, 2], [9, 9, 9, 9]);
              yield fill([Infinity, 1], [9, 9]);
            },
            { absent: () => [1], close: () => void closed++ },
          ),
          FEATURES,
        ),
      );
      if (counted === 'fallback') throw new Error('no fallback expected');
      expect(counted.rows).toBe(6);
      // slots: 0 edges <= v, 1, 2, missing, equal to the last edge
      expect(Array.from(counted.counts[0]!)).toEqual([1, 2, 1, 2, 1]);
      expect(Array.from(counted.counts[1]!)).toEqual([0, 0, 0, 0, 0]);
      expect(counted.quality[qualityIndex(0, QUALITY.nan)]).toBe(2);
      expect(Array.from(counted.quality.subarray(4))).toEqual([0, 0, 0, 0]);
      expect(closed).toBe(1);
    });
  }

  for (const workers of [0, 2]) {
    it(`a drain step: the next step is pulled once every step before it has finished (${workers} workers)`, async () => {
      const finished: number[] = [];
      let finishedAtDrain = -1;
      const run = await withPool(workers, (pool) =>
        runPlan(
          pool,
          'test',
          plan(async function* () {
            for (let i = 0; i < 6; i++) yield fill([i, 1], [1, 1]);
            yield { drain: true };
            finishedAtDrain = finished.length;
            yield fill([1], [1]);
          }),
          (_slot, _result, index) => finished.push(index),
        ),
      );
      expect(run).not.toBe('fallback');
      expect(finishedAtDrain).toBe(6);
      // the drain is not a step of its own: the step after it is the seventh
      expect(finished.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });
  }

  it('a failure stops the steps (no more are pulled, the generator is closed) and is thrown; every slot comes back', async () => {
    let pulled = 0;
    let finished = false;
    const failure = new InputError('broken at step 2', { file: 'x' });
    const run = withPool(2, (pool) =>
      countPlan(
        pool,
        'test',
        plan(async function* () {
          try {
            for (;;) {
              pulled++;
              if (pulled === 2) yield { rows: 1, fill: () => { throw failure; } };
              else yield fill([1], [1]);
            }
          } finally {
            finished = true;
          }
        }),
        FEATURES,
      ),
    );
    await expect(run).rejects.toBe(failure);
    expect(pulled).toBe(2);
    expect(finished).toBe(true);
  });

  it('steps that give up scan the fallback; without one that is an internal error', async () => {
    const giveUp = async function* (): AsyncGenerator<ScanStep<never>, boolean> {
      yield fill([1], [1]);
      return false;
    };
    expect(await withPool(0, (pool) => countPlan(pool, 'test', plan(giveUp, { fallback: async () => plan(giveUp) }), FEATURES))).toBe('fallback');
    await expect(withPool(0, (pool) => countPlan(pool, 'test', plan(giveUp), FEATURES))).rejects.toMatchObject({ code: 'DC_ERR_INTERNAL' });
  });

  it('a plan without rows is the plan\'s own error', async () => {
    const empty = plan(async function* () {}, { noRows: () => new InputError('nothing here', { file: 'f' }) });
    await expect(withPool(0, (pool) => countPlan(pool, 'test', empty, FEATURES))).rejects.toThrow('f: nothing here');
  });

  it('a CSV range that meets a quote asks to replan: the errors of ranges cut inside the quoted field do not count', async () => {
    // labels with line feeds inside quotes: 64-byte ranges start inside them and fail on fragments
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 3},${(i * 7) % 5},"label\n${i}\nwith, commas"`);
    const file = join(tempDir(), 'quoted.csv');
    writeFileSync(file, `a,b,Label\n${rows.join('\n')}\n`);
    const request = (pool: ScanPool, unitBytes: number): ScanRequest => ({ featureNames: FEATURES, missingFeatures: 'error', coerce: false, maxLineBytes: IO_DEFAULTS.maxLineBytes, unitBytes, blockRows: pool.blockRows });
    await withPool(2, async (pool) => {
      const cut = await csvReader.planScan(file, request(pool, 64));
      expect(await countPlan(pool, 'csv', cut, FEATURES)).toBe('fallback');
      const whole = await countPlan(pool, 'csv', await csvReader.planScan(file, request(pool, 1 << 20)), FEATURES);
      const scanned = await countFile(pool, file, FEATURES, { rangeBytes: 64 });
      expect(scanned).toEqual(whole);
      expect(scanned.rows).toBe(40);
      // a: 0, 1, 2 repeating -> 14 zeros (slot 0), 13 ones (slot 1), 13 twos (slot 2, also the last edge)
      expect(Array.from(scanned.counts[0]!)).toEqual([14, 13, 13, 0, 13]);
    });
  });
});
