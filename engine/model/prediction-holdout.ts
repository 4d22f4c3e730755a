/**
 * `driftcatcher models profile`: the prediction profile of a model trained before `train` wrote
 * one, computed from its training data. The training's holdout is reproduced exactly: the same
 * files read, the model's non-finite policy (rows dropped or kept), the same stratified split
 * (the model's `test_size` and `seed`), its test rows filled with the model's fill values and
 * scored; so the profile is the one `train` would have written. Data that does not give the
 * model's recorded test row count is refused (it is not the model's training data).
 *
 * `models profile` reads the data in bounded memory, as `train` does (engine/model/stream.ts):
 * pass 1 keeps each row's label and finiteness (2 bytes a row), the split marks the holdout, and
 * pass 2 scores the holdout rows a batch at a time. `holdoutRows` / `scoreRows` below do the same
 * on a table read whole (`models compare`, which scores two models with different features).
 */
import { basename } from 'node:path';
import { ModelError, UsageError } from '../util/index.js';
import { applyFill, finiteRows, stratifiedSplit, takeRows, type Dataset, type LabelledData } from './dataset.js';
import type { Model } from './format.js';
import { loadModel } from './predict.js';
import { ROLE_TEST, scanLabelled, scoreRows as scoreStreamedRows, type LabelledScan } from './stream.js';
import { predictDataset, TRAIN_DEFAULTS } from './train.js';
import { buildPredictionProfile, predictionProfileFileOf, savePredictionProfile, type PredictionProfile } from './prediction-profile.js';

export interface ProfileModelOptions {
  /** the model, as `predict --model` names it (registry folder, DIR@alias, DIR@version, version folder, model.json) */
  model: string;
  /** the labelled files the model was trained on, in training's order (data, then --new-data) */
  data: readonly string[];
  coerce?: boolean;
  /** bins of the profile (default 10) */
  bins?: number;
}

export interface ProfileModelResult {
  model: { file: string; version: number | null; model_type: string };
  file: string;
  predictionProfile: PredictionProfile;
}

/**
 * The rows of `read` that were `model`'s holdout (its test split): the model's features by name,
 * rows with a non-finite one dropped when its policy drops them, the stratified split with its
 * `test_size` and `seed`. Refused when that does not give the model's recorded test row count.
 */
export function holdoutRows(model: Model, read: LabelledData, file: string): Int32Array {
  return splitHoldout(model, read.labels, model.nonFinite === 'drop' ? finiteRows(modelColumns(model, read, file)) : null, file);
}

/** The holdout's row numbers from every row's label and (the `drop` policy) whether its model features are finite. */
function splitHoldout(model: Model, allLabels: Uint8Array, finite: Uint8Array | null, file: string): Int32Array {
  const number = (key: string, fallback: number) => (typeof model.params[key] === 'number' ? (model.params[key] as number) : fallback);
  const testSize = number('test_size', TRAIN_DEFAULTS.testSize);
  const seed = number('seed', TRAIN_DEFAULTS.seed);
  let rows = Int32Array.from({ length: allLabels.length }, (_, r) => r);
  if (finite) rows = rows.filter((r) => finite[r] === 1);
  const labels = Uint8Array.from(rows, (r) => allLabels[r]!);
  const split = stratifiedSplit(labels, testSize, seed);
  const expected = model.params['test_rows'];
  if (typeof expected === 'number' && expected !== split.test.length) {
    throw new ModelError(`the data given makes ${split.test.length} test rows, the model was tested on ${expected}: not the data it was trained on (give the same files, in the same order)`, { file });
  }
  return split.test.map((i) => rows[i]!);
}

/** `read` with the model's features, by name and in its order (the data may have more columns). */
function modelColumns(model: Model, read: LabelledData, file: string): Dataset {
  const columns = model.features.map((name) => {
    const f = read.featureNames.indexOf(name);
    if (f < 0) throw new ModelError(`feature "${name}" of the model is not in the training data given`, { file });
    return read.columns[f]!;
  });
  return { featureNames: model.features, columns, labels: read.labels, rows: read.rows };
}

/** A model's predictions on some rows of `read` (its features by name, filled with its fill values). */
export async function scoreRows(model: Model, read: LabelledData, rows: ArrayLike<number>, file: string): Promise<{ labels: Uint8Array; proba: Float64Array; pred: Uint8Array }> {
  const taken = takeRows(modelColumns(model, read, file), rows);
  const scored = await predictDataset(model, { ...taken, columns: applyFill(taken.columns, model.fill) });
  return { labels: taken.labels, ...scored };
}

/**
 * `model`'s holdout in bounded memory: pass 1 over `files` (labels, finiteness of the model's
 * features), the split, and pass 2 scoring the holdout rows (in file order).
 */
export async function scoreHoldoutStreamed(model: Model, files: readonly string[], coerce?: boolean): Promise<{ labels: Uint8Array; proba: Float64Array; pred: Uint8Array }> {
  const scan: LabelledScan = await scanLabelled(files, { label: model.label, negative: model.negative, coerce, features: { names: model.features, of: 'the model' }, sampleRows: 2 });
  const holdout = splitHoldout(model, scan.labels, model.nonFinite === 'drop' ? scan.finite : null, files[0]!);
  const roles = new Uint8Array(scan.rows);
  for (const r of holdout) roles[r] = ROLE_TEST;
  const scored = await scoreStreamedRows(scan, roles, { train: 0, test: holdout.length }, model.fill, (part) => predictDataset(model, part));
  return scored.test;
}

export async function profileModelPredictions(options: ProfileModelOptions): Promise<ProfileModelResult> {
  if (options.data.length === 0) throw new UsageError('no training data given: name the files the model was trained on', { option: 'data' });
  const resolved = await loadModel(options.model);
  const { model } = resolved;
  const scored = await scoreHoldoutStreamed(model, options.data, options.coerce);
  const predictionProfile = buildPredictionProfile(scored.proba, scored.pred, { source: basename(options.data[0]!), bins: options.bins });
  const file = predictionProfileFileOf(resolved.file);
  await savePredictionProfile(predictionProfile, file);
  return { model: { file: resolved.file, version: resolved.version?.version ?? null, model_type: model.modelType }, file, predictionProfile };
}
