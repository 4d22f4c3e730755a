/**
 * Categorical columns (profile version 2): which columns are categorical (one rule,
 * `categoricalKind`), their summary (the most frequent values' counts, an "other" bucket and the
 * missing count, built from a value -> count map by `categoricalSummary`, so that any builder that
 * has exact value counts can make it), and the edges a scan counts them on (`categoryScanEdges`).
 *
 * Scope: numeric categoricals (flags, protocol numbers, ports): the readers deliver Float64
 * feature columns, and text in a feature column is refused (or read as NaN with `coerce`), so a
 * text column cannot be a feature today. docs/PROFILE.md states the rule and the fields.
 */
import { nextUp } from './fine.js';
import type { CategoricalKind, CategoricalSummary } from './types.js';
import { internalError, UsageError } from '../util/index.js';

/** The defaults of categorical columns, once. */
export const CATEGORICAL_DEFAULTS = Object.freeze({
  /** a numeric column with at most this many distinct finite values is categorical (flags, protocol numbers) */
  maxDistinct: 64,
  /** ... and at least this many finite values per distinct value on average (a small sample of a continuous column is not categorical) */
  minCountPerValue: 5,
  /** the categories a summary keeps (the most frequent); the rest are its "other" bucket (`--max-categories`) */
  maxCategories: 100,
});

/** The most categories a summary may keep (`maxCategories`): the scan bins on two edges per category. */
export const MAX_CATEGORIES_LIMIT = 10_000;

/**
 * The rule: a column is categorical when it is named (`named`, the `--categorical` columns), or
 * when it has from 1 to `maxDistinct` (64) distinct finite values and at least
 * `minCountPerValue` (5) finite values per distinct value (`few_distinct`); otherwise null.
 * The second condition keeps a small sample of a continuous column (50 rows, 50 values) numeric.
 */
export function categoricalKind(name: string, distinct: number, finite: number, named: ReadonlySet<string>): CategoricalKind | null {
  if (named.has(name)) return 'named';
  const { maxDistinct, minCountPerValue } = CATEGORICAL_DEFAULTS;
  if (distinct >= 1 && distinct <= maxDistinct && finite >= minCountPerValue * distinct) return 'few_distinct';
  return null;
}

/** `maxCategories` as given, or a UsageError naming the option. */
export function resolveMaxCategories(maxCategories?: number): number {
  const value = maxCategories ?? CATEGORICAL_DEFAULTS.maxCategories;
  if (!Number.isInteger(value) || value < 1 || value > MAX_CATEGORIES_LIMIT) throw new UsageError(`must be an integer from 1 to ${MAX_CATEGORIES_LIMIT}, got ${value}`, { option: 'maxCategories' });
  return value;
}

/**
 * The summary of a categorical column from its exact finite value counts, its missing
 * (non-finite) count and its total (rows): the `maxCategories` most frequent values (ties: the
 * smaller value first), listed in ascending order with their counts, the rest in `other`.
 * The counts add up: sum(counts) + other + missing = total.
 */
export function categoricalSummary(valueCounts: ReadonlyMap<number, number>, missing: number, total: number, kind: CategoricalKind, maxCategories: number): CategoricalSummary {
  const entries = [...valueCounts].filter(([, c]) => c > 0);
  let finite = 0;
  for (const [value, c] of entries) {
    if (!Number.isFinite(value)) throw internalError(`a categorical value count for the non-finite value ${value}`);
    finite += c;
  }
  if (finite + missing !== total) throw internalError(`categorical counts add up to ${finite + missing}, not the total ${total}`);
  const kept = entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, maxCategories).sort((a, b) => a[0] - b[0]);
  let listed = 0;
  for (const [, c] of kept) listed += c;
  return { kind, values: kept.map(([v]) => v), counts: kept.map(([, c]) => c), other: finite - listed, missing, distinct: entries.length };
}

/** Exact value counts of sorted finite values (runs of equal values). */
export function sortedValueCounts(sorted: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  let start = 0;
  for (let i = 1; i <= sorted.length; i++) {
    if (i === sorted.length || sorted[i] !== sorted[i - 1]) {
      if (i > start) counts.set(sorted[start]!, i - start);
      start = i;
    }
  }
  return counts;
}

/**
 * The edges a scan counts a categorical feature on: each category value v and nextUp(v), so that
 * the bin [v, nextUp(v)) holds exactly the values equal to v; every other finite value falls
 * in a bin between them ("other"). With the kernel's slots (np.searchsorted 'right'): slot
 * 2t + 1 is category t, the even slots are "other".
 */
export function categoryScanEdges(summary: Pick<CategoricalSummary, 'values'>): number[] {
  const out: number[] = [];
  for (const v of summary.values) out.push(v, nextUp(v));
  return out;
}

/** From the finite slots on categoryScanEdges (2 k + 1 of them) to the k category counts and the other count. */
export function categorySlotCounts(finiteSlots: ArrayLike<number>, k: number): { counts: Float64Array; other: number } {
  if (finiteSlots.length !== 2 * k + 1) throw internalError(`${finiteSlots.length} slots for ${k} categories`);
  const counts = new Float64Array(k);
  let other = 0;
  for (let s = 0; s < finiteSlots.length; s++) {
    if (s % 2 === 1) counts[(s - 1) / 2] = finiteSlots[s]!;
    else other += finiteSlots[s]!;
  }
  return { counts, other };
}
