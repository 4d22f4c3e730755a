/**
 * Predicting with a saved model, and the registry commands (`models promote`, `models list`,
 * `models tag`).
 *
 * `--model` may name a model file, a version folder (holding model.json) or a registry root
 * (holding registry.json): then the version the `champion` alias points at, else the latest
 * version. `<root>@<alias or version>` picks another (`models@challenger`, `models@3`).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readTable } from '../io/index.js';
import { ModelError, SchemaError, UsageError } from '../util/index.js';
import { writeFileAtomic } from '../util/index.js';
import { applyFill, labelsFromTable, type Dataset } from './dataset.js';
import { loadModelFile, MODEL_FILE, type Model } from './format.js';
import { classificationMetrics, type ClassificationMetrics } from './metrics.js';
import { CHAMPION, LocalModelRegistry, MODEL_STAGES, REGISTRY_FILE, openRegistry, type ModelStage, type ModelVersion, type RegistryOptions } from './registry.js';
import { predictDataset } from './train.js';

export interface ResolvedModel {
  file: string;
  model: Model;
  /** the registry version, when the model was found through a registry */
  version?: ModelVersion;
}

/** Find and load the model a `--model` argument names. */
export async function loadModel(reference: string): Promise<ResolvedModel> {
  const at = reference.lastIndexOf('@');
  const root = at > 0 ? reference.slice(0, at) : reference;
  const ref = at > 0 ? reference.slice(at + 1) : undefined;
  if (ref === undefined && existsSync(root) && statSync(root).isFile()) return { file: root, model: await loadModelFile(root) };
  if (ref === undefined && existsSync(join(root, MODEL_FILE))) return { file: join(root, MODEL_FILE), model: await loadModelFile(join(root, MODEL_FILE)) };
  if (!existsSync(join(root, REGISTRY_FILE))) throw new ModelError(`no model here: expected a model file, a version folder with ${MODEL_FILE} or a registry with ${REGISTRY_FILE}`, { file: root });
  const registry = new LocalModelRegistry(root);
  let version: ModelVersion;
  if (ref !== undefined) version = await registry.getVersion(ref);
  else {
    const { versions, aliases } = await registry.listVersions();
    const champion = aliases[CHAMPION];
    const chosen = champion !== undefined ? versions.find((v) => v.version === champion) : versions[versions.length - 1];
    if (!chosen) throw new ModelError('the registry has no versions yet (train one with `driftcatcher train`)', { file: join(root, REGISTRY_FILE) });
    version = chosen;
  }
  const file = join(registry.folderOf(version), MODEL_FILE);
  return { file, model: await loadModelFile(file), version };
}

/**
 * Load the model a reference names within a registry: an alias (`champion`) or a version (`3`,
 * `v3`) of `options.registry`, else what `loadModel` takes (a model file, a version folder, a
 * registry folder, `DIR@alias`, `DIR@version`).
 */
export async function loadModelRef(reference: string, options: RegistryOptions = {}): Promise<ResolvedModel> {
  if (reference.includes('@') || existsSync(reference)) return loadModel(reference);
  const registry = openRegistry(options);
  if (!existsSync(registry.file)) throw noRegistry(registry.file);
  return loadModel(`${registry.root}@${reference}`);
}

export interface PredictOptions {
  /** model file, version folder or registry root (see loadModel) */
  model: string;
  data: string;
  /** predictions CSV to write (y_pred, y_prob[, y_true]) */
  out: string;
  coerce?: boolean;
}

export interface PredictResult {
  model: { file: string; model_type: string; version: number | null; features: number };
  out: string;
  rows: number;
  predicted_positive: number;
  /** non-finite feature values replaced by the model's fill values */
  filled_values: number;
  labelled: boolean;
  /** when the data has labels: the metrics of these predictions */
  metrics?: ClassificationMetrics;
  seconds: number;
}

/** A file scored by a model: y_prob and y_pred per row, y_true when the file has the model's label. */
export interface ScoredFile {
  rows: number;
  proba: Float64Array;
  pred: Uint8Array;
  yTrue?: Uint8Array;
  /** non-finite feature values replaced by the model's fill values */
  filled: number;
}

