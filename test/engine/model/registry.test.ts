/**
 * The local model registry under concurrent writers: no version, alias or stage is lost; a version
 * reserved by a process that died (kill -9) before registering it is reclaimed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalModelRegistry } from '../../../engine/model/registry.js';
import { ROOT, tempDir } from '../../helpers.js';

const entry = (version: number) => ({ version, created: new Date().toISOString(), model_type: 'random_forest', metrics: {}, params: {}, run_id: null }) as never;

/** A real process that reserves a version of `root`, writes part of a model into it and is killed with SIGKILL. */
function reserveAndDie(root: string): number {
  const registry = pathToFileURL(join(ROOT, 'engine', 'model', 'registry.ts')).href;
  const script = `import { LocalModelRegistry } from ${JSON.stringify(registry)}; import { writeFileSync } from 'node:fs';
    const { version, dir } = await new LocalModelRegistry(${JSON.stringify(root)}, 'm').reserveVersion();
    writeFileSync(dir + '/model.json', '{"half": ');
    writeFileSync(${JSON.stringify(root)} + '/.registry.json.' + process.pid + '.0badf00d.tmp', '{');
    process.stdout.write(String(version));
    process.kill(process.pid, 'SIGKILL');`;
  // the sources, through the test loader (no build needed)
  const child = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'setup', 'ts-loader.mjs'), '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.signal, child.stderr).toBe('SIGKILL');
  return Number(child.stdout);
}

describe('LocalModelRegistry', () => {
  it('keeps every version and alias when many register at once', async () => {
    const root = join(tempDir('dc-registry-'), 'models');
    const writers = Array.from({ length: 12 }, () => new LocalModelRegistry(root, 'm'));
    await Promise.all(
      writers.map(async (registry, i) => {
        const { version } = await registry.reserveVersion();
        await registry.registerVersion({ version, created: new Date().toISOString(), model_type: 'random_forest', metrics: {}, params: {}, run_id: null } as never, [`alias${i}`]);
      }),
    );
    const { versions, aliases } = await new LocalModelRegistry(root, 'm').listVersions();
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(Object.keys(aliases)).toHaveLength(12);
    expect(new Set(Object.values(aliases)).size).toBe(12);
  });

  it('sets stages concurrently without losing one; an unknown version is refused', async () => {
    const root = join(tempDir('dc-registry-stage-'), 'models');
    const registry = new LocalModelRegistry(root, 'm');
    for (let i = 0; i < 4; i++) {
      const { version } = await registry.reserveVersion();
      await registry.registerVersion(entry(version), []);
    }
    const stages = ['production', 'staging', 'archived', 'staging'] as const;
    await Promise.all(stages.map((stage, i) => new LocalModelRegistry(root, 'm').setStage(i + 1, stage)));
    expect((await registry.listVersions()).versions.map((v) => v.stage)).toEqual([...stages]);
    await expect(registry.setStage(9, 'production')).rejects.toThrow(/has no version 9 \(versions: 1, 2, 3, 4\)/);
  });

  it('reclaims a version reserved by a process killed before registering it; keeps live and unknown folders', async () => {
    const root = join(tempDir('dc-registry-dead-'), 'models');
    const registry = new LocalModelRegistry(root, 'm');
    const first = await registry.reserveVersion();
    await registry.registerVersion(entry(first.version), ['champion']);
    expect(existsSync(join(first.dir, '.reserved'))).toBe(false); // registered: no longer a reservation

    const dead = reserveAndDie(root);
    expect(dead).toBe(2);
    // what the killed process left: its reserved folder (half a model in it) and a temp file
    expect(readdirSync(join(root, 'v2')).sort()).toEqual(['.reserved', 'model.json']);
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    // the next reservation gets the dead one's number, with a clean folder
    const next = await registry.reserveVersion();
    expect(next.version).toBe(2);
    expect(readdirSync(next.dir)).toEqual(['.reserved']);
    expect(readdirSync(root).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // a reservation of a live process (this one) is never taken; nor is a folder no reservation made
    mkdirSync(join(root, 'v3'));
    writeFileSync(join(root, 'v3', 'notes.txt'), 'put here by hand');
    const after = await registry.reserveVersion();
    expect(after.version).toBe(4);
    expect(existsSync(join(root, 'v3', 'notes.txt'))).toBe(true);
    await registry.registerVersion(entry(next.version), []);
    await registry.registerVersion(entry(after.version), []);
    const { versions } = await registry.listVersions();
    expect(versions.map((v) => v.version)).toEqual([1, 2, 4]);

    // reclaimAbandoned (what the agent runs before each check) does the same without reserving
    const gone = reserveAndDie(root);
    expect(gone).toBe(5);
    expect(await registry.reclaimAbandoned()).toEqual([5]);
    expect(existsSync(join(root, 'v5'))).toBe(false);
    expect(await registry.reclaimAbandoned()).toEqual([]);
  });
});
