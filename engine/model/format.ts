/**
 * The model file: one JSON document (format `driftcatcher-model`, version 1, documented in
 * docs/MODEL.md). Numeric arrays (tree nodes, network weights) are stored as base64 of their
 * little-endian bytes, so a reloaded model holds bit-for-bit the same numbers and predicts
 * identically.
 */
import { readFile } from 'node:fs/promises';
import { InputError, ModelError } from '../util/index.js';
import { writeFileAtomic } from '../util/index.js';
import type { FillValues, NonFinitePolicy } from './dataset.js';
import type { Forest, Tree } from './forest.js';
import type { Booster, BoostedTree } from './gbt.js';
import type { NetworkTransform } from './network.js';
import type { NetworkWeights } from './train-protocol.js';

export const MODEL_FORMAT = 'driftcatcher-model';
export const MODEL_VERSION = 1;
export const MODEL_FILE = 'model.json';

export type ModelType = 'random_forest' | 'logreg' | 'mlp' | 'gradient_boosting' | 'decision_tree';
export const MODEL_TYPES: readonly ModelType[] = ['random_forest', 'logreg', 'mlp', 'gradient_boosting', 'decision_tree'];

/** The families whose trees are stored as a forest (a decision tree is a forest of one). */
export const FOREST_MODEL_TYPES: readonly ModelType[] = ['random_forest', 'decision_tree'];

export type ParamValue = string | number | boolean | null;

/** A trained model as the engine holds it. */
export interface Model {
  modelType: ModelType;
  created: string;
  /** feature names, in the order the model reads them */
  features: string[];
  label: string;
  negative: string;
  nonFinite: NonFinitePolicy;
  /** what replaces non-finite values at prediction time */
  fill: FillValues;
  params: Record<string, ParamValue>;
  /** random_forest, decision_tree (one tree) */
  forest?: Forest;
  /** gradient_boosting */
  boosting?: Booster;
  network?: { transform: NetworkTransform; weights: NetworkWeights };
}

type Typed = Int32Array | Float64Array | Float32Array;

function encode(array: Typed): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

function decode<T extends Typed>(text: unknown, Kind: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, what: string): T {
  if (typeof text !== 'string') throw new Error(`${what} must be a base64 string`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % Kind.BYTES_PER_ELEMENT !== 0) throw new Error(`${what} has ${bytes.length} bytes, not a multiple of ${Kind.BYTES_PER_ELEMENT}`);
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Kind(copy);
}

/** The JSON document of a model. */
export function modelToJson(model: Model): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    model_type: model.modelType,
    created: model.created,
    features: model.features,
    label: model.label,
    negative: model.negative,
    preprocessing: { non_finite: model.nonFinite, fill: { nan: model.fill.nan, pos_inf: model.fill.posInf, neg_inf: model.fill.negInf } },
    params: model.params,
  };
  if (model.forest) {
    doc['forest'] = {
      n_features: model.forest.nFeatures,
      trees: model.forest.trees.map((tree) => ({
        nodes: tree.feature.length,
        feature: encode(tree.feature),
        threshold: encode(tree.threshold),
        left: encode(tree.left),
        right: encode(tree.right),
        value: encode(tree.value),
      })),
    };
  }
  if (model.boosting) {
    doc['boosting'] = {
      n_features: model.boosting.nFeatures,
      base_score: model.boosting.baseScore,
      trees: model.boosting.trees.map((tree) => ({
        nodes: tree.feature.length,
        feature: encode(tree.feature),
        threshold: encode(tree.threshold),
        left: encode(tree.left),
        right: encode(tree.right),
        value: encode(tree.value),
      })),
    };
  }
  if (model.network) {
    const { transform, weights } = model.network;
    doc['network'] = {
      kind: weights.kind,
      n_features: weights.nFeatures,
      hidden: weights.hidden,
      transform: { kind: 'signed_log1p_standardize', mean: transform.mean, scale: transform.scale },
      tensors: weights.tensors.map((t) => ({ shape: t.shape, values: encode(t.values) })),
      loss: weights.loss,
    };
  }
  return doc;
}

