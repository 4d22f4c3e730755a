/**
 * The HTML drift report in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) opens the report of the real CICIDS extract (check, scan, `report <run-id>`):
 * no console error, no request leaves the file, every feature's plot is an SVG that is visible,
 * the feature table sorts when a header is clicked and filters by name, the share/count toggle
 * switches the plots, the dark scheme applies; the file stays under 2 MB. A screenshot is kept in
 * test-artifacts/.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { DriftReport } from '../../engine/index.js';
import { FLOWS_299, HEAD_9998, SAMPLE_10, cli, tempDir } from '../helpers.js';
import { artifactPath, chromiumOrSkip, launchChromium } from '../setup/browser.js';

const MAX_BYTES = 2 * 1024 * 1024;
const browserSetup = chromiumOrSkip();
const dir = tempDir('dc-report-html-');
const ledger = join(dir, 'ledger');
const profile = join(dir, 'profile.json');
const files = { check: join(dir, 'check.html'), scan: join(dir, 'scan.html'), fromRun: join(dir, 'from-run.html'), fromJson: join(dir, 'from-json.html') };
let report: DriftReport;
let browser: Browser | undefined;

function run(args: string[]) {
  const result = cli([...args]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

beforeAll(async () => {
  run(['baseline', HEAD_9998, '-o', profile]);
  const check = run(['check', '--baseline', profile, FLOWS_299, '--html', files.check, '--json', '--ledger-dir', ledger]);
  report = JSON.parse(check.stdout) as DriftReport;
  expect(check.stderr).toContain(`HTML report (`);
  run(['scan', '--baseline', profile, FLOWS_299, SAMPLE_10, '--html', files.scan, '--workers', '0', '--ledger-dir', ledger]);
  if (browserSetup.executablePath) browser = await launchChromium(browserSetup.executablePath);
});

afterAll(async () => {
  await browser?.close();
});

/** Open a report file: console errors, page errors and every request that is not the file itself. */
async function open(file: string, colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 900 }, colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const url = pathToFileURL(file).href;
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests, close: () => context.close() };
}

/** The feature column, top to bottom, of the visible rows. */
const column = (page: Page, index: number) => page.$$eval(`#features tbody tr:not([hidden]) td:nth-child(${index + 1})`, (cells) => cells.map((c) => c.getAttribute('data-sort') ?? c.textContent ?? ''));

describe.skipIf(browserSetup.skip !== undefined)('the HTML report of a check, in Chromium', () => {
  it('loads with no console error and no request, every feature plotted as a visible SVG, under 2 MB', async () => {
    const { page, errors, requests, close } = await open(files.check);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(statSync(files.check).size).toBeLessThan(MAX_BYTES);
      expect(await page.locator('#verdict').innerText()).toContain(report.action.toUpperCase());
      const sections = page.locator('#plots section.feature');
      expect(await sections.count()).toBe(report.features.length);
      expect(await page.$$eval('#plots section.feature h3', (h) => h.map((x) => x.textContent))).toEqual(report.features.map((f) => f.name));
      for (let i = 0; i < report.features.length; i++) {
        const svg = sections.nth(i).locator('figure.mode-share svg');
        await svg.scrollIntoViewIfNeeded();
        expect(await svg.isVisible(), report.features[i]!.name).toBe(true);
        const box = await svg.boundingBox();
        expect(box!.width * box!.height, report.features[i]!.name).toBeGreaterThan(100 * 50);
        // bars: one per bin and side
        expect(await sections.nth(i).locator('figure.mode-share svg path').count()).toBeGreaterThan(report.features[i]!.expected.length);
      }
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: artifactPath('report.png') });
      // the README's picture: the verdict, the table's top rows and the first plots, small
      await page.setViewportSize({ width: 1000, height: 1000 });
      await page.fill('#filter', 'bwd packet length');
      await page.screenshot({ path: artifactPath('report-readme.png') });
      await page.fill('#filter', '');
      await page.screenshot({ path: artifactPath('report-full.png'), fullPage: true });
    } finally {
      await close();
    }
  });

  it('sorts the table by a clicked header, both ways', async () => {
    const { page, close } = await open(files.check);
    try {
      const names = report.features.map((f) => f.name);
      expect((await column(page, 1)).length).toBe(names.length);
      await page.click('#features th:has-text("score")');
      const ascending = (await column(page, 3)).map(Number);
      expect(ascending).toEqual([...report.features.map((f) => f.score)].sort((a, b) => a - b));
      await page.click('#features th:has-text("score")');
      expect((await column(page, 3)).map(Number)).toEqual([...ascending].reverse());
      await page.click('#features th:has-text("feature")');
      const byName = await column(page, 1);
      expect(byName).toEqual([...names.map((n) => n.toLowerCase())].sort());
      expect(await page.getAttribute('#features th:has-text("feature")', 'aria-sort')).toBe('ascending');
    } finally {
      await close();
    }
  });

  it('filters rows and plots by name, and to the drifted ones', async () => {
    const { page, close } = await open(files.check);
    try {
      await page.fill('#filter', 'bwd');
      const wanted = report.features.filter((f) => f.name.toLowerCase().includes('bwd')).map((f) => f.name.toLowerCase());
      expect(wanted.length).toBeGreaterThan(3);
      expect(await column(page, 1)).toEqual(wanted);
      expect(await page.locator('#plots section.feature:visible').count()).toBe(wanted.length);
      expect(await page.locator('#shown').innerText()).toBe(String(wanted.length));
      await page.fill('#filter', '');
      await page.check('#drifted-only');
      expect((await column(page, 1)).length).toBe(report.n_drifted_features);
      expect(await page.locator('#plots section.feature:visible').count()).toBe(report.n_drifted_features);
    } finally {
      await close();
    }
  });

  it('toggles the plots between shares and counts', async () => {
    const { page, close } = await open(files.check);
    try {
      const first = page.locator('#plots section.feature').first();
      expect(await first.locator('figure.mode-share svg').isVisible()).toBe(true);
      expect(await first.locator('figure.mode-count svg').isVisible()).toBe(false);
      await page.check('input[name=mode][value=count]');
      expect(await first.locator('figure.mode-share svg').isVisible()).toBe(false);
      expect(await first.locator('figure.mode-count svg').isVisible()).toBe(true);
      expect(await first.locator('figure.mode-count').innerText()).toContain('count');
    } finally {
      await close();
    }
  });

  it('follows prefers-color-scheme', async () => {
    const light = await open(files.check, 'light');
    const dark = await open(files.check, 'dark');
    try {
      const background = (page: Page) => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(await background(light.page)).toBe('rgb(255, 255, 255)');
      expect(await background(dark.page)).not.toBe('rgb(255, 255, 255)');
      expect(dark.errors).toEqual([]);
      await dark.page.screenshot({ path: artifactPath('report-dark.png') });
    } finally {
      await light.close();
      await dark.close();
    }
  });
});

