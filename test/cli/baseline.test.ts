/**
 * `baseline` from the command line refuses data it cannot make a readable profile of (quantiles
 * that overflow, no feature column): exit 2, one line naming the file and column, nothing written.
 * The engine side is in test/engine/profile/build.test.ts.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-baseline-');

function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const straddling = csv('straddling.csv', 'ok,huge,Label\n' + ['1,-1.5e308', '2,1.5e308', '3,1.5e308', '4,-1.5e308'].map((r) => `${r},BENIGN\n`).join(''));
const labelOnly = csv('label-only.csv', 'Label\nBENIGN\nDDoS\n');

describe('baseline refuses what check could not read', () => {
  it('the CLI: exit 2, one line on stderr, no profile and no temp file left', () => {
    for (const [data, column] of [[straddling, 'huge'], [labelOnly, 'Label']] as const) {
      const out = join(dir, `${column}.json`);
      const run = cli(['baseline', data, '-o', out]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${data}: column "${column}": `);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((name) => name.startsWith(`${column}.json`))).toEqual([]);
    }
    // --exclude the column and the rest makes a profile
    const out = join(dir, 'excluded.json');
    expect(cli(['baseline', straddling, '-o', out, '--exclude', 'huge']).code).toBe(0);
    expect(cli(['check', '--baseline', out, straddling, '--json', '--no-record']).code).toBe(0);
  });
});

describe('baseline says what it wrote', () => {
  it('in words that agree with the numbers: 1 feature, 1 row, 1 bin; and the plural past one', () => {
    const one = csv('one.csv', 'x,Label\n1.5,BENIGN\n');
    const single = cli(['baseline', one, '-o', join(dir, 'one.json'), '--bins', '1']);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toBe(`wrote ${join(dir, 'one.json')}: 1 feature, 1 row (1 with every feature finite), 1 bin, 0 non-finite values\n`);
    const two = csv('two.csv', 'x,y,Label\n1,NaN,BENIGN\n2,3,DDoS\n');
    const many = cli(['baseline', two, '-o', join(dir, 'two.json'), '--bins', '2']);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stdout).toBe(`wrote ${join(dir, 'two.json')}: 2 features, 2 rows (1 with every feature finite), 2 bins, 1 non-finite value\n`);
  });
});