/** Rebuild a model from its JSON document; anything malformed is a one-line error naming the file. */
export function modelFromJson(doc: unknown, file: string): Model {
  const fail = (what: string): never => {
    throw new ModelError(`not a driftcatcher model: ${what} (make one with \`driftcatcher train\`)`, { file });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('expected a JSON object');
  const d = doc as Record<string, any>;
  if (d['format'] !== MODEL_FORMAT) return fail(`expected "format": "${MODEL_FORMAT}"`);
  if (d['version'] !== MODEL_VERSION) return fail(`unsupported version ${String(d['version'])}, expected ${MODEL_VERSION}`);
  if (!MODEL_TYPES.includes(d['model_type'])) return fail(`unknown model_type ${JSON.stringify(d['model_type'])}`);
  const features = d['features'];
  if (!Array.isArray(features) || features.length === 0 || !features.every((f) => typeof f === 'string')) return fail('"features" must be a non-empty array of names');
  const fill = d['preprocessing']?.['fill'];
  const numbers = (v: unknown) => Array.isArray(v) && v.length === features.length && v.every((x) => typeof x === 'number');
  if (!fill || !numbers(fill['nan']) || !numbers(fill['pos_inf']) || !numbers(fill['neg_inf'])) return fail('"preprocessing.fill" must hold nan, pos_inf, neg_inf per feature');
  const model: Model = {
    modelType: d['model_type'],
    created: String(d['created'] ?? ''),
    features,
    label: String(d['label'] ?? 'Label'),
    negative: String(d['negative'] ?? 'BENIGN'),
    nonFinite: d['preprocessing']['non_finite'] === 'impute' ? 'impute' : 'drop',
    fill: { nan: fill['nan'], posInf: fill['pos_inf'], negInf: fill['neg_inf'] },
    params: (d['params'] ?? {}) as Record<string, ParamValue>,
  };
  try {
    if (model.modelType === 'gradient_boosting') {
      const boosting = d['boosting'];
      if (!boosting || !Array.isArray(boosting['trees']) || boosting['trees'].length === 0) return fail('"boosting.trees" must be a non-empty array');
      if (typeof boosting['base_score'] !== 'number' || !Number.isFinite(boosting['base_score'])) return fail('"boosting.base_score" must be a finite number');
      // one value per node (a leaf's log-odds)
      const trees: BoostedTree[] = decodeTrees(boosting['trees'], features.length, 1);
      model.boosting = { nFeatures: features.length, baseScore: boosting['base_score'], trees };
    } else if (FOREST_MODEL_TYPES.includes(model.modelType)) {
      const forest = d['forest'];
      if (!forest || !Array.isArray(forest['trees']) || forest['trees'].length === 0) return fail('"forest.trees" must be a non-empty array');
      // two values per node (the class counts)
      const trees: Tree[] = decodeTrees(forest['trees'], features.length, 2);
      if (model.modelType === 'decision_tree' && trees.length !== 1) return fail(`a decision_tree has one tree, got ${trees.length}`);
      model.forest = { nFeatures: features.length, trees };
    } else {
      const network = d['network'];
      if (!network || !Array.isArray(network['tensors'])) return fail('"network.tensors" must be an array');
      model.network = {
        transform: { mean: network['transform']['mean'], scale: network['transform']['scale'] },
        weights: {
          kind: model.modelType === 'logreg' ? 'logreg' : 'mlp',
          nFeatures: features.length,
          hidden: network['hidden'] ?? [],
          tensors: network['tensors'].map((t: Record<string, unknown>, i: number) => ({ shape: t['shape'] as number[], values: decode(t['values'], Float32Array, `tensor ${i}`) })),
          loss: network['loss'] ?? [],
        },
      };
    }
  } catch (err) {
    if (err instanceof ModelError) throw err;
    return fail((err as Error).message);
  }
  return model;
}

/** Node arrays agree in length (`valuesPerNode` values a node) and every child index is in range and after its parent. */
/** The trees of a saved forest or boosting, each decoded and checked (valuesPerNode: 2 for a forest's class counts, 1 for a boosting's leaf values). */
function decodeTrees(list: Record<string, unknown>[], nFeatures: number, valuesPerNode: number): Tree[] {
  return list.map((t, i) => {
    const tree: Tree = {
      feature: decode(t['feature'], Int32Array, `tree ${i} feature`),
      threshold: decode(t['threshold'], Float64Array, `tree ${i} threshold`),
      left: decode(t['left'], Int32Array, `tree ${i} left`),
      right: decode(t['right'], Int32Array, `tree ${i} right`),
      value: decode(t['value'], Float64Array, `tree ${i} value`),
    };
    checkTree(tree, nFeatures, i, valuesPerNode);
    return tree;
  });
}

function checkTree(tree: Tree | BoostedTree, nFeatures: number, index: number, valuesPerNode: number): void {
  const n = tree.feature.length;
  if (n === 0 || tree.threshold.length !== n || tree.left.length !== n || tree.right.length !== n || tree.value.length !== valuesPerNode * n) throw new Error(`tree ${index}: node arrays of different lengths`);
  for (let i = 0; i < n; i++) {
    const f = tree.feature[i]!;
    if (f >= nFeatures) throw new Error(`tree ${index}: node ${i} splits on feature ${f} of ${nFeatures}`);
    if (f >= 0 && !(tree.left[i]! > i && tree.left[i]! < n && tree.right[i]! > i && tree.right[i]! < n)) throw new Error(`tree ${index}: node ${i} has a child out of range`);
  }
}

/** Save a model as `<dir>/model.json` (temp file + rename). Returns the path. */
export async function saveModel(model: Model, file: string): Promise<string> {
  await writeFileAtomic(file, JSON.stringify(modelToJson(model)) + '\n');
  return file;
}

/** Load a model file. */
export async function loadModelFile(file: string): Promise<Model> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such model file' : `cannot read model: ${code}`, { file });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ModelError('not a driftcatcher model: not JSON', { file });
  }
  return modelFromJson(doc, file);
}
