/**
 * Baseline profiles: per-feature quantile edges, expected proportions, statistics and
 * data-quality counts of the training data.
 */
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { readTable, detectFormat } from '../io/index.js';
import { buildProfile, type FeatureColumn } from './build.js';
import type { BaselineOptions, Profile } from './types.js';

export { buildProfile, histogramCounts, type FeatureColumn } from './build.js';
export { quantileSorted, quantileEdges } from './quantile.js';
export { saveProfile, loadProfile, validateProfile } from './store.js';
export { PROFILE_FORMAT, PROFILE_VERSION, type Profile, type FeatureProfile, type BaselineOptions } from './types.js';

/** Read a data file and build its baseline profile. */
export async function createBaseline(file: string, options: BaselineOptions = {}): Promise<Profile> {
  const { table, featureNames, labelName, rows } = await readTable(file, { label: options.label, exclude: options.exclude, coerce: options.coerce, maxLineBytes: options.maxLineBytes });
  const columns: FeatureColumn[] = featureNames.map((name) => ({ name, values: table.getChild(name)!.toArray() as Float64Array }));
  const bytes = (await stat(file)).size;
  return buildProfile({
    columns,
    rows,
    bins: options.bins ?? 10,
    label: labelName ?? null,
    source: { file: basename(file), bytes, format: await detectFormat(file) },
  });
}
