/**
 * The bound on worker threads: above min(256, max(16, 4 x cores)) a pool is a usage error naming
 * the bound; within it, threads start as tasks come (a file of one task starts one thread, however
 * many are allowed), and a plan that needs more shared memory than a WebAssembly memory holds is a
 * usage error with advice, not a RangeError from memory.grow.
 */
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { createBaseline, scanDrift, isDriftCatcherError } from '../../../engine/index.js';
import { ScanPool } from '../../../engine/scan/index.js';
import { TrainPool } from '../../../engine/model/index.js';
import { maxWorkers } from '../../../engine/index.js';
import { HEAD_9998, SAMPLE_10 } from '../../helpers.js';

const bound = Math.min(256, Math.max(16, 4 * availableParallelism()));

function usageError(make: () => unknown): Error {
  try {
    make();
  } catch (err) {
    expect(isDriftCatcherError(err), String(err)).toBe(true);
    expect((err as { code: string }).code).toBe('DC_ERR_USAGE');
    return err as Error;
  }
  throw new Error('expected a usage error');
}

describe('worker bound', () => {
  it('is 4 per core, at least 16, at most 256', () => {
    expect(maxWorkers()).toBe(bound);
    expect([1, 2, 4, 5, 64, 100].map((cores) => maxWorkers(cores))).toEqual([16, 16, 16, 20, 256, 256]);
  });

  it('a scan or training pool above it is a usage error naming the bound', () => {
    for (const make of [() => new ScanPool({ workers: bound + 1 }), () => new ScanPool({ workers: 1000 }), () => new TrainPool({ workers: bound + 1 }, 0)]) {
      expect(usageError(make).message).toMatch(new RegExp(`workers must be an integer from 0 to ${bound}, at most ${bound} here \\(4 per core on \\d+ cores?, at least 16, at most 256\\); got \\d+`));
    }
    expect(usageError(() => new ScanPool({ workers: -1 })).message).toMatch(/got -1$/);
  });

  it('a file of one task starts one thread however many are allowed, with the same result as inline', async () => {
    const profile = await createBaseline(HEAD_9998);
    const started = performance.now();
    const wide = await scanDrift(profile, [SAMPLE_10], { workers: bound });
    const seconds = (performance.now() - started) / 1000;
    const inline = await scanDrift(profile, [SAMPLE_10], { workers: 0 });
    expect(wide.workers).toBe(1);
    expect(inline.workers).toBe(0);
    expect(seconds).toBeLessThan(5);
    expect(wide.combined.features).toEqual(inline.combined.features);
  });

  it('an input of many tasks still gets its threads', async () => {
    const profile = await createBaseline(HEAD_9998);
    const split = await scanDrift(profile, [HEAD_9998], { workers: 2, rangeBytes: 64 * 1024 });
    const inline = await scanDrift(profile, [HEAD_9998], { workers: 0 });
    expect(split.workers).toBe(2);
    expect(split.combined.features).toEqual(inline.combined.features);
  });

  it('a plan beyond the 4 GiB of a WebAssembly memory is a usage error with advice', async () => {
    // 16,000 features: each slot's column block is 2,048 rows x 16,000 x 8 bytes = 250 MiB
    const pool = new ScanPool({ workers: 16 });
    try {
      const edges = Array.from({ length: 16_000 }, () => Float64Array.of(0, 1, 2));
      const err = usageError(() => pool.prepare(edges));
      expect(err.message).toMatch(/a scan of 16000 features with 16 workers needs \d+\.\d\d GiB of shared memory, more than the 4\.00 GiB .*: use at most \d+ workers/);
      const fit = Number(/use at most (\d+) workers/.exec(err.message)![1]);
      expect(fit).toBeGreaterThan(0);
      expect(fit).toBeLessThan(16);
    } finally {
      await pool.close();
    }
    const tooBig = usageError(() => new TrainPool({ workers: 2 }, 5 * 1024 ** 3));
    expect(tooBig.message).toMatch(/^training with 2 worker slot\(s\) needs 5\.00 GiB of shared memory, more than the 4\.00 GiB .*: use fewer workers/);
  });
});
