/**
 * `trainModel`: the whole training run behind `driftcatcher train`.
 *
 *   read (data + --new-data, the same features by name), streamed, never the whole table
 *   (stream.ts): pass 1 labels (BENIGN 0, else 1), finiteness and a bounded sample
 *   -> non-finite policy (drop rows | impute) -> stratified train/test split
 *   -> (auto / search: model selection on the sample's training rows)
 *   -> pass 2: the training rows as u8 bins into the trees' shared memory (edges from the sample)
 *   -> train (random forest | gradient-boosted trees | one decision tree on every training row;
 *      logreg | mlp on the sample's training rows)
 *   -> pass 3: every row scored from its real values
 *   -> evaluate on the test split -> write model.json, profile.json (the training split's
 *      baseline, as `driftcatcher baseline` writes it), prediction_profile.json (the model's
 *      y_prob on the test split, for prediction drift), metrics.json into a new registry version
 *   -> register the version with the alias `challenger`
 *
 * `auto` holds out 20% of the training split's sample (stratified) as validation, trains the forest, both
 * networks, the boosted trees and the single tree on the rest at once (each network and the
 * boosting in its own worker, the forest's trees spread over the workers, the single tree after
 * the forest: they share the pool's forest memory), keeps the best by validation ROC AUC (then
 * accuracy; ties keep the earlier of rf, logreg, mlp, gbt, tree), and refits that one on the
 * whole training split.
 *
 * `search` (grid | random) replaces that: the trials of the model's family (every family for
 * `auto`) are scored by stratified K-fold cross-validation on the training split's sample (search.ts),
 * and the best trial is refitted on the whole training split.
 *
 * Everything a tracking layer records is in the result: params, metrics, the artifact paths.
 */
