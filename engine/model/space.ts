/**
 * The hyper-parameter spaces of `train --search`: one entry per model family in SEARCH_SPACES,
 * each a list of parameter schemas (how a value is parsed and checked, the grid search's default
 * values, the random search's default range). A new family (gbt) adds one entry; nothing else
 * in the search knows the families.
 *
 * `--param name=v1,v2` replaces a parameter's values (grid and random: the trials take these);
 * `--param name=lo:hi` a range (random only: integers uniform in [lo, hi], floats log-uniform
 * when the parameter is searched on a log scale and lo > 0, else uniform).
 */
import { UsageError } from '../util/index.js';
import type { ParamValue } from './format.js';
import { GBT_PARAM_SCHEMA } from './gbt.js';

export type ParamKind = 'int' | 'float' | 'choice';

/** A range random search draws from. */
export interface ParamRange {
  lo: number;
  hi: number;
}

export interface ParamSchema {
  /** as `--param` and the run's params name it (scikit-learn's name where there is one) */
  name: string;
  kind: ParamKind;
  /** what it is, for the docs and --help */
  doc: string;
  /** grid search's values (and random search's when there is no `range`) */
  grid: readonly ParamValue[];
  /** random search's default range (int and float) */
  range?: ParamRange;
  /** floats: draw ranges log-uniformly */
  log?: boolean;
  /** one value from its text; throws a message (without the parameter's name) when it is not one */
  parse(text: string): ParamValue;
}

export interface FamilySpace {
  /** the family as `--model` names it */
  family: string;
  /** trials of this family fit in the training pool's shared forest memory, one at a time */
  sharedMemory: boolean;
  params: readonly ParamSchema[];
}

/** What the values of one parameter of a search are: a list, or a range (random only). */
export type ParamValues = { kind: 'list'; values: readonly ParamValue[] } | { kind: 'range'; range: ParamRange };

function intParser(min: number, max: number, extra?: { text: string; value: ParamValue }) {
  return (text: string): ParamValue => {
    if (extra && text === extra.text) return extra.value;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new Error(`takes integers from ${min} to ${max}${extra ? ` or ${extra.text}` : ''}`);
    return value;
  };
}

function floatParser(min: number, max: number, minOpen: boolean) {
  return (text: string): ParamValue => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || (minOpen && value === min) || value > max) throw new Error(`takes numbers ${minOpen ? 'above' : 'from'} ${min} ${minOpen ? 'up ' : ''}to ${max}`);
    return value;
  };
}

