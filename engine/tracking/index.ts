/**
 * engine/tracking: the local run ledger and the MLflow REST client (undici), with sync/replay.
 * This is the area's only export.
 */
export { resolveTracking, experimentName, parseTrackingUri, safeUri, redactor, DEFAULT_RETRY, DEFAULT_REQUEST_TIMEOUT_MS, EXPERIMENTS } from './config.js';
export type { TrackingOptions, ResolvedTracking, ServerSettings, RetryPolicy, Auth } from './config.js';
export { authInterceptor, retryInterceptor, trackingDispatcher, retryAfterMs, RETRY_STATUS, RETRY_ERRORS, RETRY_SCOPES, type RetryNote, type RetryScope } from './interceptors.js';
export {
  MlflowClient,
  toJson,
  getExperimentByName,
  createExperiment,
  ensureExperiment,
  createRun,
  getRun,
  updateRun,
  logBatch,
  planBatches,
  searchRuns,
  tagFilter,
  proxiedArtifactPath,
  uploadArtifact,
  createRegisteredModel,
  getRegisteredModel,
  ensureRegisteredModel,
  createModelVersion,
  searchModelVersions,
  setModelAlias,
  getModelVersionByAlias,
  deleteModelAlias,
  createLoggedModel,
  finalizeLoggedModel,
  searchLoggedModels,
  LOG_BATCH_LIMITS,
} from './client.js';
export type { MetricPoint, KeyValue, LogBatch, MlflowExperiment, MlflowRun, MlflowRunInfo, RunStatus, RegisteredModel, ModelVersion, LoggedModelInfo, CreateRunRequest, CreateModelVersionRequest, SearchRunsRequest } from './client.js';
export { Ledger, orderRuns, safeArtifactPath, RUN_FORMAT, RUN_VERSION, ALIAS_FORMAT, ALIAS_VERSION } from './ledger.js';
export type { RunRecord, NewRun, SyncState, LedgerArtifact, LedgerModel, ModelProgress, AliasMove } from './ledger.js';
export { syncLedger, LEDGER_ID_TAG, PARENT_RUN_TAG, type SyncSummary, type RunSyncResult } from './sync.js';
export { recordRun, recordRuns, type RecordOutcome, type RecordedRun } from './record.js';
export { moveModelAlias, syncAliasMoves, type AliasOutcome, type AliasSyncResult } from './promote.js';
export { ledgerStatus, syncQueued, type LedgerStatus, type QueuedRun, type QueuedAlias } from './queue.js';
export { nonFiniteText } from './client.js';