describe.skipIf(browserSetup.skip !== undefined)('the HTML report of a scan, and of a recorded run', () => {
  it('a scan: one row per file and the combined one, then the combined plots', async () => {
    const { page, errors, requests, close } = await open(files.scan);
    try {
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const rows = await page.$$eval('#files tbody tr td:first-child', (c) => c.map((x) => x.textContent));
      expect(rows).toEqual([FLOWS_299, SAMPLE_10, 'combined']);
      expect(await page.locator('#plots section.feature').count()).toBe(report.features.length);
    } finally {
      await close();
    }
  });

  it('`report <run-id>` renders the ledger run again; `report <drift.json>` the JSON; the run keeps the HTML as drift_report.html', async () => {
    const runs = JSON.parse(run(['mlflow', 'status', '--json', '--ledger-dir', ledger]).stdout) as { queued: Array<{ id: string; run_name: string }> };
    const checkRun = runs.queued.find((r) => /^drift_check_\d{8}_\d{6}$/.test(r.run_name))!;
    expect(checkRun).toBeDefined();
    const artifacts = join(ledger, 'runs', checkRun.id, 'artifacts');
    expect(readFileSync(join(artifacts, 'drift_report.html'), 'utf8')).toBe(readFileSync(files.check, 'utf8'));
    run(['report', checkRun.id, '-o', files.fromRun, '--baseline', profile, '--ledger-dir', ledger]);
    run(['report', join(artifacts, 'drift_report.json'), '-o', files.fromJson]);
    for (const file of [files.fromRun, files.fromJson]) {
      const { page, errors, close } = await open(file);
      try {
        expect(errors).toEqual([]);
        expect(await page.locator('#plots section.feature svg').count()).toBe(2 * report.features.length);
        expect(await column(page, 1)).toEqual(report.features.map((f) => f.name.toLowerCase()));
      } finally {
        await close();
      }
    }
  });
});

describe('demo --html', () => {
  it('writes the severe batch\'s report in the demo folder and prints its path at the end', () => {
    const demo = join(dir, 'demo');
    const result = run(['demo', '--dir', demo, '--train-rows', '2000', '--batch-rows', '500', '--workers', '0', '--html']);
    const last = result.stdout.trim().split('\n').at(-1)!;
    expect(last).toBe(`HTML report of the severe batch: ${join(demo, 'report.html')}`);
    const html = readFileSync(join(demo, 'report.html'), 'utf8');
    expect(html).toContain('driftcatcher demo: the severe batch');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThan(2 * 70);
  });
});

describe('driftcatcher report: bad input', () => {
  it('a file that is not a drift report, or an unknown run: one line, exit 2', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"features": 3}');
    for (const [ref, text] of [[bad, 'not a drift report'], ['20990101T000000Z-deadbeef', 'neither a file nor a run']] as const) {
      const result = cli(['report', ref, '-o', join(dir, 'never.html'), '--ledger-dir', ledger]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(text);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(() => statSync(join(dir, 'never.html'))).toThrow();
    }
  });
});