import { basename, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { buildProfile, saveProfile, type Profile } from '../profile/index.js';
import { DEFAULT_LABEL, detectFormat } from '../io/index.js';
import { InputError, internalError, UsageError, writeFileAtomic } from '../util/index.js';
import { TrainPool } from './train-pool.js';
import { checkWorkers } from '../parallel/index.js';
import type { KernelName } from '../kernels/index.js';
import type { NetworkKind, NetworkParams } from './train-protocol.js';
import { applyFill, fitFill, stratifiedSplit, takeRows, type Dataset, type FillValues, type NonFinitePolicy, DEFAULT_NEGATIVE, NON_FINITE_POLICIES } from './dataset.js';
import { FOREST_DEFAULTS, forestMemoryBytes, forestPredict, resolveMaxFeatures, trainForest, validateForestParams, type ForestParams } from './forest.js';
import { createGbtMemory, GBT_PARAM_SCHEMA, gbtParamRecord, gbtPredict, resolveGbtParams, trainGbt, type GbtParams } from './gbt.js';
import { binEdges, isBinned, type BinnedData } from './binning.js';
import { planForestMemory } from './train-pool.js';
import { binTrainingRows, ROLE_TEST, ROLE_TRAIN, SAMPLE_ROWS, scanLabelled, takeSample, scoreRows, type LabelledScan } from './stream.js';
import { MODEL_FILE, saveModel, type Model, type ModelType, type ParamValue } from './format.js';
import { classificationMetrics, type ClassificationMetrics } from './metrics.js';
import { CHALLENGER, openRegistry, type ModelVersion } from './registry.js';
import { hasMlflowModel, MLFLOW_MODEL_FILES, writeMlflowModel } from './mlflow-model.js';
import { buildPredictionProfile, PREDICTION_PROFILE_FILE, savePredictionProfile, type PredictionProfile } from './prediction-profile.js';
import { confusionCsv, confusionMatrix, CONFUSION_CSV_FILE, CONFUSION_JSON_FILE, forestImportance, importanceCsv, IMPORTANCE_FILE } from './importance.js';
import { planSearch, runSearch, type Scoring, type SearchMethod, type SearchPlan, type SearchResult, type Trial, type TrialResult } from './search.js';

export type ModelChoice = 'rf' | 'logreg' | 'mlp' | 'gbt' | 'tree' | 'auto';
export const MODEL_CHOICES: readonly ModelChoice[] = ['rf', 'logreg', 'mlp', 'gbt', 'tree', 'auto'];
/** What `auto` compares, in the order ties are broken (the earlier wins). */
export const AUTO_CANDIDATES: readonly Exclude<ModelChoice, 'auto'>[] = ['rf', 'logreg', 'mlp', 'gbt', 'tree'];

export interface TrainOptions {
  /** labelled training data (CSV or Arrow IPC) */
  data: string;
  /** more labelled files trained on together with `data` (retraining on old + new data) */
  newData?: readonly string[];
  model?: ModelChoice;
  /** rf: trees in the forest */
  nEstimators?: number;
  /** rf and tree: null or undefined: unlimited */
  maxDepth?: number | null;
  /** rf and tree */
  minSamplesLeaf?: number;
  /** rf */
  maxFeatures?: ForestParams['maxFeatures'];
  /** gbt: its parameters over GBT_DEFAULTS (the CLI's `--param name=value`, names in GBT_PARAM_SCHEMA); the seed is `seed` */
  gbt?: Partial<Omit<GbtParams, 'seed'>>;
  /** share of rows held out for the test metrics (default 0.2) */
  testSize?: number;
  seed?: number;
  /** registry root: versions go to `<registry>/v<N>/` (default `models`) */
  registry?: string;
  /** registered model name (default `ddos_random_forest`) */
  registeredModel?: string;
  /** worker threads (default: available cores; 0 = all on the calling thread) */
  workers?: number;
  kernel?: KernelName;
  label?: string;
  negative?: string;
  exclude?: readonly string[];
  coerce?: boolean;
  nonFinite?: NonFinitePolicy;
  /** bins of the baseline profile written beside the model (default 10) */
  profileBins?: number;
  /**
   * What the baseline profile beside the model describes: `all` (default) the training split of
   * every file; `new` only the `newData` files (after a retrain, future drift checks then compare
   * production with the data the model was last adapted to, not with the old mixture).
   */
  baselineFrom?: 'all' | 'new';
  /**
   * rows of the bounded sample read beside the binned columns (default SAMPLE_ROWS, 100,000):
   * the bin edges, the NaN fill, the baseline profile, `auto`/`--search` selection and the
   * networks come from its training rows (every training row when there are fewer)
   */
  sampleRows?: number;
  /** network epochs (default: per network, see NETWORK_DEFAULTS) */
  epochs?: number;
  /** hyper-parameter search of `model` (every family for `auto`) by cross-validation on the training split */
  search?: SearchMethod;
  /** random search: trials drawn (default SEARCH_DEFAULTS.trials) */
  trials?: number;
  /** search: folds of the stratified K-fold (default SEARCH_DEFAULTS.cv) */
  cv?: number;
  /** search: what the folds score (default roc_auc) */
  scoring?: Scoring;
  /** search: parameter values, `name=v1,v2` (a list) or `name=lo:hi` (random: a range), see space.ts */
  param?: readonly string[];
  /** progress lines (stderr in the CLI) */
  onProgress?: (message: string) => void;
}

export interface CandidateScore {
  model_type: ModelType;
  validation_roc_auc: number;
  validation_accuracy: number;
  seconds: number;
}

export interface TrainResult {
  version: number;
  registeredModel: string;
  modelType: ModelType;
  /** folder of this version: model.json, profile.json, prediction_profile.json, metrics.json */
  modelDir: string;
  /**
   * `mlflow_model`: the version folder when it is also an MLflow model directory (MLmodel + model.onnx; every family has one today), else null;
   * `feature_importance`: the trees' mean decrease in impurity (CSV; null for networks); `confusion_matrix` (JSON) and `confusion_matrix_csv`: the test split's
   */
  artifacts: { model: string; profile: string; prediction_profile: string; metrics: string; mlflow_model: string | null; feature_importance: string | null; confusion_matrix: string; confusion_matrix_csv: string };
  /** test-split metrics, named as the original tool logs them */
  metrics: ClassificationMetrics;
  /** the same metrics of the model on its own training split (logged as `train_<name>`), so overfitting shows */
  trainMetrics: ClassificationMetrics;
  /** everything that shaped the run, as tracking params */
  params: Record<string, ParamValue>;
  /** `auto`: each candidate's validation scores, and the metric that chose */
  candidates?: CandidateScore[];
  /** `search`: every trial's cross-validation scores and the best one (refitted) */
  search?: SearchResult;
  selectionMetric?: 'validation_roc_auc';
  /** `train_sample_rows`: the training rows of the bounded sample (all of them up to `sampleRows`) */
  data: { files: Array<{ file: string; rows: number }>; rows_read: number; rows_dropped_non_finite: number; train_rows: number; test_rows: number; train_positives: number; test_positives: number; train_sample_rows: number };
  aliases: string[];
  registry: ModelVersion;
  kernel: KernelName | null;
  seconds: { total: number; fit: number };
  model: Model;
  profile: Profile;
  /** the model's y_prob on the test split and its predicted positive rate (prediction drift's reference) */
  predictionProfile: PredictionProfile;
}

const VALIDATION_SHARE = 0.2;
/** The smallest `sampleRows` accepted. */
export const MIN_SAMPLE_ROWS = 100;

/** What `trainModel` does when the caller does not say (the original tool's choices). */
export const TRAIN_DEFAULTS = {
  model: 'rf' as ModelChoice,
  nonFinite: 'drop' as NonFinitePolicy,
  /** share of rows held out for the test metrics */
  testSize: 0.2,
  seed: 42,
  nEstimators: FOREST_DEFAULTS.nEstimators,
  minSamplesLeaf: FOREST_DEFAULTS.minSamplesLeaf,
  maxFeatures: FOREST_DEFAULTS.maxFeatures,
  label: DEFAULT_LABEL,
  negative: DEFAULT_NEGATIVE,
  baselineFrom: 'all' as 'all' | 'new',
};

function modelTypeOf(choice: Exclude<ModelChoice, 'auto'>): ModelType {
  return choice === 'rf' ? 'random_forest' : choice === 'gbt' ? 'gradient_boosting' : choice === 'tree' ? 'decision_tree' : choice;
}

/** The single tree: the forest's code with one tree, no bootstrap, every feature at every split. */
function treeParamsOf(forest: ForestParams): ForestParams {
  return { ...forest, nEstimators: 1, bootstrap: false, maxFeatures: 'all' };
}

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const choice = options.model ?? TRAIN_DEFAULTS.model;
  if (!MODEL_CHOICES.includes(choice)) throw new UsageError(`must be one of ${MODEL_CHOICES.join(', ')}, got ${String(choice)}`, { option: 'model' });
  const nonFinite = options.nonFinite ?? TRAIN_DEFAULTS.nonFinite;
  if (!NON_FINITE_POLICIES.includes(nonFinite)) throw new UsageError(`must be one of ${NON_FINITE_POLICIES.join(', ')}, got ${String(nonFinite)}`, { option: 'nonFinite' });
  const testSize = options.testSize ?? TRAIN_DEFAULTS.testSize;
  const seed = options.seed ?? TRAIN_DEFAULTS.seed;
  const workers = options.workers ?? Math.max(1, availableParallelism());
  const forestParams: ForestParams = {
    ...FOREST_DEFAULTS,
    nEstimators: options.nEstimators ?? FOREST_DEFAULTS.nEstimators,
    maxDepth: options.maxDepth ?? null,
    minSamplesLeaf: options.minSamplesLeaf ?? FOREST_DEFAULTS.minSamplesLeaf,
    maxFeatures: options.maxFeatures ?? FOREST_DEFAULTS.maxFeatures,
    seed,
  };
  validateForestParams(forestParams);
  const gbtParams = resolveGbtParams({ ...options.gbt, seed });
  checkWorkers(workers);
  const searchOptions = { trials: options.trials, cv: options.cv, scoring: options.scoring, param: options.param };
  let plan: SearchPlan | undefined;
  if (options.search !== undefined) plan = planSearch(choice, { method: options.search, ...searchOptions }, seed);
  else {
    const given = Object.entries(searchOptions).find(([, v]) => v !== undefined);
    if (given) throw new UsageError('needs a search (grid or random)', { option: given[0] });
  }

  // pass 1 (stream.ts): every row's label and finiteness, and a bounded sample; then the split
  const files = [options.data, ...(options.newData ?? [])];
  progress(`reading ${files.join(', ')}`);
  const readOptions = { label: options.label, negative: options.negative, exclude: options.exclude, coerce: options.coerce };
  const sampleRows = options.sampleRows ?? SAMPLE_ROWS;
  if (!Number.isInteger(sampleRows) || sampleRows < MIN_SAMPLE_ROWS) throw new UsageError(`must be an integer of at least ${MIN_SAMPLE_ROWS}, got ${sampleRows}`, { option: 'sampleRows' });
  const scan = await scanLabelled(files, { ...readOptions, sampleRows, seed, finiteOnly: nonFinite === 'drop' });
  const { roles, dropped, trainRows, testRows, trainPositives, testPositives } = splitRoles(scan, nonFinite, testSize, seed);
  const rawSample = takeSample(scan, roles, ROLE_TRAIN);
  const sampleFill = fitFill(rawSample);
  const sample: Dataset = { ...rawSample, columns: applyFill(rawSample.columns, sampleFill) };
  const sampled = sample.rows < trainRows ? `; ${sample.rows} of the training rows sampled (bin edges, NaN fill, baseline${plan || choice === 'auto' ? ', selection' : ''}, networks)` : '';
  progress(`${scan.rows} rows read, ${dropped} dropped (non-finite), ${trainRows} train / ${testRows} test${sampled}`);
  if (trainPositives === 0 || trainPositives === trainRows) {
    const only = trainPositives === 0 ? `"${scan.negative}" (negative)` : `positive (not "${scan.negative}")`;
    throw new InputError(`every one of the ${trainRows} training rows is ${only}: a classifier needs both classes in the label column`, { file: options.data, column: scan.labelName });
  }
  if (sample.rows === 0) throw new UsageError(`the sample of ${sampleRows} rows holds no training row: sample more rows`, { option: 'sampleRows' });

  const nFeatures = scan.featureNames.length;
  const slots = Math.max(1, workers);
  const fitStarted = performance.now();
  let candidates: CandidateScore[] | undefined;
  let search: SearchResult | undefined;
  let kind: Exclude<ModelChoice, 'auto'> = choice === 'auto' ? 'rf' : choice;
  let overrides: Record<string, ParamValue> = {};
  if (plan || choice === 'auto') {
    // model selection on the sample's training rows (all of them up to sampleRows), in a pool of its own
    const needsForest = plan ? plan.trials.some((t) => t.family === 'rf') : true;
    const needsTree = plan ? plan.trials.some((t) => t.family === 'tree') : true;
    const memoryParams = plan ? widestForest(plan, forestParams, nFeatures) : forestParams;
    // the forest's memory, planned for the larger of the forest and the single tree (all features a split) when both may run
    const forestBytes = Math.max(needsForest ? forestMemoryBytes(sample.rows, nFeatures, memoryParams, slots) : 0, needsTree ? forestMemoryBytes(sample.rows, nFeatures, treeParamsOf(forestParams), slots) : 0);
    const pool = new TrainPool({ workers, kernel: options.kernel }, forestBytes);
    try {
      if (plan) {
        progress(`search: ${plan.method}, ${plan.trials.length} trial(s) x ${plan.cv} folds on ${sample.rows} rows, scoring ${plan.scoring}`);
        search = await runSearch(plan, sample, {
          fit: (trial, part) => fitOne(trial.family as Exclude<ModelChoice, 'auto'>, pool, part, forestParams, gbtParams, seed, options.epochs, trial.params),
          predict: (model, part) => predictDataset(model.model, part),
          modelType: (family) => modelTypeOf(family as Exclude<ModelChoice, 'auto'>),
          concurrency: workers,
          progress,
        });
        const best: Trial = search.trials[search.best]!;
        kind = best.family as Exclude<ModelChoice, 'auto'>;
        overrides = best.params;
        progress(`search: best trial ${best.index} ${best.family} ${JSON.stringify(best.params)}, cv ${plan.scoring} ${search.trials[search.best]!.cv_mean.toFixed(6)}; refitting on the training split`);
      } else {
        const inner = stratifiedSplit(sample.labels, VALIDATION_SHARE, seed + 1);
        const fitPart = takeRows(sample, inner.train);
        const validation = takeRows(sample, inner.test);
        progress(`auto: fitting ${AUTO_CANDIDATES.join(', ')} on ${fitPart.rows} rows, validating on ${validation.rows}`);
        const candidate = async (k: Exclude<ModelChoice, 'auto'>) => {
          const t0 = performance.now();
          const model = await fitOne(k, pool, fitPart, forestParams, gbtParams, seed, options.epochs);
          const scored = await predictDataset(model.model, validation);
          const metrics = classificationMetrics(validation.labels, scored.pred, scored.proba);
          return { kind: k, score: { model_type: modelTypeOf(k), validation_roc_auc: metrics.roc_auc, validation_accuracy: metrics.accuracy, seconds: (performance.now() - t0) / 1000 } };
        };
        // the forest and the single tree share the pool's forest memory and slots: one after the other
        const [forestAndTree, ...others] = await Promise.all([
          (async () => [await candidate('rf'), await candidate('tree')])(),
          ...(['logreg', 'mlp', 'gbt'] as const).map(candidate),
        ]);
        const byKind = new Map([...forestAndTree!, ...others].map((r) => [r.kind, r]));
        const results = AUTO_CANDIDATES.map((k) => byKind.get(k)!);
        candidates = results.map((r) => r.score);
        const better = (a: CandidateScore, b: CandidateScore) => nanLow(a.validation_roc_auc) > nanLow(b.validation_roc_auc) || (nanLow(a.validation_roc_auc) === nanLow(b.validation_roc_auc) && a.validation_accuracy > b.validation_accuracy);
        let best = results[0]!;
        for (const r of results.slice(1)) if (better(r.score, best.score)) best = r;
        kind = best.kind;
        progress(`auto: ${candidates.map((c) => `${c.model_type} auc ${c.validation_roc_auc.toFixed(6)}`).join(', ')} -> ${modelTypeOf(kind)}, refitting on the training split`);
      }
    } finally {
      await pool.close();
    }
  }

  // pass 2: the training rows binned into the memory the trees grow in, then the fit
  const networks = kind === 'logreg' || kind === 'mlp';
  progress(`fitting ${modelTypeOf(kind)} on ${networks ? sample.rows : trainRows} rows with ${workers} worker(s)`);
  const refit = await fitTraining(kind, { scan, roles, trainRows, sample, nanFill: sampleFill.nan, workers, kernel: options.kernel, forestParams, gbtParams, seed, epochs: options.epochs, overrides });
  const fitted = refit.fitted;
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  // NaN: the sample's median; +-Infinity: the exact extremes of the training split (pass 2)
  const fill: FillValues = { nan: sampleFill.nan, posInf: refit.range.max.map((v) => v ?? 0), negInf: refit.range.min.map((v) => v ?? 0) };

  // pass 3: every training and test row scored from its real values
  const scoredRows = await scoreRows(scan, roles, { train: trainRows, test: testRows }, fill, (part) => predictDataset(fitted.model, part));
  const scored = scoredRows.test;
  const metrics = classificationMetrics(scored.labels, scored.pred, scored.proba);
  const trainMetrics = classificationMetrics(scoredRows.train.labels, scoredRows.train.pred, scoredRows.train.proba);

  const modelType = fitted.modelType;
  const params: Record<string, ParamValue> = {
    model_type: modelType,
    model_choice: choice,
    test_size: testSize,
    seed,
    workers,
    non_finite: nonFinite,
    label: scan.labelName,
    negative: scan.negative,
    n_features: nFeatures,
    train_rows: trainRows,
    test_rows: testRows,
    data: basename(options.data),
    new_data: (options.newData ?? []).map((f) => basename(f)).join(',') || null,
    ...(search ? { search: search.method, search_trials: search.trials.length, cv_folds: search.cv, scoring: search.scoring, best_trial: search.best } : {}),
    ...fitted.params,
  };
  const model: Model = {
    modelType,
    created: new Date().toISOString(),
    features: scan.featureNames,
    label: scan.labelName,
    negative: scan.negative,
    nonFinite,
    fill,
    params,
    ...(fitted.model.forest ? { forest: fitted.model.forest } : {}),
    ...(fitted.model.boosting ? { boosting: fitted.model.boosting } : {}),
    ...(fitted.model.network ? { network: fitted.model.network } : {}),
  };

  const profile = await baselineOf(options, rawSample, scan.labelName, nonFinite, sampleRows, seed);
  // the holdout's predictions, not the training split's (prediction-profile.ts says why)
  const predictionProfile = buildPredictionProfile(scored.proba, scored.pred, { source: basename(options.data), bins: options.profileBins });

  // write the version's files, then register it
  const registry = openRegistry(options);
  const { version, dir } = await registry.reserveVersion();
  const artifacts = {
    model: join(dir, MODEL_FILE),
    profile: join(dir, 'profile.json'),
    prediction_profile: join(dir, PREDICTION_PROFILE_FILE),
    metrics: join(dir, 'metrics.json'),
    mlflow_model: hasMlflowModel(model) ? dir : null,
    feature_importance: model.forest ? join(dir, IMPORTANCE_FILE) : null,
    confusion_matrix: join(dir, CONFUSION_JSON_FILE),
    confusion_matrix_csv: join(dir, CONFUSION_CSV_FILE),
  };
  const data = {
    files: scan.sources,
    rows_read: scan.rows,
    rows_dropped_non_finite: dropped,
    train_rows: trainRows,
    test_rows: testRows,
    train_positives: trainPositives,
    test_positives: testPositives,
    train_sample_rows: sample.rows,
  };
  const totalSeconds = (performance.now() - started) / 1000;
  try {
    const saved: Model = { ...model, params: { ...params, registered_model: registry.name, version } };
    await saveModel(saved, artifacts.model);
    // the same folder is an MLflow model directory (MLmodel, model.onnx, environment files)
    if (artifacts.mlflow_model) await writeMlflowModel(saved, dir);
    await saveProfile(profile, artifacts.profile);
    await savePredictionProfile(predictionProfile, artifacts.prediction_profile);
    if (artifacts.feature_importance && model.forest) await writeFileAtomic(artifacts.feature_importance, importanceCsv(model.features, forestImportance(model.forest)));
    await writeFileAtomic(artifacts.confusion_matrix, JSON.stringify(confusionMatrix(metrics, scan.negative), null, 1) + '\n');
    await writeFileAtomic(artifacts.confusion_matrix_csv, confusionCsv(metrics));
    const metricsDoc = { model_type: modelType, version, registered_model: registry.name, metrics, train_metrics: trainMetrics, params, data, candidates: candidates ?? null, selection_metric: candidates ? 'validation_roc_auc' : null, search: search ?? null, seconds: { total: totalSeconds, fit: fitSeconds } };
    await writeFileAtomic(artifacts.metrics, JSON.stringify(metricsDoc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1) + '\n');
  } catch (err) {
    await registry.abandon(dir);
    throw err;
  }
  const aliases = [CHALLENGER];
  const entry = await registry.registerVersion({ version, created: model.created, model_type: modelType, metrics: { ...metrics }, params, run_id: null }, aliases);
  progress(`registered ${registry.name} version ${version} as ${aliases.join(', ')} in ${registry.root}`);

  const result: TrainResult = {
    version,
    registeredModel: registry.name,
    modelType,
    modelDir: dir,
    artifacts,
    metrics,
    trainMetrics,
    params,
    data,
    aliases,
    registry: entry,
    kernel: fitted.kernel,
    seconds: { total: (performance.now() - started) / 1000, fit: fitSeconds },
    model,
    profile,
    predictionProfile,
  };
  if (candidates) {
    result.candidates = candidates;
    result.selectionMetric = 'validation_roc_auc';
  }
  if (search) result.search = search;
  return result;
}

