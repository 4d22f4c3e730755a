/** The local model registry under concurrent writers: no version or alias is lost. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LocalModelRegistry } from '../../../engine/model/registry.js';
import { tempDir } from '../../helpers.js';

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
});
