import { readFile } from 'node:fs/promises';
import { DriftCatcherError, ProfileError, InputError } from '../util/index.js';
import { writeFileAtomic } from '../util/index.js';
import { PROFILE_FORMAT, PROFILE_VERSIONS, type FeatureProfile, type Profile } from './types.js';

/**
 * Save a profile as JSON (temp file + rename). What is written is validated first, as
 * `loadProfile` will read it: a profile `check` would refuse is never written.
 */
export async function saveProfile(profile: Profile, file: string): Promise<void> {
  const text = JSON.stringify(profile, null, 1) + '\n';
  try {
    validateProfile(JSON.parse(text), file);
  } catch (err) {
    // buildProfile refuses the inputs that lead here, so this is a bug, not the user's data
    const detail = err instanceof DriftCatcherError ? err.detail : String(err);
    throw new DriftCatcherError('DC_ERR_INTERNAL', `refusing to write a profile that could not be read back: ${detail}`, { file });
  }
  await writeFileAtomic(file, text);
}

/** Load and validate a profile; anything that is not a profile is a one-line ProfileError. */
export async function loadProfile(file: string): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a profile file' : `cannot read: ${code}`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProfileError('not a driftcatcher profile: not JSON (make one with `driftcatcher baseline`)', { file });
  }
  return validateProfile(data, file);
}

export function validateProfile(data: unknown, file: string): Profile {
  const fail = (what: string): never => {
    throw new ProfileError(`not a driftcatcher profile: ${what} (make one with \`driftcatcher baseline\`)`, { file });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('expected a JSON object');
  const p = data as Record<string, unknown>;
  if (p['format'] !== PROFILE_FORMAT) return fail(`expected "format": "${PROFILE_FORMAT}"`);
  if (!PROFILE_VERSIONS.includes(p['version'] as number)) return fail(`unsupported version ${String(p['version'])}, expected ${PROFILE_VERSIONS.join(' or ')}`);
  if (!Number.isInteger(p['bins'])) return fail('"bins" must be an integer');
  const version = p['version'] as number;
  if (version >= 2) {
    const r = p['resolution'];
    if (!Number.isInteger(r) || (r as number) < 1 || (r as number) % (p['bins'] as number) !== 0) return fail('"resolution" must be a whole multiple of "bins"');
  }
  const grids = p['quantile_grids'] as Record<string, unknown> | undefined;
  if (grids !== undefined && (typeof grids !== 'object' || grids === null || grids['default'] !== 'i/bins' || grids['compat'] !== 'linspace')) {
    return fail('"quantile_grids" must be {"default": "i/bins", "compat": "linspace"}');
  }
  if (!Array.isArray(p['features']) || p['features'].length === 0) return fail('"features" must be a non-empty array');
  (p['features'] as unknown[]).forEach((f, i) => validateFeature(f, i, version, p['rows'], fail));
  return data as Profile;
}

function validateFeature(f: unknown, i: number, version: number, rows: unknown, fail: (what: string) => never): void {
  if (typeof f !== 'object' || f === null) fail(`features[${i}] is not an object`);
  const feature = f as Partial<FeatureProfile>;
  const where = `feature ${JSON.stringify(feature.name ?? i)}`;
  if (typeof feature.name !== 'string') fail(`features[${i}].name must be a string`);
  const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(feature.edges)) fail(`${where}: "edges" must be an array of finite numbers`);
  if (!numbers(feature.counts) || feature.counts!.length !== feature.edges!.length + 1) fail(`${where}: "counts" must have edges + 1 numbers`);
  if (typeof feature.missing !== 'number') fail(`${where}: "missing" must be a number`);
  const sorted = (v: number[]) => v.every((x, k) => k === 0 || v[k - 1]! <= x);
  if (!sorted(feature.edges!)) fail(`${where}: "edges" must be sorted`);
  const compat = feature.compat;
  if (!compat || !numbers(compat.edges) || !numbers(compat.counts)) fail(`${where}: "compat" must hold "edges" and "counts"`);
  if (compat!.edges.length > 0 && compat!.counts.length !== compat!.edges.length - 1) fail(`${where}: "compat.counts" must have edges - 1 numbers`);
  if (!sorted(compat!.edges)) fail(`${where}: "compat.edges" must be sorted`);
  if (version < 2) {
    // categorical columns are a version 2 field: a version 1 profile has none (one edited to carry them is read without)
    delete feature.categorical;
    return;
  }
  const fine = feature.fine;
  if (typeof fine !== 'object' || fine === null) return fail(`${where}: version ${version} needs "fine"`);
  if (!numbers(fine.edges) || !fine.edges.every((x, k) => k === 0 || fine.edges[k - 1]! < x)) fail(`${where}: "fine.edges" must be increasing finite numbers`);
  if (!numbers(fine.counts) || fine.counts.length !== fine.edges.length + 1) fail(`${where}: "fine.counts" must have fine.edges + 1 numbers`);
  if (!numbers(fine.atoms) || fine.atoms.length !== fine.edges.length || fine.atoms.some((a, k) => a > fine.counts[k + 1]!)) fail(`${where}: "fine.atoms" must have one count per fine edge, each at most its bin's`);
  if (!Number.isInteger(fine.distinct)) fail(`${where}: "fine.distinct" must be an integer`);
  const numberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!numberOrNull(fine.sum) || !numberOrNull(fine.sum_squares)) fail(`${where}: "fine.sum" and "fine.sum_squares" must be numbers or null`);
  const total = fine.counts.reduce((a, b) => a + b, 0);
  if (typeof feature.count === 'number' && total !== feature.count) fail(`${where}: "fine.counts" must add up to "count" (${feature.count}), not ${total}`);
  if (feature.categorical !== undefined) validateCategorical(feature, where, rows, fail);
}

/** A categorical summary (engine/profile/categorical.ts): its counts add up to the feature's and the profile's. */
function validateCategorical(feature: Partial<FeatureProfile>, where: string, rows: unknown, fail: (what: string) => never): void {
  const c = feature.categorical as unknown as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null) return fail(`${where}: "categorical" must be an object`);
  if (c['kind'] !== 'named' && c['kind'] !== 'few_distinct') fail(`${where}: "categorical.kind" must be "named" or "few_distinct"`);
  const values = c['values'];
  const counts = c['counts'];
  if (!Array.isArray(values) || !values.every((x, k) => typeof x === 'number' && Number.isFinite(x) && (k === 0 || (values[k - 1] as number) < x))) fail(`${where}: "categorical.values" must be increasing finite numbers`);
  const whole = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (!Array.isArray(counts) || counts.length !== (values as unknown[]).length || !counts.every(whole)) fail(`${where}: "categorical.counts" must have one whole count per value`);
  if (!whole(c['other']) || !whole(c['missing']) || !whole(c['distinct'])) fail(`${where}: "categorical.other", "missing" and "distinct" must be whole numbers`);
  if (c['missing'] !== feature.missing) fail(`${where}: "categorical.missing" must equal "missing" (${feature.missing})`);
  const listed = (counts as number[]).reduce((a, b) => a + b, 0);
  if (typeof feature.count === 'number' && listed + (c['other'] as number) !== feature.count) fail(`${where}: "categorical.counts" and "other" must add up to "count" (${feature.count}), not ${listed + (c['other'] as number)}`);
  if (typeof rows === 'number' && listed + (c['other'] as number) + (c['missing'] as number) !== rows) fail(`${where}: the categorical counts must add up to "rows" (${rows})`);
}
