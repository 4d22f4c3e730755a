/**
 * Column names and feature selection, shared by every reader.
 *
 * Names are trimmed, then de-duplicated the way pandas' `read_csv` does it, so that a column is
 * called the same here as in the Python tools the profiles are compared with
 * (` Fwd Header Length` twice -> `Fwd Header Length`, `Fwd Header Length.1`).
 */
import { excerpt, SchemaError } from '../util/index.js';
import { IO_DEFAULTS } from './defaults.js';

/** The label column looked for when the caller names none. */
export const DEFAULT_LABEL = IO_DEFAULTS.label;

/**
 * Trim each name, name empty ones `Unnamed: <index>`, then make the names unique with pandas'
 * rule: a repeated `x` becomes `x.1`, `x.2`, ...; a candidate that is itself a name in the header
 * (`x.1` written in the file) is passed over, and named columns are settled before unnamed ones.
 * This follows pandas' C and Python parsers (`pandas/_libs/parsers.pyx`, `python_parser.py`).
 */
export function normaliseNames(raw: readonly string[]): string[] {
  const names = raw.map((name) => name.trim());
  const unnamed: number[] = [];
  names.forEach((name, index) => {
    if (name === '') {
      names[index] = `Unnamed: ${index}`;
      unnamed.push(index);
    }
  });
  const unnamedSet = new Set(unnamed);
  const loopOrder = [...names.keys()].filter((index) => !unnamedSet.has(index)).concat(unnamed);

  // `names` is renamed in place while we walk it, exactly like pandas' `this_columns`: the
  // "already in the header" test sees settled names before `index` and raw names after it.
  // `inHeader` counts each name now in `names`, so that test costs O(1), not a scan of the
  // header (a header of 500,000 equal names would otherwise take hours).
  const inHeader = new Map<string, number>();
  for (const name of names) inHeader.set(name, (inHeader.get(name) ?? 0) + 1);
  const timesSeen = new Map<string, number>();
  for (const index of loopOrder) {
    const original = names[index]!;
    let name = original;
    let count = timesSeen.get(name) ?? 0;
    while (count > 0) {
      timesSeen.set(original, count + 1);
      name = `${original}.${count}`;
      count = (inHeader.get(name) ?? 0) > 0 ? count + 1 : (timesSeen.get(name) ?? 0);
    }
    if (name !== original) {
      inHeader.set(original, inHeader.get(original)! - 1);
      inHeader.set(name, (inHeader.get(name) ?? 0) + 1);
    }
    names[index] = name;
    timesSeen.set(name, count + 1);
  }
  return names;
}

export interface FeatureSelection {
  /** label column name; `Label` when not given, and then optional */
  label?: string;
  /** names to leave out of the features (matched after trimming) */
  exclude?: readonly string[];
  /** the file the names come from, for error messages */
  file?: string;
}

export interface ResolvedFeatures {
  /** feature column names, in file order */
  featureNames: string[];
  /** for each feature, its column index in the file */
  featureIndex: number[];
  /** column index of the label, or -1 when the file has none */
  labelIndex: number;
  /** the label column's name when present */
  labelName?: string;
}

/**
 * Pick the feature columns: every column except the label and the `exclude` list.
 * A label asked for explicitly must exist; the default `Label` may be absent (an unlabelled
 * production batch). Every name in `exclude` must exist, so that a typo does not silently keep
 * an id column among the features.
 */
export function resolveFeatures(names: readonly string[], selection: FeatureSelection = {}): ResolvedFeatures {
  const { file } = selection;
  const indexOf = new Map<string, number>();
  names.forEach((name, index) => indexOf.set(name, index));

  const labelAsked = selection.label !== undefined;
  const labelName = (selection.label ?? DEFAULT_LABEL).trim();
  const labelIndex = indexOf.get(labelName) ?? -1;
  if (labelIndex < 0 && labelAsked) {
    throw new SchemaError(`label column not found (${describeColumns(names)})`, { file, column: labelName });
  }

  const excluded = new Set<number>();
  for (const rawName of selection.exclude ?? []) {
    const name = rawName.trim();
    const index = indexOf.get(name);
    if (index === undefined) {
      throw new SchemaError(`column to exclude not found (${describeColumns(names)})`, { file, column: name });
    }
    excluded.add(index);
  }

  const featureNames: string[] = [];
  const featureIndex: number[] = [];
  names.forEach((name, index) => {
    if (index === labelIndex || excluded.has(index)) return;
    featureNames.push(name);
    featureIndex.push(index);
  });
  const resolved: ResolvedFeatures = { featureNames, featureIndex, labelIndex };
  if (labelIndex >= 0) resolved.labelName = labelName;
  return resolved;
}

/**
 * The CSV parser's column map: `map[fileColumn]` is the feature slot (>= 0),
 * LABEL_SLOT for the label, SKIP_SLOT for a column that is read over.
 */
export function columnMapOf(nColumns: number, resolved: ResolvedFeatures, withLabel = true): Int32Array {
  const map = new Int32Array(nColumns).fill(SKIP_SLOT);
  resolved.featureIndex.forEach((column, slot) => {
    map[column] = slot;
  });
  if (withLabel && resolved.labelIndex >= 0) map[resolved.labelIndex] = LABEL_SLOT;
  return map;
}

/** A column map entry: the column is read over. */
export const SKIP_SLOT = -1;
/** A column map entry: the label, dictionary-encoded (text column 0). */
export const LABEL_SLOT = -2;

/** The column map entry of text column `t` (t = 0 is the label): LABEL_SLOT, -3, -4, ... */
export function textSlot(t: number): number {
  return LABEL_SLOT - t;
}

/** `79 columns: Destination Port, Flow Duration, ...` — enough to spot a typo, one line long. */
function describeColumns(names: readonly string[]): string {
  const shown = names.slice(0, 6).map((name) => excerpt(name)).join(', ');
  return `the file has ${names.length} columns: ${shown}${names.length > 6 ? ', ...' : ''}`;
}
