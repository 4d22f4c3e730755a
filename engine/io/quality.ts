/**
 * The data-quality counters of a read or a scan, one Float64Array for every feature:
 * QUALITY_FIELDS numbers per feature, feature f's `kind` at `qualityIndex(f, QUALITY.kind)`.
 * Readers fill them (the CSV parser tells NaN from ±Inf and counts coerced text); scans add them
 * up; reports read them through `qualityOf` and `nonFiniteCount`.
 */
import type { ColumnQuality } from './types.js';

/** Offsets of the counters within a feature's QUALITY_FIELDS. */
export const QUALITY = { nan: 0, posInf: 1, negInf: 2, coerced: 3 } as const;
export const QUALITY_FIELDS = 4;

/** Index of feature `feature`'s counter `kind` (a QUALITY offset). */
export function qualityIndex(feature: number, kind: number): number {
  return QUALITY_FIELDS * feature + kind;
}

/** Zeroed counters for `features` features. */
export function emptyQuality(features: number): Float64Array {
  return new Float64Array(QUALITY_FIELDS * features);
}

/** Feature `feature`'s counters as a record. */
export function qualityOf(quality: ArrayLike<number>, feature: number): ColumnQuality {
  const at = QUALITY_FIELDS * feature;
  return { nan: quality[at + QUALITY.nan]!, posInf: quality[at + QUALITY.posInf]!, negInf: quality[at + QUALITY.negInf]!, coerced: quality[at + QUALITY.coerced]! };
}

/** NaN, +Inf and -Inf values of feature `feature` (coerced text not included). */
export function nonFiniteCount(quality: ArrayLike<number>, feature: number): number {
  const at = QUALITY_FIELDS * feature;
  return quality[at + QUALITY.nan]! + quality[at + QUALITY.posInf]! + quality[at + QUALITY.negInf]!;
}

/** Zero feature `feature`'s counters. */
export function clearQuality(quality: Float64Array, feature: number): void {
  quality.fill(0, QUALITY_FIELDS * feature, QUALITY_FIELDS * (feature + 1));
}

/** Add counters of the same features into `into`. */
export function addQuality(into: Float64Array, from: ArrayLike<number>): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i]!;
}
