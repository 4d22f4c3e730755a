/**
 * The data-quality signals against pandas (test/reference/quality_reference.py reads the same
 * files with pandas and computes each rate and count from the raw cells): missing rates, values
 * below the training minimum and above its maximum, the shares at the training minimum, the
 * columns only in the batch. On the real CICIDS extracts: the 299 flows against the 9,998-row
 * head, two halves of the head, and a copy of the head with problems put in.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { checkDrift, createBaseline } from '../../engine/index.js';
import { FLOWS_299, HEAD_9998, editColumns, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const SCRIPT = join(import.meta.dirname, 'quality_reference.py');
const dir = tempDir('dc-ref-quality-');

interface Expected {
  features: Record<string, { reference_missing_rate: number; current_missing_rate: number; below: number; above: number; finite: number; reference_min_share: number; current_min_share: number | null }>;
  only_in_batch: string[];
}

const cases: Array<{ name: string; train: string; batch: string }> = [];

beforeAll(() => {
  const head = readCsvText(HEAD_9998);
  const first = writeCsvText(join(dir, 'first.csv'), { ...head, rows: head.rows.slice(0, 5000) });
  const second = writeCsvText(join(dir, 'second.csv'), { ...head, rows: head.rows.slice(5000) });
  const names = head.header.split(',').map((n) => n.trim());
  const max = Math.max(...head.rows.map((line) => Number(line.split(',')[names.indexOf('Fwd Packet Length Max')])));
  const edited = editColumns(head, {
    'Flow IAT Min': (cell, row) => (row % 3 === 0 ? '' : cell),
    'Bwd Packet Length Max': (cell, row) => (row % 7 === 0 ? 'Infinity' : cell),
    'Fwd Packet Length Max': (cell, row) => (row % 10 === 0 ? String(3 * max) : row % 11 === 0 ? '-5' : cell),
    'Flow Duration': () => '0',
  });
  const broken = writeCsvText(join(dir, 'broken.csv'), { ...edited, header: `${edited.header},Extra Col`, rows: edited.rows.map((r) => `${r},1`) });
  cases.push({ name: '299 flows vs the head', train: HEAD_9998, batch: FLOWS_299 }, { name: 'second half vs first half', train: first, batch: second }, { name: 'the head with problems put in', train: HEAD_9998, batch: broken });
});

describe('data quality = pandas on the raw cells', () => {
  it('missing rates, out-of-range counts, shares at the training minimum, extra columns', async () => {
    let compared = 0;
    for (const c of cases) {
      const run = spawnSync(inject('pythonPath'), [SCRIPT, c.train, c.batch], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(run.status, run.stderr).toBe(0);
      const expected = JSON.parse(run.stdout) as Expected;
      const profile = await createBaseline(c.train);
      const report = await checkDrift(profile, c.batch, { workers: 0 });
      expect(report.quality.columns.only_in_batch, c.name).toEqual(expected.only_in_batch);
      expect(report.features.map((f) => f.name).sort(), c.name).toEqual(Object.keys(expected.features).sort());
      for (const f of report.features) {
        const e = expected.features[f.name]!;
        const where = `${c.name}: ${f.name}`;
        const q = f.quality;
        expect(q.missing_rate.reference_rate, where).toBeCloseTo(e.reference_missing_rate, 15);
        expect(q.missing_rate.current_rate, where).toBeCloseTo(e.current_missing_rate, 15);
        expect(q.missing_rate.breach, where).toBe(Math.abs(e.current_missing_rate - e.reference_missing_rate) > 0.05);
        expect({ below: q.out_of_range!.below, above: q.out_of_range!.above }, where).toEqual({ below: e.below, above: e.above });
        expect(q.out_of_range!.share, where).toBeCloseTo(e.finite ? (e.below + e.above) / e.finite : 0, 15);
        expect(f.count - f.non_finite, where).toBe(e.finite);
        if (q.constant.current_top_value === profile.features.find((p) => p.name === f.name)!.min) {
          expect(q.constant.current_top_share, where).toBeCloseTo(e.current_min_share!, 15);
          expect(q.constant.reference_share_in_bin, where).toBeCloseTo(e.reference_min_share, 15);
          compared++;
        }
      }
    }
    // the comparison of the shares at the minimum did happen (zero-heavy counters are most of CICIDS)
    expect(compared).toBeGreaterThan(20);
    const broken = await checkDrift(await createBaseline(HEAD_9998), cases[2]!.batch, { workers: 0 });
    expect(broken.quality.breaches).toEqual(
      expect.arrayContaining([
        { feature: 'Flow IAT Min', signal: 'missing_rate' },
        { feature: 'Bwd Packet Length Max', signal: 'missing_rate' },
        { feature: 'Fwd Packet Length Max', signal: 'out_of_range' },
      ]),
    );
  });
});
