/**
 * Batch summaries (format `driftcatcher-summary`, version 1; docs/PROFILE.md "Batch summaries"):
 * what a scan of a batch counted on a baseline's bins, saved so that shards scanned apart (other
 * processes, machines, days) give one verdict later. Counts add, so the summaries of the shards
 * of a batch, added, are the counts of the whole batch, and `checkSummaries` gives the report a
 * scan of all the shards at once gives (test/engine/drift/summary.test.ts).
 *
 * A summary holds, per baseline feature, the kernel's counters on the scan's edges: the decile
 * edges (PSI, Jensen-Shannon, Hellinger, chi-squared), the fine scan edges when a method needed
 * them (KS, Wasserstein, auto: the decile counts are then sums of fine bins) or the compat edges;
 * the non-finite values by kind, coerced cells, rows and, with the fine edges, the tails. It
 * names the baseline (`baseline.id`) and the binning, and `checkSummaries` refuses a summary of
 * another baseline or binning in one line.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError, ProfileError, writeFileAtomic } from '../util/index.js';
import { emptyHistograms, mergeHistograms, type Histograms } from '../scan/index.js';
import type { Profile } from '../profile/index.js';
import { binEdges, type DriftSettings } from './options.js';
import { driftReport, type DriftReport } from './report.js';

export const SUMMARY_FORMAT = 'driftcatcher-summary';
export const SUMMARY_VERSION = 1;
/** a summary file larger than this is refused before it is read (78 features on the fine edges take about 2 MB) */
export const MAX_SUMMARY_BYTES = 256 * 1024 * 1024;

/** Which edges a summary's counts are on. */
export type SummaryEdges = 'deciles' | 'fine' | 'compat';

export interface FeatureSummaryCounts {
  name: string;
  /** finite values with exactly j scan edges <= v, j = 0..edges (np.searchsorted(edges, v, 'right')) */
  counts: number[];
  /** non-finite values (NaN, +Inf, -Inf) */
  missing: number;
  /** finite values equal to the last scan edge (np.histogram's closed last bin, compat) */
  last_edge: number;
  nan: number;
  pos_inf: number;
  neg_inf: number;
  /** non-numeric cells read as NaN (`coerce`) */
  coerced: number;
  /** with the fine edges: sum of (first edge - v) below the first edge, of (v - last edge) above the last */
  tails?: [number, number];
}

export interface BatchSummary {
  format: typeof SUMMARY_FORMAT;
  version: number;
  created: string;
  /** the baseline the counts were taken on: its id (Profile.id), file name, bins and resolution */
  baseline: { id: string; file: string; bins: number; resolution: number | null };
  /** the scan's edges: `deciles` (DriftSettings.fine false), `fine` (fineScanEdges), `compat` (compat.edges) */
  edges: SummaryEdges;
  /** the batch's files, as given to the scan */
  files: string[];
  rows: number;
  /** one entry per baseline feature, in the baseline's order */
  features: FeatureSummaryCounts[];
}

function edgesKind(settings: Pick<DriftSettings, 'semantics' | 'fine'>): SummaryEdges {
  return settings.semantics !== 'default' ? 'compat' : settings.fine ? 'fine' : 'deciles';
}

/** The summary of a scan's histograms (on the edges `settings` chose: binEdges). */
export function batchSummary(profile: Profile, histograms: Histograms, settings: Pick<DriftSettings, 'semantics' | 'fine'>, files: string[]): BatchSummary {
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    created: new Date().toISOString(),
    baseline: { id: profile.id, file: profile.source.file, bins: profile.bins, resolution: profile.resolution ?? null },
    edges: edgesKind(settings),
    files: [...files],
    rows: histograms.rows,
    features: histograms.featureNames.map((name, f) => {
      const slots = histograms.counts[f]!;
      const n = histograms.nEdges[f]!;
      const q = histograms.quality;
      return {
        name,
        counts: Array.from(slots.subarray(0, n + 1)),
        missing: slots[n + 1]!,
        last_edge: slots[n + 2]!,
        nan: q[4 * f]!,
        pos_inf: q[4 * f + 1]!,
        neg_inf: q[4 * f + 2]!,
        coerced: q[4 * f + 3]!,
        ...(histograms.tails ? { tails: [histograms.tails[2 * f]!, histograms.tails[2 * f + 1]!] as [number, number] } : {}),
      };
    }),
  };
}

/** The histograms a summary holds (the scan's layout: engine/scan Histograms). */
export function summaryHistograms(summary: BatchSummary): Histograms {
  const nEdges = Int32Array.from(summary.features, (f) => f.counts.length - 1);
  const histograms = emptyHistograms(summary.features.map((f) => f.name), nEdges, { tails: summary.edges === 'fine' });
  summary.features.forEach((feature, f) => {
    const slots = histograms.counts[f]!;
    slots.set(feature.counts);
    slots[feature.counts.length] = feature.missing;
    slots[feature.counts.length + 1] = feature.last_edge;
    histograms.quality.set([feature.nan, feature.pos_inf, feature.neg_inf, feature.coerced], 4 * f);
    if (histograms.tails && feature.tails) histograms.tails.set(feature.tails, 2 * f);
  });
  histograms.rows = summary.rows;
  return histograms;
}

/** Save a summary as JSON (temp file + rename). */
export async function saveSummary(summary: BatchSummary, file: string): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(summary) + '\n');
}

/** Load and validate a summary file; anything else is a one-line InputError naming the file. */
export async function loadSummary(file: string): Promise<BatchSummary> {
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_SUMMARY_BYTES) throw new InputError(`${size} bytes, more than a summary can be (${MAX_SUMMARY_BYTES}); expected a file from \`driftcatcher scan --summary-out\``, { file });
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a summary file' : `cannot read: ${code}`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError('not a driftcatcher summary: not JSON (make one with `driftcatcher scan --summary-out`)', { file });
  }
  return validateSummary(data, file);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A BatchSummary, or a one-line InputError naming the file and the field. */
