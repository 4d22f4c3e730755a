/**
 * engine/model: training (histogram random forest and gradient-boosted trees on WASM kernels and Piscina workers,
 * TensorFlow.js logistic regression and MLP), prediction, metrics, the model file and the model
 * registry (versions, aliases, stages, comparison), hyper-parameter search. This is the area's only export.
 */
export { trainModel, TRAIN_DEFAULTS, MIN_SAMPLE_ROWS, trainingRunRecord, cvMetrics, predictDataset, MODEL_CHOICES, AUTO_CANDIDATES, type TrainOptions, type TrainResult, type ModelChoice, type CandidateScore } from './train.js';
export { predictFile, scoreFile, loadModel, loadModelRef, promoteModel, tagModel, listModels, type PredictOptions, type PredictResult, type ResolvedModel, type ScoredFile } from './predict.js';
export { trainForest, forestPredict, forestMemoryBytes, resolveMaxFeatures, FOREST_DEFAULTS, type ForestParams, type Forest, type Tree, type ForestTraining } from './forest.js';
export {
  trainGbt,
  gbtPredict,
  gbtRawScores,
  gbtMemoryBytes,
  resolveGbtParams,
  validateGbtParams,
  parseGbtParam,
  gbtParamRecord,
  GBT_DEFAULTS,
  GBT_PARAM_SCHEMA,
  GBT_EARLY_STOPPING_ROWS,
  type GbtParams,
  type GbtParamSpec,
  type Booster,
  type BoostedTree,
  type GbtTraining,
} from './gbt.js';
export { binEdges, binOf, MAX_BINS, type BinnedData } from './binning.js';
export { eachRowsOfRole, ROLE_TEST, ROLE_TRAIN, ROLE_UNUSED, scanLabelled, SAMPLE_ROWS, scoreRows as scoreScannedRows, type LabelledScan, type ScanOptions } from './stream.js';
export {
  readLabelledData,
  labelsFromTable,
  dropNonFinite,
  fitFill,
  applyFill,
  stratifiedSplit,
  takeRows,
  finiteRows,
  DEFAULT_NEGATIVE,
  NON_FINITE_POLICIES,
  type Dataset,
  type LabelledData,
  type LabelledReadOptions,
  type FillValues,
  type NonFinitePolicy,
} from './dataset.js';
export { classificationMetrics, confusionCounts, rocAuc, accuracy, precision, recall, f1Score, METRIC_NAMES, type ClassificationMetrics, type ConfusionCounts } from './metrics.js';
export { saveModel, loadModelFile, modelToJson, modelFromJson, MODEL_FORMAT, MODEL_VERSION, MODEL_FILE, MODEL_TYPES, FOREST_MODEL_TYPES, type Model, type ModelType, type ParamValue } from './format.js';
export { LocalModelRegistry, openRegistry, REGISTRY_DEFAULTS, DEFAULT_MODEL_NAME, CHAMPION, CHALLENGER, MODEL_STAGES, type ModelStage, REGISTRY_FILE, REGISTRY_FORMAT, type ModelRegistry, type ModelVersion, type RegistryState, type RegistryOptions } from './registry.js';
export { TrainPool, type TrainPoolOptions } from './train-pool.js';
export { planSearch, runSearch, stratifiedKFold, foldRows, logLoss, scoreOf, meanStd, SEARCH_DEFAULTS, SEARCH_METHODS, SCORINGS, type SearchMethod, type Scoring, type SearchOptions, type SearchPlan, type SearchResult, type SearchHooks, type Trial, type TrialResult } from './search.js';
export { forestImportance, importanceCsv, confusionMatrix, confusionCsv, IMPORTANCE_FILE, CONFUSION_JSON_FILE, CONFUSION_CSV_FILE } from './importance.js';
export { SEARCH_SPACES, searchFamilies, parseParamSpecs, type FamilySpace, type ParamSchema, type ParamKind, type ParamRange, type ParamValues } from './space.js';
export { forestToOnnx, modelToOnnx, hasOnnx, ONNX_FILE, ONNX_INPUT, ONNX_OUTPUTS, ONNX_OPSET, ONNX_ML_OPSET, ONNX_IR_VERSION } from './onnx.js';
export { writeMlflowModel, hasMlflowModel, mlmodelText, MLFLOW_MODEL_FILES, MLFLOW_MODEL_ENV } from './mlflow-model.js';
export {
  buildPredictionProfile,
  loadPredictionProfile,
  savePredictionProfile,
  validatePredictionProfile,
  predictionProfileFileOf,
  PREDICTION_PROFILE_FILE,
  PREDICTION_PROFILE_FORMAT,
  PREDICTION_PROFILE_VERSION,
  PREDICTION_COLUMN,
  PREDICTION_THRESHOLD,
  type PredictionProfile,
} from './prediction-profile.js';
export { profileModelPredictions, holdoutRows, scoreRows, type ProfileModelOptions, type ProfileModelResult } from './prediction-holdout.js';
export { compareModels, type CompareModelsOptions, type ModelComparisonResult, type ComparedVersion, type MetricRow, type ParamRow } from './compare.js';
