/**
 * engine/tracking/mlflow: MLflow as a tracking backend. The library's surface is MlflowBackend
 * and MlflowClient (re-exported by engine/tracking's index); the REST verbs are exported here for
 * the tracking area's own code and its tests.
 */
export { MlflowBackend, LEDGER_ID_TAG, PARENT_RUN_TAG } from './backend.js';
export { MlflowClient, MAX_ANSWER_BYTES, toJson, nonFiniteText, type ClientHooks } from './client.js';
export {
  getExperimentByName,
  createExperiment,
  ensureExperiment,
  createRun,
  getRun,
  updateRun,
  logBatch,
  logInputs,
  planBatches,
  searchRuns,
  searchAllRuns,
  deleteRun,
  searchExperiments,
  tagFilter,
  proxiedArtifactPath,
  uploadArtifact,
  createRegisteredModel,
  getRegisteredModel,
  ensureRegisteredModel,
  createModelVersion,
  searchModelVersions,
  setModelAlias,
  setModelVersionTag,
  allModelVersions,
  getModelVersionByAlias,
  deleteModelAlias,
  createLoggedModel,
  finalizeLoggedModel,
  searchLoggedModels,
  LOG_BATCH_LIMITS,
} from './rest.js';
export type {
  MetricPoint,
  KeyValue,
  LogBatch,
  MlflowExperiment,
  MlflowRun,
  MlflowRunInfo,
  RunStatus,
  RegisteredModel,
  ModelVersion,
  LoggedModelInfo,
  CreateRunRequest,
  CreateModelVersionRequest,
  SearchRunsRequest,
} from './rest.js';