export function validateSummary(data: unknown, file: string): BatchSummary {
  const bad = (what: string): never => {
    throw new InputError(`not a valid driftcatcher summary: ${what}`, { file });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) bad('expected a JSON object');
  const s = data as Record<string, unknown>;
  if (s['format'] !== SUMMARY_FORMAT) bad(`format is not "${SUMMARY_FORMAT}" (make one with \`driftcatcher scan --summary-out\`)`);
  if (s['version'] !== SUMMARY_VERSION) bad(`version ${JSON.stringify(s['version'])}, this driftcatcher reads version ${SUMMARY_VERSION}`);
  const baseline = s['baseline'] as Record<string, unknown> | undefined;
  if (typeof baseline !== 'object' || baseline === null || typeof baseline['id'] !== 'string' || typeof baseline['file'] !== 'string' || !isCount(baseline['bins']) || !(baseline['resolution'] === null || isCount(baseline['resolution']))) {
    bad('baseline: expected {id, file, bins, resolution}');
  }
  if (!['deciles', 'fine', 'compat'].includes(s['edges'] as string)) bad('edges: expected "deciles", "fine" or "compat"');
  if (!Array.isArray(s['files']) || !s['files'].every((f) => typeof f === 'string')) bad('files: expected a list of file names');
  if (!isCount(s['rows'])) bad('rows: expected a whole number, 0 or more');
  if (!Array.isArray(s['features'])) bad('features: expected a list');
  const fine = s['edges'] === 'fine';
  (s['features'] as unknown[]).forEach((raw, i) => {
    const feature = raw as Record<string, unknown>;
    const where = `features[${i}]`;
    if (typeof feature !== 'object' || feature === null || typeof feature['name'] !== 'string') bad(`${where}: expected an object with a name`);
    const counts = feature['counts'];
    if (!Array.isArray(counts) || counts.length === 0 || !counts.every(isCount)) bad(`${where} (${String(feature['name'])}): counts: expected a non-empty list of whole numbers, 0 or more`);
    for (const key of ['missing', 'last_edge', 'nan', 'pos_inf', 'neg_inf', 'coerced']) if (!isCount(feature[key])) bad(`${where} (${String(feature['name'])}): ${key}: expected a whole number, 0 or more`);
    const tails = feature['tails'];
    if (fine && !(Array.isArray(tails) && tails.length === 2 && tails.every((t) => isFiniteNumber(t) && t >= 0))) bad(`${where} (${String(feature['name'])}): tails: expected [below, above], two numbers, 0 or more`);
  });
  return data as BatchSummary;
}

/**
 * One report from the summaries of a batch's shards: their counts added, scored as a scan of
 * all the shards at once would score them (driftReport). Each summary must be of this baseline
 * (`baseline.id`) and on the edges `settings` bin on; a summary on the fine edges also serves
 * the methods that need only the deciles (their counts are sums of fine bins: settings.fine is
 * then true in the report). Refusals are one-line ProfileErrors naming the summary's file.
 */
export function checkSummaries(profile: Profile, summaries: readonly { summary: BatchSummary; file: string }[], settings: DriftSettings): DriftReport {
  if (summaries.length === 0) throw new InputError('no summaries given: expected one or more files from `driftcatcher scan --summary-out`');
  const anyFine = summaries.some((s) => s.summary.edges === 'fine');
  // fine summaries serve the coarse methods too; a deciles summary cannot serve a method on the fine edges
  const effective: DriftSettings = settings.semantics === 'default' && anyFine && !settings.fine ? { ...settings, fine: true } : settings;
  const wanted = edgesKind(effective);
  const edges = binEdges(profile, effective);
  const names = profile.features.map((f) => f.name);
  const total = emptyHistograms(names, Int32Array.from(edges, (e) => e.length), { tails: wanted === 'fine' });
  const files: string[] = [];
  for (const { summary, file } of summaries) {
    const shown = basename(file);
    if (summary.baseline.id !== profile.id) {
      throw new ProfileError(`summary ${shown} was counted on baseline ${summary.baseline.id.slice(0, 12)} (${summary.baseline.file}), not on this one, ${profile.id.slice(0, 12)} (${profile.source.file}); rescan its files with this baseline`, { file });
    }
    if (summary.baseline.bins !== profile.bins || summary.baseline.resolution !== (profile.resolution ?? null)) {
      throw new ProfileError(`summary ${shown} has ${summary.baseline.bins} bins at resolution ${summary.baseline.resolution}, the baseline ${profile.bins} at ${profile.resolution ?? null}; rescan its files with this baseline`, { file });
    }
    if (summary.edges !== wanted) {
      const why = wanted === 'fine' ? `; method ${settings.method} needs the fine counts: rescan with \`scan --method ${settings.method} --summary-out\`` : wanted === 'compat' ? '; compat driftcatcher needs counts on the compat edges: rescan with `scan --compat driftcatcher --summary-out`' : '';
      throw new ProfileError(`summary ${shown} holds counts on the ${summary.edges} edges, and this check bins on the ${wanted} edges${why}`, { file });
    }
    if (summary.features.length !== names.length || summary.features.some((f, i) => f.name !== names[i] || f.counts.length !== edges[i]!.length + 1)) {
      throw new ProfileError(`summary ${shown}: its features or their bins are not the baseline's (${names.length} features); rescan its files with this baseline`, { file });
    }
    mergeHistograms(total, summaryHistograms(summary));
    files.push(...summary.files);
  }
  return driftReport(profile, total, effective, files);
}