/** The stratified split of the usable rows (all, or the finite ones for `drop`) as one role byte per row read. */
function splitRoles(scan: LabelledScan, nonFinite: NonFinitePolicy, testSize: number, seed: number) {
  let usableCount = 0;
  for (let r = 0; r < scan.rows; r++) if (nonFinite !== 'drop' || scan.finite[r]) usableCount++;
  const usable = new Int32Array(usableCount);
  const labels = new Uint8Array(usableCount);
  for (let r = 0, i = 0; r < scan.rows; r++) {
    if (nonFinite === 'drop' && !scan.finite[r]) continue;
    usable[i] = r;
    labels[i++] = scan.labels[r]!;
  }
  const split = stratifiedSplit(labels, testSize, seed);
  const roles = new Uint8Array(scan.rows);
  let trainPositives = 0;
  let testPositives = 0;
  for (const i of split.train) {
    roles[usable[i]!] = ROLE_TRAIN;
    trainPositives += labels[i]!;
  }
  for (const i of split.test) {
    roles[usable[i]!] = ROLE_TEST;
    testPositives += labels[i]!;
  }
  return { roles, dropped: scan.rows - usableCount, trainRows: split.train.length, testRows: split.test.length, trainPositives, testPositives };
}

interface TrainingRows {
  scan: LabelledScan;
  roles: Uint8Array;
  trainRows: number;
  /** the sample's training rows, fill applied */
  sample: Dataset;
  nanFill: number[];
  workers: number;
  kernel: KernelName | undefined;
  forestParams: ForestParams;
  gbtParams: GbtParams;
  seed: number;
  epochs: number | undefined;
  overrides: Record<string, ParamValue>;
}

