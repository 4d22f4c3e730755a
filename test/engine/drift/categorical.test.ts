/**
 * Categorical features in a check (pure logic, small files built so that every count is known):
 * the scan counts the current values on the baseline's categories (a value just above a
 * category, or never seen, is "other"), new_category_share and the top changes, which methods
 * count on the categories (featureBinning), `auto` choosing chisquare, a version 1 profile, and
 * the text rendering. Against scipy on the real extract: test/reference/categorical.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDrift, createBaseline, type Profile } from '../../../engine/index.js';
import { renderDriftReport } from '../../../engine/report/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-drift-categorical-');
let profile: Profile;
let batch: string;

function write(name: string, rows: Array<[string, string, string]>): string {
  writeFileSync(join(dir, name), ['port,flag,x,Label', ...rows.map((r) => `${r.join(',')},BENIGN`)].join('\n') + '\n');
  return join(dir, name);
}

beforeAll(async () => {
  // training: port 80 x60, 443 x30, 22 x10; flag 0/1; x continuous
  const ports = [...Array(60).fill('80'), ...Array(30).fill('443'), ...Array(10).fill('22')];
  const train = write('train.csv', ports.map((p, i) => [p, String(i % 2), String(i + 0.5)]));
  profile = await createBaseline(train, { categorical: ['port'] });
  // batch: 80 x10, 443 x20, new 9999 x6, 80.00000000000001 (just above 80) x2, 2 missing
  const current = [...Array(10).fill('80'), ...Array(20).fill('443'), ...Array(6).fill('9999'), '80.00000000000001', '80.00000000000001', '', 'NaN'];
  batch = write('batch.csv', current.map((p, i) => [p, String(i % 2), String(i + 0.5)]));
});

describe('a categorical feature in a check', () => {
  it('chisquare counts on the categories: new values and values next to a category are other; new_category_share and the top changes', async () => {
    const report = await checkDrift(profile, batch, { method: 'chisquare', workers: 0 });
    const port = report.features.find((f) => f.name === 'port')!;
    // bins: 22, 80, 443, other, missing
    expect(port.actual).toEqual([1e-4, 10 / 40, 20 / 40, 8 / 40, 2 / 40]);
    expect(port.expected).toEqual([0.1, 0.6, 0.3, 1e-4, 1e-4]);
    expect(port.count).toBe(40);
    expect(port.drifted).toBe(true);
    expect(port.categories).toEqual({
      categories: 3,
      new_category_share: 8 / 40,
      reference_other_share: 0,
      top_changes: [
        { category: '80', expected: 0.6, actual: 0.25 },
        { category: '443', expected: 0.3, actual: 0.5 },
        { category: 'other', expected: 0, actual: 0.2 },
        { category: '22', expected: 0.1, actual: 0 },
        { category: 'missing', expected: 0, actual: 0.05 },
      ],
    });
    // the flag (found by the rule) is on its categories too; x is not categorical
    expect(report.features.find((f) => f.name === 'flag')!.categories).toMatchObject({ categories: 2, new_category_share: 0 });
    expect(report.features.find((f) => f.name === 'x')!.categories).toBeUndefined();
    // on worker threads: the same counts
    const threaded = await checkDrift(profile, batch, { method: 'chisquare', workers: 2 });
    expect(threaded.features.find((f) => f.name === 'port')).toEqual(port);
  });

  it('psi, jensenshannon, hellinger compare the shares of a named column; a column the rule found keeps its deciles; ks its fine bins', async () => {
    for (const method of ['psi', 'jensenshannon', 'hellinger']) {
      const report = await checkDrift(profile, batch, { method, workers: 0 });
      expect(report.features.find((f) => f.name === 'port')!.categories, method).toMatchObject({ new_category_share: 0.2 });
      expect(report.features.find((f) => f.name === 'flag')!.categories, method).toBeUndefined();
    }
    const ks = await checkDrift(profile, batch, { method: 'ks', workers: 0 });
    expect(ks.features.find((f) => f.name === 'port')!.categories).toBeUndefined();
  });

  it('auto picks chisquare for the categorical features', async () => {
    const report = await checkDrift(profile, batch, { method: 'auto', workers: 0 });
    const methods = Object.fromEntries(report.features.map((f) => [f.name, f.method]));
    expect(methods).toEqual({ port: 'chisquare', flag: 'chisquare', x: 'ks' });
    expect(report.features.find((f) => f.name === 'port')!.categories!.new_category_share).toBe(0.2);
  });

  it('a version 1 profile (no categories): chisquare on the decile bins, no categories in the report', async () => {
    const v1: Profile = { ...profile, version: 1, resolution: undefined, features: profile.features.map(({ fine: _fine, categorical: _categorical, ...f }) => f) };
    const report = await checkDrift(v1, batch, { method: 'chisquare', workers: 0 });
    expect(report.features.every((f) => f.categories === undefined)).toBe(true);
  });

  it('the text report lists the categorical features with their new categories and top changes', async () => {
    const report = await checkDrift(profile, batch, { method: 'chisquare', workers: 0 });
    const text = renderDriftReport(report);
    expect(text).toContain('categorical features (shares of the baseline -> of this data):');
    expect(text).toContain('port (chisquare, 3 categories): new categories 20.0%; top changes: 80 60.0% -> 25.0%, 443 30.0% -> 50.0%, other 0.0% -> 20.0%');
  });
});
