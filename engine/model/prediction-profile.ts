/**
 * The prediction profile: what the model's output looked like on data it had not been fitted on,
 * written by `train` beside the model (`<version>/prediction_profile.json`), so that prediction
 * drift (engine/drift's predictionDrift) compares production's y_prob and predicted positive rate
 * with it without the training data.
 *
 * It describes the **test split** (the holdout), not the training split: a forest's
 * probabilities on the rows it was fitted on are pulled towards 0 and 1 (each tree has seen most
 * of them in its bootstrap sample, and fully grown trees have pure leaves), and a network's
 * training loss was minimised on them, so their distribution is not what the model gives rows it
 * has never seen, which is what production is. The test split was scored once already for the
 * test metrics; its probabilities are profiled as one column, `y_prob`, in the profile version 2
 * format (deciles and the fine summary: PSI and the fine methods, KS and Wasserstein, work on it).
 *
 * Format `driftcatcher-prediction-profile`, version 1 (docs/MODEL.md).
 */
import { basename, dirname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { buildProfile, validateProfile, type Profile } from '../profile/index.js';
import { DriftCatcherError, InputError, ModelError, writeFileAtomic } from '../util/index.js';

export const PREDICTION_PROFILE_FILE = 'prediction_profile.json';
export const PREDICTION_PROFILE_FORMAT = 'driftcatcher-prediction-profile';
export const PREDICTION_PROFILE_VERSION = 1;
/** the one column of the prediction profile: the positive class's probability */
export const PREDICTION_COLUMN = 'y_prob';
/** every model family predicts 1 above this probability of the positive class (a forest: class 1's mean fraction above class 0's) */
export const PREDICTION_THRESHOLD = 0.5;

export interface PredictionProfile {
  format: typeof PREDICTION_PROFILE_FORMAT;
  version: number;
  /** which rows were scored: `test`, the holdout split of training */
  split: 'test';
  /** the column profiled (`y_prob`) */
  column: string;
  /** the model predicts 1 when y_prob is above this */
  threshold: number;
  /** rows scored */
  rows: number;
  /** rows predicted positive (y_pred = 1) */
  predicted_positives: number;
  /** predicted_positives / rows */
  positive_rate: number;
  /** y_prob of those rows as a one-feature baseline profile (version 2) */
  profile: Profile;
}

/** The prediction profile of scored holdout rows. `source` names the training data (for messages). */
export function buildPredictionProfile(proba: Float64Array, pred: Uint8Array, options: { source: string; bins?: number }): PredictionProfile {
  let positives = 0;
  for (const p of pred) positives += p;
  const profile = buildProfile({
    columns: [{ name: PREDICTION_COLUMN, values: Float64Array.from(proba) }],
    rows: proba.length,
    bins: options.bins ?? 10,
    label: null,
    source: { file: `${options.source} (test split, ${PREDICTION_COLUMN})`, bytes: null, format: 'predictions' },
  });
  return {
    format: PREDICTION_PROFILE_FORMAT,
    version: PREDICTION_PROFILE_VERSION,
    split: 'test',
    column: PREDICTION_COLUMN,
    threshold: PREDICTION_THRESHOLD,
    rows: proba.length,
    predicted_positives: positives,
    positive_rate: proba.length > 0 ? positives / proba.length : 0,
    profile,
  };
}

/** Where the prediction profile of the model in `modelFile` lives: beside it. */
export function predictionProfileFileOf(modelFile: string): string {
  return join(dirname(modelFile), PREDICTION_PROFILE_FILE);
}

export async function savePredictionProfile(profile: PredictionProfile, file: string): Promise<void> {
  const text = JSON.stringify(profile, null, 1) + '\n';
  try {
    validatePredictionProfile(JSON.parse(text), file);
  } catch (err) {
    const detail = err instanceof DriftCatcherError ? err.detail : String(err);
    throw new DriftCatcherError('DC_ERR_INTERNAL', `refusing to write a prediction profile that could not be read back: ${detail}`, { file });
  }
  await writeFileAtomic(file, text);
}

/**
 * The prediction profile of a model file's version, or a one-line ModelError: a model trained
 * before prediction profiles existed has none, and `driftcatcher model profile` computes one.
 */
export async function loadPredictionProfile(modelFile: string): Promise<PredictionProfile> {
  const file = predictionProfileFileOf(modelFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelError(
        `model ${basename(dirname(modelFile))} has no ${PREDICTION_PROFILE_FILE} (trained before prediction drift existed): run \`driftcatcher models profile --model ${dirname(modelFile)} --data <its training data>\`, or retrain it`,
        { file },
      );
    }
    throw new InputError(`cannot read: ${(err as NodeJS.ErrnoException).code}`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ModelError('not a driftcatcher prediction profile: not JSON', { file });
  }
  return validatePredictionProfile(data, file);
}

export function validatePredictionProfile(data: unknown, file: string): PredictionProfile {
  const fail = (what: string): never => {
    throw new ModelError(`not a driftcatcher prediction profile: ${what}`, { file });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('expected a JSON object');
  const p = data as Record<string, unknown>;
  if (p['format'] !== PREDICTION_PROFILE_FORMAT) return fail(`expected "format": "${PREDICTION_PROFILE_FORMAT}"`);
  if (p['version'] !== PREDICTION_PROFILE_VERSION) return fail(`unsupported version ${String(p['version'])}, expected ${PREDICTION_PROFILE_VERSION}`);
  for (const key of ['threshold', 'rows', 'predicted_positives', 'positive_rate'] as const) {
    if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) fail(`"${key}" must be a number`);
  }
  if (typeof p['column'] !== 'string') fail('"column" must be a string');
  const profile = validateProfile(p['profile'], file);
  if (profile.features.length !== 1 || profile.features[0]!.name !== p['column']) fail(`"profile" must hold exactly the feature "${String(p['column'])}"`);
  return data as PredictionProfile;
}