/**
 * The final fit on the whole training split: trees on the training rows binned by pass 2 into
 * the shared memory they grow in (edges from the sample), networks on the sample (pass 2 still
 * runs, for the exact extremes of the fill).
 */
async function fitTraining(kind: Exclude<ModelChoice, 'auto'>, rows: TrainingRows): Promise<{ fitted: Fitted; range: { min: Array<number | null>; max: Array<number | null> } }> {
  const { scan, roles, trainRows, sample, nanFill } = rows;
  const nFeatures = scan.featureNames.length;
  if (kind === 'logreg' || kind === 'mlp') {
    const range = await binTrainingRows(scan, roles, trainRows, null, nanFill, null);
    const pool = new TrainPool({ workers: rows.workers, kernel: rows.kernel }, 0);
    try {
      return { fitted: await fitOne(kind, pool, sample, rows.forestParams, rows.gbtParams, rows.seed, rows.epochs, rows.overrides), range };
    } finally {
      await pool.close();
    }
  }
  const slots = Math.max(1, rows.workers);
  let pool: TrainPool;
  let memory: WebAssembly.Memory;
  let at: { binsPtr: number; labelsPtr: number };
  const gbtParams = kind === 'gbt' ? trialGbtParams(rows.gbtParams, rows.overrides) : null;
  const forestParams = kind === 'tree' ? treeParamsOf(trialForestParams(rows.forestParams, rows.overrides)) : trialForestParams(rows.forestParams, rows.overrides);
  const maxBins = gbtParams ? gbtParams.maxBins : forestParams.maxBins;
  const edges = sample.columns.map((column) => binEdges(column, maxBins));
  if (gbtParams) {
    const gbt = createGbtMemory(trainRows, edges, gbtParams);
    ({ memory } = gbt);
    at = gbt.layout;
    pool = new TrainPool({ workers: rows.workers, kernel: rows.kernel }, 0);
  } else {
    pool = new TrainPool({ workers: rows.workers, kernel: rows.kernel }, forestMemoryBytes(trainRows, nFeatures, forestParams, slots));
    memory = pool.memory!;
    at = planForestMemory({ nRows: trainRows, nFeatures, maxFeatures: resolveMaxFeatures(forestParams.maxFeatures, nFeatures) }, slots).layout;
  }
  try {
    const labels = new Uint8Array(memory.buffer, at.labelsPtr, trainRows);
    const range = await binTrainingRows(scan, roles, trainRows, edges, nanFill, { bins: new Uint8Array(memory.buffer, at.binsPtr, trainRows * nFeatures), labels });
    const binned: BinnedData = { featureNames: scan.featureNames, rows: trainRows, edges, maxBins, labels, memory, binsPtr: at.binsPtr, labelsPtr: at.labelsPtr };
    return { fitted: await fitOne(kind, pool, binned, rows.forestParams, rows.gbtParams, rows.seed, rows.epochs, rows.overrides), range };
  } finally {
    await pool.close();
  }
}

