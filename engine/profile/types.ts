/**
 * The baseline profile: what the training data looked like, per feature. Saved as JSON
 * (format `driftcatcher-profile`, version 2; documented in docs/PROFILE.md). Version 1 profiles
 * (no fine summary) still load, read-only: the methods that need the fine summary refuse them.
 */
export const PROFILE_FORMAT = 'driftcatcher-profile';
export const PROFILE_VERSION = 2;
/** the versions loadProfile accepts (1: no `fine` summary) */
export const PROFILE_VERSIONS: readonly number[] = [1, 2];
/** the fine summary's default resolution, for 10 bins (for other bin counts: the next multiple of bins) */
export const DEFAULT_RESOLUTION = 1000;

/**
 * Version 2: the fine summary of a feature's finite values, from which the tests that need more
 * than deciles (KS, Wasserstein) are computed without the raw data, and which merges by addition.
 */
export interface FineSummary {
  /**
   * the distinct quantiles (numpy `linear`) at q = i / resolution, i = 0..resolution (the first
   * is the minimum, the last the maximum), repeats merged; with the resolution a multiple of
   * `bins`, every decile edge of `edges` is one of them (the same double)
   */
  edges: number[];
  /** training counts of the edges.length + 1 open bins (-inf, e[0]), [e[0], e[1]), ..., [e[k-1], +inf) */
  counts: number[];
  /** training values equal to each edge (ties: counts, flags and ports tie a lot), so that a scan can count them apart (fineScanEdges) */
  atoms: number[];
  /** distinct finite values */
  distinct: number;
  /** sum and sum of squares of the finite values (moments that merge by addition); null when they overflow float64 */
  sum: number | null;
  sum_squares: number | null;
}

/** Why a column is categorical: named by the user (`--categorical`), or numeric with few distinct values (categoricalKind). */
export type CategoricalKind = 'named' | 'few_distinct';

/**
 * Version 2, categorical columns (engine/profile/categorical.ts): the training counts of the most
 * frequent values (up to `maxCategories`), the rest in `other`, and the missing count; they add
 * up to the profile's rows. A scan counts the current values on these categories, so that values
 * the baseline never listed (new categories) and their share are seen.
 */
export interface CategoricalSummary {
  kind: CategoricalKind;
  /** the kept category values, ascending */
  values: number[];
  /** training count of each value */
  counts: number[];
  /** training finite values not among `values` (0 unless there were more than maxCategories distinct values) */
  other: number;
  /** training non-finite values (the feature's `missing`) */
  missing: number;
  /** distinct finite training values (values.length plus those in `other`) */
  distinct: number;
}

export interface FeatureProfile {
  name: string;
  /** finite values */
  count: number;
  nan: number;
  pos_inf: number;
  neg_inf: number;
  /** statistics of the finite values (null when there are none) */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** population standard deviation (ddof = 0) */
  std: number | null;
  /** the bins + 1 quantiles of the finite values (numpy `linear`) at q = i / bins, repeated edges kept */
  quantiles: number[];
  /**
   * Default binning: the interior quantile edges with repeats merged. Bins are
   * (-inf, e[0]), [e[0], e[1]), ..., [e[k-1], +inf): open outer bins, so values beyond the
   * training range count as drift instead of vanishing.
   */
  edges: number[];
  /** training counts of those edges.length + 1 bins */
  counts: number[];
  /** training count of non-finite values (the missing bin) */
  missing: number;
  /** compat `driftcatcher`: the original tool's baseline (complete rows only, np.histogram) */
  /** version 2: the fine summary (absent in version 1 profiles) */
  fine?: FineSummary;
  /** version 2: present when the column is categorical (its numeric fields are kept: PSI, KS and the rest still read them) */
  categorical?: CategoricalSummary;
  /** a merged profile (profile merge, merge.ts): how far its quantiles may be from the concatenated data's */
  merged?: MergeInfo;
  compat: {
    /**
     * the bins + 1 quantiles of this feature over complete rows at q = np.linspace(0, 1, bins + 1)
     * (the original's deciles for bins = 10), repeated edges kept
     */
    edges: number[];
    /** np.histogram(values, edges) counts over complete rows */
    counts: number[];
  };
}

export interface Profile {
  format: typeof PROFILE_FORMAT;
  version: number;
  /** content hash (sha256 of the features section) identifying this baseline in reports */
  id: string;
  created: string;
  source: { file: string; bytes: number | null; format: string };
  bins: number;
  /** version 2: the fine summary's resolution R (its quantiles at q = i / R), a multiple of `bins` */
  resolution?: number;
  /**
   * where the quantiles were taken: `quantiles` at q = i / bins, `compat.edges` on numpy's
   * linspace grid. Profiles made before this field existed have compat edges at i / bins, which
   * `--compat driftcatcher` refuses.
   */
  quantile_grids?: { default: 'i/bins'; compat: 'linspace' };
  label: string | null;
  /** training rows read */
  rows: number;
  /** rows whose features are all finite (the compat baseline's rows) */
  complete_rows: number;
  /** a merged profile: the profiles it was merged from */
  merged_from?: MergeSource[];
  /** a reference built from a window of production data (engine/sources): the half-open UTC window [from, until) and the time column */
  window?: { from: string; until: string; interval: '[from, until)'; timezone: 'UTC'; time_column: string };
  features: FeatureProfile[];
}

/** What a merged feature says of its merge (engine/profile/merge.ts, docs/PROFILE.md "Merged profiles"). */
export interface MergeInfo {
  /** the profiles merged */
  shards: number;
  /** the largest distance, as a share of the feature's finite values, between the rank of a merged quantile (fine, decile or compat) and numpy's rank on the concatenated data, as far as the shards' summaries tell */
  rank_error: number;
  /** true when every merged edge is a fine edge of every shard (or outside its range): the counts on the merged edges are then exact */
  counts_exact: boolean;
}

/** A profile a merged profile was merged from. */
export interface MergeSource {
  file: string;
  id: string;
  rows: number;
}

export interface BaselineOptions {
  /** number of quantile bins (default 10: deciles) */
  bins?: number;
  /** the fine summary's resolution R, a multiple of bins (default 1000 for 10 bins: DEFAULT_RESOLUTION) */
  resolution?: number;
  label?: string;
  exclude?: readonly string[];
  coerce?: boolean;
  /** columns to treat as categorical, whatever their distinct values (besides those the rule finds: categoricalKind) */
  categorical?: readonly string[];
  /** categories a categorical summary keeps, the most frequent (default 100: CATEGORICAL_DEFAULTS.maxCategories) */
  maxCategories?: number;
  /** CSV: the longest line accepted, in bytes (ReadOptions.maxLineBytes) */
  maxLineBytes?: number;
  /** the streaming baseline (CSV, Arrow, Parquet): worker threads, 0 = the calling thread (default: by file size, as a scan) */
  workers?: number;
  /** the streaming baseline: force a kernel (default: the best available) */
  kernel?: 'wasm-simd' | 'wasm' | 'js';
}
