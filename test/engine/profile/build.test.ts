/**
 * `baseline` never writes a profile that `check` refuses: data whose quantiles would overflow and
 * files without a feature column are one-line InputErrors (exit 2, naming the file and column, no
 * file written); values that are merely huge still make a profile `check` reads.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDrift, createBaseline, loadProfile, saveProfile } from '../../../engine/index.js';
import { tempDir } from '../../helpers.js';

const dir = tempDir('dc-build-');

function csv(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

// -1.5e308 and 1.5e308 next to each other in sorted order: their difference is +Infinity, so
// numpy's interpolation between them (and ours) is not a number
const straddling = csv('straddling.csv', 'ok,huge,Label\n' + ['1,-1.5e308', '2,1.5e308', '3,1.5e308', '4,-1.5e308'].map((r) => `${r},BENIGN\n`).join(''));
const labelOnly = csv('label-only.csv', 'Label\nBENIGN\nDDoS\n');

describe('baseline refuses what check could not read', () => {
  it('values so far apart that the quantiles overflow: InputError naming file and column', async () => {
    await expect(createBaseline(straddling)).rejects.toMatchObject({
      code: 'DC_ERR_INPUT',
      file: straddling,
      column: 'huge',
      message: `${straddling}: column "huge": values from -1.5e+308 to 1.5e+308 are too far apart for float64: its quantiles overflow (numpy interpolates between neighbouring values); rescale the column or exclude it from the features`,
    });
  });

  it('a file with only the label column: InputError naming the file and the label', async () => {
    await expect(createBaseline(labelOnly)).rejects.toMatchObject({ code: 'DC_ERR_INPUT', file: labelOnly, column: 'Label', message: expect.stringContaining('no feature column') });
  });

  it('huge values whose sum overflows but whose quantiles do not: a profile that loads, with a finite mean', async () => {
    const file = csv('huge-same-sign.csv', 'x,Label\n' + ['1e308', '1.5e308', '1.7e308', '1.7e308'].map((v) => `${v},BENIGN\n`).join(''));
    const profile = await createBaseline(file);
    const [x] = profile.features;
    expect(x!.mean).toBeCloseTo(1.475e308, -300);
    expect(Number.isFinite(x!.std)).toBe(true);
    const saved = join(dir, 'huge.json');
    await saveProfile(profile, saved);
    expect((await loadProfile(saved)).features[0]!.compat.edges).toEqual(x!.compat.edges);
    await expect(checkDrift(await loadProfile(saved), file, { compat: 'driftcatcher', workers: 0 })).resolves.toMatchObject({ total_features: 1 });
  });

  it('saveProfile checks what it writes: a profile loadProfile would refuse is an internal error, and no file', async () => {
    const file = csv('fine.csv', 'x,Label\n1,BENIGN\n2,BENIGN\n3,BENIGN\n');
    const profile = await createBaseline(file);
    profile.features[0]!.compat.edges[1] = NaN; // as an overflow would have left it
    const out = join(dir, 'broken.json');
    await expect(saveProfile(profile, out)).rejects.toMatchObject({ code: 'DC_ERR_INTERNAL', message: expect.stringContaining('"compat" must hold "edges" and "counts"') });
    expect(existsSync(out)).toBe(false);
  });
});
