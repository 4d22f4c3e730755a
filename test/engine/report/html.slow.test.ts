/**
 * The HTML reports as files (the browser tests are test/cli/report-html.test.ts): the size bound
 * (80 features, under 2 MB, whatever the number of rows: summaries only), names escaped (a
 * feature named like markup stays text), the settings and the rule that fired, a scan's file
 * rows, and the score history with its threshold line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBaseline, checkDrift, scanDrift, type Profile } from '../../../engine/index.js';
import { renderDriftHtml, renderHistoryHtml, renderScanHtml, verdictReason } from '../../../engine/report/index.js';
import { rng, tempDir } from '../../helpers.js';

const dir = tempDir('dc-report-html-');
const FEATURES = 80;
const MAX_BYTES = 2 * 1024 * 1024;
const names = Array.from({ length: FEATURES }, (_, i) => (i === 0 ? '<script>alert(1)</script>' : i === 1 ? 'ctrl\u0001here & "quote"' : `feature ${i}`));
let profile: Profile;

function write(file: string, rows: number, seed: number, shift: number): void {
  const random = rng(seed);
  const header = [...names.map((n) => `"${n.replace(/"/g, '""')}"`), 'Label'].join(',');
  const lines = [header];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let f = 0; f < FEATURES; f++) cells.push(((random() + (f % 3 === 0 ? shift : 0)) * (f + 1) * 1000).toFixed(3));
    lines.push(`${cells.join(',')},BENIGN`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

beforeAll(async () => {
  write(join(dir, 'train.csv'), 3000, 1, 0);
  write(join(dir, 'small.csv'), 300, 2, 0.2);
  write(join(dir, 'large.csv'), 30_000, 3, 0.2);
  profile = await createBaseline(join(dir, 'train.csv'));
}, 120_000);

describe('the HTML drift report', () => {
  it('80 features: under 2 MB, the same size at 300 rows as at 30 000 (summaries only, never rows)', async () => {
    const sizes: number[] = [];
    for (const file of ['small.csv', 'large.csv']) {
      const report = await checkDrift(profile, join(dir, file), { workers: 0 });
      expect(report.features).toHaveLength(FEATURES);
      const html = await renderDriftHtml(report, { profile });
      sizes.push(Buffer.byteLength(html));
      expect((html.match(/<svg/g) ?? []).length).toBe(2 * FEATURES);
    }
    for (const size of sizes) expect(size).toBeLessThan(MAX_BYTES);
    // the counts' axes differ (more digits at 30 000 rows), nothing else grows with the rows
    expect(Math.abs(sizes[1]! - sizes[0]!) / sizes[0]!).toBeLessThan(0.05);
  });

  it('states the verdict, the rule that fired and the settings used; names are text, never markup', async () => {
    const report = await checkDrift(profile, join(dir, 'small.csv'), { workers: 0, threshold: 0.15 });
    const html = await renderDriftHtml(report, { profile });
    expect(html).toContain(`<span class="badge ${report.action === 'wait' ? 'ok' : report.action === 'alert' ? 'warn' : 'bad'}">${report.action}</span>`);
    expect(html).toContain(verdictReason(report).replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;'));
    expect(html).toContain('<dt>threshold</dt><dd>0.15</dd>');
    expect(html).toContain(`<dt>epsilon</dt><dd>${report.settings.epsilon}</dd>`);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('ctrl\\u0001here &#38; &#34;quote&#34;');
    // one script element only: the page's own
    expect((html.match(/<script>/g) ?? []).length).toBe(1);
    // no URL to fetch: a CSP that forbids any, no src= or href= leaving the page
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
  });

  it('a scan: one row per file and the combined one', async () => {
    const scan = await scanDrift(profile, [join(dir, 'small.csv'), join(dir, 'large.csv')], { workers: 0 });
    const html = await renderScanHtml(scan, { profile });
    const table = html.slice(html.indexOf('<table class="sortable" id="files">'), html.indexOf('</table>', html.indexOf('id="files"')));
    expect((table.match(/<tr>/g) ?? []).length).toBe(1 + 3);
    expect(table).toContain(join(dir, 'small.csv'));
    expect(table).toContain('<strong>combined</strong>');
    expect(table).toContain(`>${scan.combined.current.rows}<`);
  });
});

describe('renderHistoryHtml', () => {
  it('one plot per series with the threshold as a dashed rule, the points in time order, the last value in the table', async () => {
    const t0 = Date.UTC(2025, 0, 1);
    const day = 86_400_000;
    const html = await renderHistoryHtml({
      title: 'psi over time',
      metric: 'psi',
      threshold: 0.2,
      series: [
        { name: 'Flow Bytes/s', points: [{ time: t0 + 2 * day, runId: 'r3', value: 0.31 }, { time: t0, runId: 'r1', value: 0.05 }, { time: t0 + day, runId: 'r2', value: 0.12 }] },
        { name: 'Destination Port', points: [{ time: t0, runId: 'r1', value: 0.01 }, { time: t0 + 2 * day, runId: 'r3', value: 0.02 }] },
      ],
    });
    expect((html.match(/<svg/g) ?? []).length).toBe(2);
    // vega draws the threshold rule dashed: one per plot
    expect((html.match(/stroke-dasharray="4,3"/g) ?? []).length).toBe(2);
    const rows = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>')).split('</tr>').filter((r) => r.includes('<td'));
    expect(rows[0]).toContain('Flow Bytes/s');
    expect(rows[0]).toContain('>0.3100<');
    expect(rows[0]).toContain('>r3<');
    expect(rows[0]).toContain('data-drifted="true"');
    expect(rows[1]).toContain('>0.0200<');
    expect(rows[1]).toContain('data-drifted="false"');
    expect(html).toContain(new Date(t0 + 2 * day).toISOString());
  });
});
