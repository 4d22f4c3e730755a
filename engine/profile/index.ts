/**
 * Baseline profiles: per-feature quantile edges, expected proportions, statistics and
 * data-quality counts of the training data.
 */
import { basename, extname } from 'node:path';
import { open, stat } from 'node:fs/promises';
import { readTable, detectFormat } from '../io/index.js';
import { buildProfile, type FeatureColumn } from './build.js';
import { loadProfile } from './store.js';
import { mergeProfiles } from './merge.js';
import { canStreamBaseline, streamBaseline } from './stream.js';
import type { BaselineOptions, Profile } from './types.js';

export { buildProfile, histogramCounts, resolveResolution, type FeatureColumn } from './build.js';
export { quantileSorted, quantileEdges, quantileGrid, type QuantileGrid } from './quantile.js';
export { saveProfile, loadProfile, validateProfile } from './store.js';
export { fineScanEdges, fineScanCounts, nextUp } from './fine.js';
export { CATEGORICAL_DEFAULTS, MAX_CATEGORIES_LIMIT, categoricalKind, categoricalSummary, categoryScanEdges, categorySlotCounts, resolveMaxCategories, sortedValueCounts } from './categorical.js';
export { PROFILE_FORMAT, PROFILE_VERSION, PROFILE_VERSIONS, DEFAULT_RESOLUTION, type FineSummary, type CategoricalSummary, type CategoricalKind, type Profile, type FeatureProfile, type BaselineOptions, type MergeInfo, type MergeSource } from './types.js';
export { mergeProfiles, type MergeInput } from './merge.js';
export { canStreamBaseline, streamBaseline, type StreamOptions, type StreamStats } from './stream.js';
export { DISTINCT_COUNT_LIMIT, NAMED_DISTINCT_LIMIT } from './build.js';

/**
 * Read a data file and build its baseline profile. CSV, Arrow IPC (file and stream format) and
 * Parquet files stream through the scan's workers (a pilot, a coarse and a collect pass), never
 * holding the table (stream.ts; what the collect pass keeps still grows with the rows: docs/PROFILE.md "Memory"): their readers plan units of whole rows
 * (`ScanRequest.wholeRows`: CSV byte ranges, slices of Arrow record batches, windows of Parquet
 * row groups; an Arrow file the IPC fast path does not take, the stream format included, is read
 * batch by batch on the main side and copied into the slots). A reader without `columnNames`
 * (none today) would be read whole (createBaselineInMemory).
 */
export async function createBaseline(file: string, options: BaselineOptions = {}): Promise<Profile> {
  if (canStreamBaseline(file)) return (await streamBaseline(file, options)).profile;
  return createBaselineInMemory(file, options);
}

/** The baseline of a whole table read into memory (any format): buildProfile over its columns (the tests' reference for the streaming one). */
export async function createBaselineInMemory(file: string, options: BaselineOptions = {}): Promise<Profile> {
  const { table, featureNames, labelName, rows } = await readTable(file, { label: options.label, exclude: options.exclude, coerce: options.coerce, maxLineBytes: options.maxLineBytes });
  const columns: FeatureColumn[] = featureNames.map((name) => ({ name, values: table.getChild(name)!.toArray() as Float64Array }));
  const bytes = (await stat(file)).size;
  return buildProfile({
    columns,
    rows,
    bins: options.bins ?? 10,
    resolution: options.resolution,
    categorical: options.categorical,
    maxCategories: options.maxCategories,
    label: labelName ?? null,
    source: { file: basename(file), bytes, format: await detectFormat(file) },
    path: file,
  });
}

const DATA_EXTENSIONS = new Set(['.csv', '.arrow', '.ipc', '.feather', '.arrows', '.parquet']);

/**
 * The baseline a check compares with: a saved profile (a `.json` file, or a file of another name
 * whose first non-blank byte is `{`), or else training data (CSV, Arrow) to build one from with
 * `options`. `check` and `scan` take either.
 */
export async function resolveBaseline(file: string, options: BaselineOptions = {}): Promise<{ profile: Profile; built: boolean }> {
  const extension = extname(file).toLowerCase();
  const isProfile = extension === '.json' || (!DATA_EXTENSIONS.has(extension) && (await startsLikeJson(file)));
  if (isProfile) return { profile: await loadProfile(file), built: false };
  return { profile: await createBaseline(file, options), built: true };
}

async function startsLikeJson(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false; // the reader that follows names the problem
  }
  try {
    // a pipe (`--baseline <(...)`, /dev/stdin) cannot be peeked at without losing what is read,
    // nor read as data (byte ranges): only a saved profile can come through one
    if (!(await handle.stat()).isFile()) return true;
    const head = new Uint8Array(256);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    for (let i = 0; i < bytesRead; i++) {
      const c = head[i]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
      return c === 0x7b;
    }
    return false;
  } finally {
    await handle.close();
  }
}
export { uniqueSorted } from './quantile.js';

/** Load profiles and merge them (mergeProfiles); the merged profile is not saved. */
export async function mergeProfileFiles(files: readonly string[]): Promise<Profile> {
  const inputs = [];
  for (const file of files) inputs.push({ profile: await loadProfile(file), file });
  return mergeProfiles(inputs);
}
