/**
 * `driftcatcher models profile`: the prediction profile of a model trained before `train` wrote
 * one, computed from its training data. The training's holdout is reproduced exactly: the same
 * files read, the model's non-finite policy (rows dropped or kept), the same stratified split
 * (the model's `test_size` and `seed`), its test rows filled with the model's fill values and
 * scored; so the profile is the one `train` would have written. Data that does not give the
 * model's recorded test row count is refused (it is not the model's training data).
 */
import { basename } from 'node:path';
import { ModelError, UsageError } from '../util/index.js';
import { applyFill, dropNonFinite, readLabelledData, stratifiedSplit, takeRows, type Dataset } from './dataset.js';
import { loadModel } from './predict.js';
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

export async function profileModelPredictions(options: ProfileModelOptions): Promise<ProfileModelResult> {
  if (options.data.length === 0) throw new UsageError('no training data given: name the files the model was trained on', { option: 'data' });
  const resolved = await loadModel(options.model);
  const { model } = resolved;
  const number = (key: string, fallback: number) => (typeof model.params[key] === 'number' ? (model.params[key] as number) : fallback);
  const testSize = number('test_size', TRAIN_DEFAULTS.testSize);
  const seed = number('seed', TRAIN_DEFAULTS.seed);
  const read = await readLabelledData(options.data, { label: model.label, negative: model.negative, coerce: options.coerce });
  // the model's features, by name and in its order (the data may have more columns)
  const columns = model.features.map((name) => {
    const f = read.featureNames.indexOf(name);
    if (f < 0) throw new ModelError(`feature "${name}" of the model is not in the training data given`, { file: options.data[0] });
    return read.columns[f]!;
  });
  let usable: Dataset = { featureNames: model.features, columns, labels: read.labels, rows: read.rows };
  if (model.nonFinite === 'drop') usable = dropNonFinite(usable).dataset;
  const split = stratifiedSplit(usable.labels, testSize, seed);
  const expected = model.params['test_rows'];
  if (typeof expected === 'number' && expected !== split.test.length) {
    throw new ModelError(`the data given makes ${split.test.length} test rows, the model was tested on ${expected}: not the data it was trained on (give the same files, in the same order)`, { file: options.data[0] });
  }
  const test = takeRows(usable, split.test);
  const scored = await predictDataset(model, { ...test, columns: applyFill(test.columns, model.fill) });
  const predictionProfile = buildPredictionProfile(scored.proba, scored.pred, { source: basename(options.data[0]!), bins: options.bins });
  const file = predictionProfileFileOf(resolved.file);
  await savePredictionProfile(predictionProfile, file);
  return { model: { file: resolved.file, version: resolved.version?.version ?? null, model_type: model.modelType }, file, predictionProfile };
}