const nanLow = (x: number) => (Number.isNaN(x) ? -Infinity : x);

interface Fitted {
  modelType: ModelType;
  model: Pick<Model, 'forest' | 'boosting' | 'network'> & { modelType: ModelType };
  params: Record<string, ParamValue>;
  kernel: KernelName | null;
}

/** The forest params of a search trial (or the refit of the best): the run's, with the trial's values over them. */
function trialForestParams(base: ForestParams, values: Record<string, ParamValue>): ForestParams {
  const params = { ...base };
  if ('n_estimators' in values) params.nEstimators = values['n_estimators'] as number;
  if ('max_depth' in values) params.maxDepth = values['max_depth'] as number | null;
  if ('min_samples_leaf' in values) params.minSamplesLeaf = values['min_samples_leaf'] as number;
  if ('max_features' in values) params.maxFeatures = values['max_features'] as ForestParams['maxFeatures'];
  return params;
}

/** The gbt params of a search trial: the run's, with the trial's values (by their GBT_PARAM_SCHEMA names) over them. */
function trialGbtParams(base: GbtParams, values: Record<string, ParamValue>): GbtParams {
  const params: Record<string, unknown> = { ...base };
  for (const spec of GBT_PARAM_SCHEMA) if (spec.name in values) params[spec.key] = values[spec.name];
  return resolveGbtParams(params as Partial<GbtParams>);
}