/** mlp hidden layer sizes: `64-32` (two layers), `128` (one). */
function parseHidden(text: string): ParamValue {
  const sizes = text.split('-');
  if (text === '' || sizes.some((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 4096)) throw new Error('takes layer sizes from 1 to 4096 joined by "-" (64-32)');
  return sizes.map(Number).join('-');
}

function parseMaxFeatures(text: string): ParamValue {
  if (text === 'sqrt' || text === 'all') return text;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new Error('takes sqrt, all or a feature count from 1 to 100000');
  return value;
}

const learningRate = (grid: number[], range: ParamRange): ParamSchema => ({ name: 'learning_rate', kind: 'float', doc: 'Adam step size', grid, range, log: true, parse: floatParser(0, 1, true) });

/** A gbt parameter as a search schema: its name, range and checks from GBT_PARAM_SCHEMA (gbt.ts). */
function gbtParam(name: string, grid: ParamValue[], range?: ParamRange, log?: boolean): ParamSchema {
  const spec = GBT_PARAM_SCHEMA.find((s) => s.name === name)!;
  const none = spec.nullable ? { text: 'none', value: null } : undefined;
  const parse = spec.type === 'integer' ? intParser(spec.min!, spec.max!, none) : floatParser(spec.min!, spec.max!, spec.minExclusive ?? false);
  return { name, kind: spec.type === 'integer' ? 'int' : 'float', doc: spec.description, grid, ...(range ? { range } : {}), ...(log ? { log } : {}), parse };
}

/** The default space of each family (docs/MODEL.md lists them). */
export const SEARCH_SPACES: Readonly<Record<string, FamilySpace>> = {
  rf: {
    family: 'rf',
    sharedMemory: true,
    params: [
      { name: 'n_estimators', kind: 'int', doc: 'trees', grid: [50, 100], range: { lo: 20, hi: 200 }, parse: intParser(1, 100_000) },
      { name: 'max_depth', kind: 'int', doc: 'tree depth limit (none: unlimited)', grid: [null, 12], range: { lo: 4, hi: 32 }, parse: intParser(1, 10_000, { text: 'none', value: null }) },
      { name: 'min_samples_leaf', kind: 'int', doc: 'rows each leaf keeps at least', grid: [1, 4], range: { lo: 1, hi: 16 }, parse: intParser(1, 1_000_000) },
      { name: 'max_features', kind: 'choice', doc: 'features tried per split: sqrt, all or a count', grid: ['sqrt'], parse: parseMaxFeatures },
    ],
  },
  logreg: {
    family: 'logreg',
    sharedMemory: false,
    params: [
      // scikit-learn's C is the inverse: its loss sums over rows, ours averages, so C = 1 / (2 l2 n)
      { name: 'l2', kind: 'float', doc: 'L2 penalty on the weights (the inverse of scikit-learn\'s C: C = 1 / (2 l2 n))', grid: [0, 1e-4, 1e-2], range: { lo: 1e-6, hi: 1e-1 }, log: true, parse: floatParser(0, 1e6, false) },
      learningRate([0.01, 0.003], { lo: 1e-4, hi: 5e-2 }),
    ],
  },
  mlp: {
    family: 'mlp',
    sharedMemory: false,
    params: [
      { name: 'hidden_layers', kind: 'choice', doc: 'hidden layer sizes joined by "-"', grid: ['64-32', '32'], parse: parseHidden },
      learningRate([0.002, 0.0005], { lo: 1e-4, hi: 1e-2 }),
    ],
  },
  gbt: {
    family: 'gbt',
    // its own shared memory (one task a fit): runs beside the other fits
    sharedMemory: false,
    params: [
      gbtParam('learning_rate', [0.1, 0.05], { lo: 0.01, hi: 0.3 }, true),
      gbtParam('max_leaves', [31, 15], { lo: 8, hi: 127 }),
      gbtParam('min_samples_leaf', [20], { lo: 5, hi: 100 }),
      gbtParam('l2', [0], { lo: 1e-3, hi: 10 }, true),
    ],
  },
  tree: {
    family: 'tree',
    sharedMemory: true,
    params: [
      { name: 'max_depth', kind: 'int', doc: 'tree depth limit (none: unlimited)', grid: [null, 8], range: { lo: 3, hi: 32 }, parse: intParser(1, 10_000, { text: 'none', value: null }) },
      { name: 'min_samples_leaf', kind: 'int', doc: 'rows each leaf keeps at least', grid: [1, 20], range: { lo: 1, hi: 50 }, parse: intParser(1, 1_000_000) },
    ],
  },
};

/** The families `--model auto` searches, in order (the order ties are broken in). */
export function searchFamilies(model: string): string[] {
  if (model === 'auto') return Object.keys(SEARCH_SPACES);
  if (!SEARCH_SPACES[model]) throw new UsageError(`no search space for model ${model}; searchable: ${Object.keys(SEARCH_SPACES).join(', ')}, auto`, { option: 'model' });
  return [model];
}

/**
 * Parse `--param` specs (`name=v1,v2,...` or `name=lo:hi`) for the searched families. A name must
 * be a parameter of at least one of them; each value is checked by every family that has it.
 */
export function parseParamSpecs(specs: readonly string[], families: readonly string[], method: 'grid' | 'random'): Map<string, ParamValues> {
  const out = new Map<string, ParamValues>();
  for (const spec of specs) {
    const fail = (why: string) => new UsageError(`"${spec}": ${why}`, { option: 'param' });
    const eq = spec.indexOf('=');
    if (eq <= 0) throw fail('expected name=v1,v2,... or name=lo:hi');
    const name = spec.slice(0, eq).trim();
    const text = spec.slice(eq + 1).trim();
    const schemas = families.flatMap((f) => SEARCH_SPACES[f]!.params.filter((p) => p.name === name));
    if (schemas.length === 0) {
      const known = [...new Set(families.flatMap((f) => SEARCH_SPACES[f]!.params.map((p) => p.name)))];
      throw fail(`${name} is not a parameter of ${families.join(', ')} (they have: ${known.join(', ')})`);
    }
    if (out.has(name)) throw fail(`${name} is given twice`);
    if (text === '') throw fail(`no values for ${name}`);
    const range = /^([^:,]+):([^:,]+)$/.exec(text);
    if (range) {
      if (method !== 'random') throw fail('a range lo:hi is for --search random; grid takes a list v1,v2,...');
      if (schemas.some((s) => s.kind === 'choice')) throw fail(`${name} takes a list of values, not a range`);
      const lo = parseWith(schemas, range[1]!, name, fail);
      const hi = parseWith(schemas, range[2]!, name, fail);
      if (typeof lo !== 'number' || typeof hi !== 'number' || !(lo <= hi)) throw fail(`the range of ${name} needs numbers lo <= hi`);
      out.set(name, { kind: 'range', range: { lo, hi } });
    } else {
      const values = text.split(',').map((v) => parseWith(schemas, v.trim(), name, fail));
      out.set(name, { kind: 'list', values: [...new Map(values.map((v) => [String(v), v])).values()] });
    }
  }
  return out;
}

function parseWith(schemas: readonly ParamSchema[], text: string, name: string, fail: (why: string) => UsageError): ParamValue {
  let value: ParamValue = null;
  for (const schema of schemas) {
    try {
      value = schema.parse(text);
    } catch (err) {
      throw fail(`${name} ${(err as Error).message}, got "${text}"`);
    }
  }
  return value;
}

/** The values a family's parameter takes in a search: the override, else its default. */
export function valuesOf(schema: ParamSchema, method: 'grid' | 'random', overrides: ReadonlyMap<string, ParamValues>): ParamValues {
  const given = overrides.get(schema.name);
  if (given) return given;
  if (method === 'random' && schema.range) return { kind: 'range', range: schema.range };
  return { kind: 'list', values: schema.grid };
}
