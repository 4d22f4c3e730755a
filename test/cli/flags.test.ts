/**
 * One flag per concept across commands (`--registry`, `--new-data`, `--workers`, positional data),
 * the old spellings kept as hidden aliases for one release: they still work and `--help` no longer
 * shows them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../engine/synth/index.js';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-cli-flags-');
const train = join(dir, 'train.csv');

beforeAll(async () => {
  await synthesize({ rows: 1500, seed: 3, out: train });
});

describe('the flag vocabulary', () => {
  it('train writes into --registry; the old -o/--out still works and is hidden from --help', () => {
    const now = cli(['train', train, '--registry', join(dir, 'a'), '--n-estimators', '2', '--workers', '0', '--no-record']);
    expect(now.code, now.stderr).toBe(0);
    expect(existsSync(join(dir, 'a', 'registry.json'))).toBe(true);
    const old = cli(['train', train, '-o', join(dir, 'b'), '--n-estimators', '2', '--workers', '0', '--no-record']);
    expect(old.code, old.stderr).toBe(0);
    expect(existsSync(join(dir, 'b', 'registry.json'))).toBe(true);
    const help = cli(['train', '--help']).stdout;
    expect(help).toMatch(/--registry <dir>/);
    expect(help).not.toMatch(/--out\b/);
  });

  it('every command that works on a registry spells it --registry and the registered model --name', () => {
    for (const command of [['train'], ['models', 'list'], ['models', 'promote'], ['models', 'compare'], ['models', 'tag'], ['abtest'], ['monitor']]) {
      const help = cli([...command, '--help']).stdout;
      expect(help, command.join(' ')).toMatch(/--registry <dir>/);
      expect(help, command.join(' ')).toMatch(/--name <model>/);
    }
  });
});