/** The forest params needing the most shared memory among a search's rf trials (the most features per split). */
function widestForest(plan: SearchPlan, base: ForestParams, nFeatures: number): ForestParams {
  let widest = base;
  for (const trial of plan.trials) {
    if (trial.family !== 'rf') continue;
    const params = trialForestParams(base, trial.params);
    validateForestParams(params);
    if (resolveMaxFeatures(params.maxFeatures, nFeatures) > resolveMaxFeatures(widest.maxFeatures, nFeatures)) widest = params;
  }
  return widest;
}

async function fitOne(kind: Exclude<ModelChoice, 'auto'>, pool: TrainPool, data: Dataset | BinnedData, baseForest: ForestParams, gbtParams: GbtParams, seed: number, epochs: number | undefined, overrides: Record<string, ParamValue> = {}): Promise<Fitted> {
  if (kind === 'gbt') {
    gbtParams = trialGbtParams(gbtParams, overrides);
    const trained = await trainGbt(pool, data, gbtParams);
    return {
      modelType: 'gradient_boosting',
      model: { modelType: 'gradient_boosting', boosting: trained.booster },
      params: {
        ...gbtParamRecord(gbtParams),
        loss: 'log_loss',
        early_stopping_used: trained.earlyStopping,
        stopped_early: trained.stoppedEarly,
        n_iter: trained.iterations,
        base_score: trained.booster.baseScore,
        final_train_loss: trained.trainLoss[trained.trainLoss.length - 1] ?? null,
        final_validation_loss: trained.validationLoss ? (trained.validationLoss[trained.validationLoss.length - 1] ?? null) : null,
        tree_nodes: trained.nodes,
        kernel: trained.kernel,
      },
      kernel: trained.kernel,
    };
  }
  if (kind === 'tree') {
    const params = treeParamsOf(trialForestParams(baseForest, overrides));
    const trained = await trainForest(pool, data, params);
    return {
      modelType: 'decision_tree',
      model: { modelType: 'decision_tree', forest: trained.forest },
      params: {
        max_depth: params.maxDepth,
        min_samples_split: params.minSamplesSplit,
        min_samples_leaf: params.minSamplesLeaf,
        max_bins: params.maxBins,
        criterion: 'gini',
        tree_nodes: trained.nodes,
        tree_depth_reached: trained.maxDepthReached,
        kernel: trained.kernel,
      },
      kernel: trained.kernel,
    };
  }
  if (kind === 'rf') {
    const forestParams = trialForestParams(baseForest, overrides);
    const trained = await trainForest(pool, data, forestParams);
    return {
      modelType: 'random_forest',
      model: { modelType: 'random_forest', forest: trained.forest },
      params: {
        n_estimators: forestParams.nEstimators,
        max_depth: forestParams.maxDepth,
        min_samples_split: forestParams.minSamplesSplit,
        min_samples_leaf: forestParams.minSamplesLeaf,
        max_features: forestParams.maxFeatures,
        max_features_per_split: resolveMaxFeatures(forestParams.maxFeatures, data.featureNames.length),
        max_bins: forestParams.maxBins,
        bootstrap: forestParams.bootstrap,
        criterion: 'gini',
        tree_nodes: trained.nodes,
        tree_depth_reached: trained.maxDepthReached,
        kernel: trained.kernel,
      },
      kernel: trained.kernel,
    };
  }
  if (isBinned(data)) throw internalError('a network fits on real values, not bins');
  const { fitTransform, transformRows, NETWORK_DEFAULTS } = await import('./network.js');
  const defaults = NETWORK_DEFAULTS[kind];
  const params: NetworkParams = { ...defaults, seed, epochs: epochs ?? defaults.epochs };
  if ('learning_rate' in overrides) params.learningRate = overrides['learning_rate'] as number;
  if ('hidden_layers' in overrides) params.hidden = String(overrides['hidden_layers']).split('-').map(Number);
  if ('l2' in overrides) params.l2 = overrides['l2'] as number;
  const transform = fitTransform(data.columns, data.rows);
  const nFeatures = data.columns.length;
  // shared, so the worker reads the rows in place instead of a copy
  const features = transformRows(data.columns, data.rows, transform, new Float32Array(new SharedArrayBuffer(data.rows * nFeatures * 4)));
  const labels = new Float32Array(new SharedArrayBuffer(data.rows * 4));
  for (let i = 0; i < data.rows; i++) labels[i] = data.labels[i]!;
  const result = await pool.run({ kind: 'fit-network', network: kind as NetworkKind, features, labels, nFeatures, params });
  if (result.kind !== 'fit-network') throw internalError('unexpected task result');
  return {
    modelType: kind,
    model: { modelType: kind, network: { transform, weights: result.weights } },
    params: { epochs: params.epochs, batch_size: params.batchSize, learning_rate: params.learningRate, hidden_layers: params.hidden.join('-') || null, l2: params.l2 ?? 0, final_loss: result.weights.loss[result.weights.loss.length - 1] ?? null },
    kernel: null,
  };
}

