/**
 * Categorical columns from the command line, on the real CICIDS flows extract (85 columns:
 * `Destination Port` with many values, `Protocol`): `baseline --categorical --max-categories`,
 * a batch where new categories appear (JSON and text), `check` and `scan` building the baseline
 * from data with `--categorical`, a version 1 profile, and bad values (exit 2, one line).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLOWS_299, cli, editColumns, readCsvText, tempDir, writeCsvText } from '../helpers.js';

const dir = tempDir('dc-cli-categorical-');
const TEXT_COLUMNS = ['--exclude', 'Flow ID,Source IP,Destination IP,Timestamp'];
let profile: string;
let batch: string;

beforeAll(() => {
  profile = join(dir, 'profile.json');
  const made = cli(['baseline', FLOWS_299, ...TEXT_COLUMNS, '--categorical', 'Destination Port', '--max-categories', '10', '-o', profile]);
  expect(made.code, made.stderr).toBe(0);
  // every 10th flow to a port and with a protocol the baseline never saw (30 of 299 rows)
  batch = writeCsvText(join(dir, 'batch.csv'), editColumns(readCsvText(FLOWS_299), { 'Destination Port': (cell, r) => (r % 10 === 0 ? '31337' : cell), Protocol: (cell, r) => (r % 10 === 0 ? '99' : cell) }));
});

describe('categorical columns from the command line', () => {
  it('baseline: the named port keeps its 10 most frequent values and an other bucket; the protocol is categorical by the rule', () => {
    const p = JSON.parse(readFileSync(profile, 'utf8'));
    const byName = Object.fromEntries(p.features.map((f: { name: string }) => [f.name, f]));
    expect(byName['Destination Port'].categorical).toMatchObject({ kind: 'named', other: expect.any(Number) });
    expect(byName['Destination Port'].categorical.values).toHaveLength(10);
    expect(byName['Destination Port'].categorical.other).toBeGreaterThan(0);
    expect(byName['Protocol'].categorical).toMatchObject({ kind: 'few_distinct', other: 0, missing: 0 });
    // the numeric summary stays
    expect(byName['Protocol'].fine.distinct).toBe(byName['Protocol'].categorical.distinct);
  });

  it('check: a new protocol and a new port are drift, with their share (JSON and text)', () => {
    const run = cli(['check', '--baseline', profile, batch, '--method', 'chisquare', '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    const protocol = report.features.find((f: { name: string }) => f.name === 'Protocol');
    expect(protocol).toMatchObject({ method: 'chisquare', drifted: true, categories: { new_category_share: 30 / 299, reference_other_share: 0 } });
    expect(protocol.categories.top_changes).toContainEqual({ category: 'other', expected: 0, actual: 30 / 299 });
    const port = report.features.find((f: { name: string }) => f.name === 'Destination Port');
    expect(port.categories.new_category_share).toBeGreaterThanOrEqual(30 / 299);
    expect(port.categories.reference_other_share).toBeGreaterThan(0);
    // the new protocol is a data-quality breach of its own (new categories beyond 5%)
    expect(protocol.quality.new_categories).toMatchObject({ share: 30 / 299, breach: true });
    expect(report.quality.breaches).toContainEqual({ feature: 'Protocol', signal: 'new_categories' });
    const text = cli(['check', '--baseline', profile, batch, '--method', 'chisquare', '--no-record', '--workers', '0']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ {2}Protocol \(chisquare, \d+ categories\): new categories 10\.0%; top changes: .*other 0\.0% -> 10\.0%/);
  });

  it('check and scan building the baseline from data with --categorical: PSI on the named column\'s category shares', () => {
    const run = cli(['check', '--baseline', FLOWS_299, ...TEXT_COLUMNS, '--categorical', 'Destination Port', batch, '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.method).toBe('psi');
    const port = report.features.find((f: { name: string }) => f.name === 'Destination Port');
    expect(port.categories.new_category_share).toBeGreaterThanOrEqual(30 / 299);
    // the rule's columns keep PSI on their deciles
    expect(report.features.find((f: { name: string }) => f.name === 'Protocol').categories).toBeUndefined();
    const scan = cli(['scan', '--baseline', FLOWS_299, ...TEXT_COLUMNS, '--categorical', 'Protocol', FLOWS_299, batch, '--method', 'auto', '--json', '--no-record', '--workers', '0']);
    expect(scan.code, scan.stderr).toBe(0);
    const out = JSON.parse(scan.stdout);
    const shares = out.files.map((r: { features: Array<{ name: string; categories?: { new_category_share: number } }> }) => r.features.find((f) => f.name === 'Protocol')!.categories!.new_category_share);
    expect(shares).toEqual([0, 30 / 299]);
    expect(out.combined.features.find((f: { name: string }) => f.name === 'Protocol').categories.new_category_share).toBe(30 / 598);
  });

  it('a version 1 profile: no categories, chisquare on the deciles', () => {
    const v1 = JSON.parse(readFileSync(profile, 'utf8'));
    v1.version = 1;
    delete v1.resolution;
    for (const f of v1.features) {
      delete f.fine;
      delete f.categorical;
    }
    const file = join(dir, 'v1.json');
    writeFileSync(file, JSON.stringify(v1));
    const run = cli(['check', '--baseline', file, batch, '--method', 'chisquare', '--json', '--no-record', '--workers', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).features.every((f: { categories?: unknown }) => f.categories === undefined)).toBe(true);
  });

  it('bad values: exit 2, one line naming the flag', () => {
    const unknown = cli(['baseline', FLOWS_299, ...TEXT_COLUMNS, '--categorical', 'Nope', '-o', join(dir, 'x.json')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([`driftcatcher: --categorical: column "Nope" is not a feature column of ${FLOWS_299} (absent, the label or excluded)`]);
    const zero = cli(['baseline', FLOWS_299, ...TEXT_COLUMNS, '--max-categories', '0', '-o', join(dir, 'x.json')]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-categories');
  });
});
