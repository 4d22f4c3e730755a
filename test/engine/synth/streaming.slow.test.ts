import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../engine/synth/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dc-synth-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Peak RSS growth (bytes) while `work` runs, sampled whenever the event loop turns. */
async function peakRssGrowth(work: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return peak - before;
}

describe('synthesize: streaming', () => {
  for (const ext of ['csv', 'arrow'] as const) {
    it(`writes 500k rows of ${ext} without holding them in memory`, async () => {
      const out = join(dir, `big.${ext}`);
      const growth = await peakRssGrowth(() => synthesize({ rows: 500_000, seed: 8, out }));
      const size = statSync(out).size;
      expect(size).toBeGreaterThan(150e6); // the file is larger than the allowed growth
      expect(growth).toBeLessThan(150 * 1024 * 1024);
      rmSync(out);
    });
  }
});