/** Probabilities and classes of a dataset's rows (finite features, model order). */
export async function predictDataset(model: Pick<Model, 'forest' | 'boosting' | 'network'>, data: Dataset): Promise<{ proba: Float64Array; pred: Uint8Array }> {
  if (model.forest) return forestPredict(model.forest, data.columns, data.rows);
  if (model.boosting) return gbtPredict(model.boosting, data.columns, data.rows);
  if (!model.network) throw internalError('model has no forest, boosted trees or network');
  const { transformRows, networkProba } = await import('./network.js');
  const x = transformRows(data.columns, data.rows, model.network.transform);
  const proba = await networkProba(model.network.weights, x, data.rows);
  const pred = new Uint8Array(data.rows);
  for (let i = 0; i < data.rows; i++) pred[i] = proba[i]! > 0.5 ? 1 : 0;
  return { proba, pred };
}

/**
 * What a tracking layer records for a training run, in the original tool's names: params
 * (nulls left out), metrics, tags, and the files to log as artifacts (model folder, profile,
 * metrics) with the registered model version they belong to.
 */
export function trainingRunRecord(result: TrainResult): {
  runName: string;
  params: Record<string, string | number | boolean>;
  metrics: Array<{ key: string; value: number }>;
  tags: Record<string, string>;
  artifacts: Array<{ path: string; file: string }>;
  model: { name: string; version: number; aliases: string[]; source: string };
} {
  const params: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(result.params)) if (value !== null) params[key] = value;
  return {
    runName: `train-${result.modelType}-v${result.version}`,
    params,
    metrics: [
      ...Object.entries(result.metrics).map(([key, value]) => ({ key, value })),
      ...Object.entries(result.trainMetrics).map(([key, value]) => ({ key: `train_${key}`, value })),
      // a search: the best trial's cross-validation score, named as each trial's child run names it
      ...(result.search ? cvMetrics(result.search, result.search.trials[result.search.best]!) : []),
    ],
    tags: { model_type: result.modelType, registered_model: result.registeredModel, model_version: String(result.version), aliases: result.aliases.join(',') },
    artifacts: [
      { path: 'model/model.json', file: result.artifacts.model },
      // the MLflow model files: `model/` is what the registered version's source points at
      ...(result.artifacts.mlflow_model ? MLFLOW_MODEL_FILES.map((name) => ({ path: `model/${name}`, file: join(result.artifacts.mlflow_model!, name) })) : []),
      { path: 'profile.json', file: result.artifacts.profile },
      { path: 'prediction_profile.json', file: result.artifacts.prediction_profile },
      { path: 'metrics.json', file: result.artifacts.metrics },
      ...(result.artifacts.feature_importance ? [{ path: IMPORTANCE_FILE, file: result.artifacts.feature_importance }] : []),
      { path: CONFUSION_JSON_FILE, file: result.artifacts.confusion_matrix },
      { path: CONFUSION_CSV_FILE, file: result.artifacts.confusion_matrix_csv },
    ],
    model: { name: result.registeredModel, version: result.version, aliases: result.aliases, source: result.modelDir },
  };
}

