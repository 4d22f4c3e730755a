/**
 * Histograms are additive, so a scan's result must not depend on how the work was split:
 * byte ranges of any size, any number of workers, any block size, one file or several.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createBaseline, scanDrift, resolveDriftOptions } from '../../../engine/index.js';
import { ScanPool, countFile } from '../../../engine/scan/index.js';
import { binEdges } from '../../../engine/drift/index.js';
import { HEAD_9998, readCsvText, tempDir, writeCsvText } from '../../helpers.js';

describe('split invariance', () => {
  it('any range size, worker count and block size give the same counts', async () => {
    const profile = await createBaseline(HEAD_9998);
    const featureNames = profile.features.map((f) => f.name);
    const settings = resolveDriftOptions(profile, {});
    const results: string[] = [];
    for (const [workers, rangeBytes, blockRows] of [
      [0, 1 << 30, 8192],
      [0, 4096, 100],
      [1, 65536, 1000],
      [2, 10007, 333],
      [2, 1 << 20, 8192],
    ] as const) {
      const pool = new ScanPool({ workers, blockRows });
      try {
        pool.prepare(binEdges(profile, settings));
        const h = await countFile(pool, HEAD_9998, featureNames, { rangeBytes });
        expect(h.rows).toBe(9998);
        results.push(JSON.stringify({ counts: h.counts.map((c) => Array.from(c)), quality: Array.from(h.quality) }));
      } finally {
        await pool.close();
      }
    }
    for (const r of results) expect(r).toBe(results[0]);
  });

  it('the tail sums of a fine-grid scan have the same bits whatever the workers and the order their tasks finish in', async () => {
    // a baseline of the first 2,000 rows, so that the scan of all 9,998 has values beyond its range
    const csv = readCsvText(HEAD_9998);
    const profile = await createBaseline(writeCsvText(join(tempDir(), 'head2000.csv'), { ...csv, rows: csv.rows.slice(0, 2000) }));
    const featureNames = profile.features.map((f) => f.name);
    const settings = resolveDriftOptions(profile, { method: 'wasserstein' });
    expect(settings.fine).toBe(true);
    const results: string[] = [];
    // many small tasks (about 2 KB each), so that two workers finish them out of order
    for (const workers of [0, 2, 2, 1, 2]) {
      const pool = new ScanPool({ workers, blockRows: 333 });
      try {
        pool.prepare(binEdges(profile, settings), { tails: true });
        const h = await countFile(pool, HEAD_9998, featureNames, { rangeBytes: 2003 });
        expect(h.rows).toBe(9998);
        expect(h.tails!.some((t) => t > 0)).toBe(true);
        results.push(JSON.stringify({ tails: Array.from(h.tails!), counts: h.counts.map((c) => Array.from(c)) }));
      } finally {
        await pool.close();
      }
    }
    for (const r of results) expect(r).toBe(results[0]);
  });

  it('one file or the same rows in three files: the combined report is identical', async () => {
    const dir = tempDir();
    const csv = readCsvText(HEAD_9998);
    const parts = [csv.rows.slice(0, 1234), csv.rows.slice(1234, 7000), csv.rows.slice(7000)].map((rows, i) => writeCsvText(join(dir, `part${i}.csv`), { ...csv, rows }));
    const profile = await createBaseline(HEAD_9998);
    for (const compat of [null, 'driftcatcher'] as const) {
      const whole = await scanDrift(profile, [HEAD_9998], { compat, workers: 2 });
      const split = await scanDrift(profile, parts, { compat, workers: 2, rangeBytes: 50_000 });
      expect(split.files.map((f) => f.current.rows)).toEqual([1234, 5766, 2998]);
      expect(split.combined.features).toEqual(whole.combined.features);
      expect(split.combined.overall_psi).toBe(whole.combined.overall_psi);
    }
  });

  it('a file whose last line has no newline, and CRLF vs LF, count the same rows', async () => {
    const dir = tempDir();
    const csv = readCsvText(HEAD_9998);
    const lf = writeCsvText(join(dir, 'lf.csv'), { ...csv, eol: '\n' });
    const noFinalNewline = join(dir, 'nofinal.csv');
    writeFileSync(noFinalNewline, [csv.header, ...csv.rows].join('\r\n'), 'latin1');
    const profile = await createBaseline(HEAD_9998);
    const a = await scanDrift(profile, [HEAD_9998, lf, noFinalNewline], { workers: 2, rangeBytes: 100_000 });
    expect(a.files.map((f) => f.current.rows)).toEqual([9998, 9998, 9998]);
    expect(a.files[1]!.features).toEqual(a.files[0]!.features);
    expect(a.files[2]!.features).toEqual(a.files[0]!.features);
  });
});