/** Score every row of a file with a model; the features are matched by name (a missing one is a SchemaError). */
export async function scoreFile(model: Model, file: string, options: { coerce?: boolean } = {}): Promise<ScoredFile> {
  const read = await readTable(file, { label: model.label, coerce: options.coerce }).catch((err: unknown) => {
    // an unlabelled file: predict without y_true
    if (err instanceof SchemaError && err.column === model.label) return readTable(file, { coerce: options.coerce });
    throw err;
  });
  const columns = model.features.map((name) => {
    const child = read.table.getChild(name);
    if (!child || !read.featureNames.includes(name)) throw new SchemaError(`feature "${name}" of the model is missing from this file`, { file });
    return child.toArray() as Float64Array;
  });
  let filled = 0;
  for (const column of columns) for (let r = 0; r < column.length; r++) if (!Number.isFinite(column[r]!)) filled++;
  const dataset: Dataset = { featureNames: model.features, columns: applyFill(columns, model.fill), labels: new Uint8Array(read.rows), rows: read.rows };
  const { proba, pred } = await predictDataset(model, dataset);
  const scored: ScoredFile = { rows: read.rows, proba, pred, filled };
  if (read.labelName !== undefined) scored.yTrue = labelsFromTable(read.table, read.labelName, model.negative);
  return scored;
}

/** Predict every row of a file with a model; the features are matched by name. */
export async function predictFile(options: PredictOptions): Promise<PredictResult> {
  const started = performance.now();
  const resolved = await loadModel(options.model);
  const { model } = resolved;
  const { rows, proba, pred, yTrue, filled } = await scoreFile(model, options.data, { coerce: options.coerce });
  const lines: string[] = [yTrue ? 'y_pred,y_prob,y_true' : 'y_pred,y_prob'];
  let predictedPositive = 0;
  for (let r = 0; r < rows; r++) {
    predictedPositive += pred[r]!;
    lines.push(yTrue ? `${pred[r]},${proba[r]},${yTrue[r]}` : `${pred[r]},${proba[r]}`);
  }
  await writeFileAtomic(options.out, lines.join('\n') + '\n');
  const result: PredictResult = {
    model: { file: resolved.file, model_type: model.modelType, version: resolved.version?.version ?? null, features: model.features.length },
    out: options.out,
    rows,
    predicted_positive: predictedPositive,
    filled_values: filled,
    labelled: yTrue !== undefined,
    seconds: (performance.now() - started) / 1000,
  };
  if (yTrue) result.metrics = classificationMetrics(yTrue, pred, proba);
  return result;
}

/** Point `champion` at a version (rollback: promote an older one). Returns the previous champion. */
export async function promoteModel(version: number | string, options: RegistryOptions = {}): Promise<{ version: ModelVersion; previous: number | null; registry: string }> {
  const registry = openRegistry(options);
  if (!existsSync(registry.file)) throw noRegistry(registry.file);
  const target = await registry.getVersion(version);
  const { aliases } = await registry.listVersions();
  await registry.setAlias(CHAMPION, target.version);
  return { version: target, previous: aliases[CHAMPION] ?? null, registry: registry.root };
}

/** Set the lifecycle stage of a version (by number or alias) in the local registry. */
export async function tagModel(version: number | string, stage: ModelStage, options: RegistryOptions = {}): Promise<{ version: ModelVersion; previous: ModelStage | null; registry: string }> {
  if (!(MODEL_STAGES as readonly string[]).includes(stage)) throw new UsageError(`stage must be one of ${MODEL_STAGES.join(', ')}, got ${JSON.stringify(String(stage))}`, { option: 'stage' });
  const registry = openRegistry(options);
  if (!existsSync(registry.file)) throw noRegistry(registry.file);
  const target = await registry.getVersion(version);
  await registry.setStage(target.version, stage);
  return { version: { ...target, stage }, previous: target.stage ?? null, registry: registry.root };
}

/** The registry's versions and aliases. */
export async function listModels(options: RegistryOptions = {}): Promise<{ registry: string; versions: ModelVersion[]; aliases: Record<string, number> }> {
  const registry = openRegistry(options);
  if (!existsSync(registry.file)) throw noRegistry(registry.file);
  return { registry: registry.root, ...(await registry.listVersions()) };
}

export function noRegistry(file: string): ModelError {
  return new ModelError('no model registry here (train one into it first: `driftcatcher train DATA --registry DIR`)', { file });
}