/** A trial's cross-validation metrics: `cv_<scoring>_mean`, `cv_<scoring>_std`. */
export function cvMetrics(search: SearchResult, trial: TrialResult): Array<{ key: string; value: number }> {
  return [
    { key: `cv_${search.scoring}_mean`, value: trial.cv_mean },
    { key: `cv_${search.scoring}_std`, value: trial.cv_std },
  ];
}

/** The baseline profile written beside the model (see TrainOptions.baselineFrom): from the sample's raw training rows, or a sample of the new files. */
async function baselineOf(options: TrainOptions, rawSample: Dataset, labelName: string, nonFinite: NonFinitePolicy, sampleRows: number, seed: number): Promise<Profile> {
  const bins = options.profileBins ?? 10;
  const newData = options.newData ?? [];
  if (options.baselineFrom === 'new' && newData.length > 0) {
    const recent = await scanLabelled(newData, { label: options.label, negative: options.negative, exclude: options.exclude, coerce: options.coerce, sampleRows, seed, finiteOnly: nonFinite === 'drop' });
    const rows = recent.sample;
    return buildProfile({
      columns: rows.featureNames.map((name, f) => ({ name, values: rows.columns[f]! })),
      rows: rows.rows,
      bins,
      label: labelName,
      source: { file: newData.map((f) => basename(f)).join(','), bytes: null, format: detectFormat(newData[0]!) },
    });
  }
  return buildProfile({
    columns: rawSample.featureNames.map((name, f) => ({ name, values: rawSample.columns[f]! })),
    rows: rawSample.rows,
    bins,
    label: labelName,
    source: { file: basename(options.data), bytes: (await stat(options.data)).size, format: detectFormat(options.data) },
  });
}
