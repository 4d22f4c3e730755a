/**
 * engine/tracking: the local run ledger in front of a tracking backend (TrackingBackend; MLflow's
 * is mlflow/), recording, sync and status, option resolution, and the HTTP dispatcher (auth,
 * retries, one deadline) that the MLflow client and other HTTP callers share.
 * This is the area's only export; the MLflow REST verbs stay inside mlflow/.
 */
export { resolveTracking, experimentName, parseTrackingUri, safeUri, TRACKING_DEFAULTS, DEFAULT_RETRY, DEFAULT_REQUEST_TIMEOUT_MS, EXPERIMENTS } from './config.js';
export type { TrackingOptions, ResolvedTracking, ServerSettings, RetryPolicy, Auth } from './config.js';
export { hasBackend, openBackend, type TrackingBackend, type BackendFactory, type SendContext, type RunLocation, type AliasTarget, type VersionTag, type RegistryListing } from './backend.js';
export { Ledger, orderRuns, safeArtifactPath, freshSync, RUN_FORMAT, RUN_VERSION, ALIAS_FORMAT, ALIAS_VERSION } from './ledger.js';
export type { RunRecord, NewRun, DatasetInput, SyncState, MlflowProgress, LedgerArtifact, LedgerModel, ModelProgress, AliasMove, MetricPoint, RunStatus } from './ledger.js';
export { recordRun, recordRuns, type RecordOutcome, type RecordedRun } from './record.js';
export { syncLedger, type SyncSummary, type RunSyncResult } from './sync.js';
export { moveModelAlias, syncAliasMoves, loggedModelOf, type AliasOutcome, type AliasSyncResult } from './promote.js';
export { serverRegistry, tagServerVersion, STAGE_TAG, type ServerRegistryView, type StageOutcome } from './registry.js';
export { ledgerStatus, syncQueued, type LedgerStatus, type QueuedRun, type QueuedAlias } from './queue.js';
export { MlflowBackend, MlflowClient, LEDGER_ID_TAG, PARENT_RUN_TAG, nonFiniteText, toJson, type ClientHooks } from './mlflow/index.js';
export { httpDispatcher, type HttpDispatcherOptions } from './http/dispatcher.js';
export { authInterceptor, authHeader, redactor } from './http/auth.js';
export { retryInterceptor, retryAfterMs, RETRY_STATUS, RETRY_ERRORS, RETRY_SCOPES, type RetryNote, type RetryScope } from './http/retry.js';
export { deadlineInterceptor, DeadlineError } from './http/deadline.js';
export { parseRunFilter, matchesFilter, type RunFilter, type FilterComparison, type FilterEntity, type FilterComparator, type FilterableRun } from './filter.js';
export { listRuns, summarizeRuns, cleanupRuns, parseSince, ledgerRunView, serverRunView, newestFirst } from './runs.js';
export type { TrackedRun, RunSourceKind, RunsQuery, RunsListing, RunsSummary, ExperimentSummary, CleanupOptions, CleanupResult, CleanupRun } from './runs.js';
export { exportRuns, runsTable, runsCsv, runsParquet, csvCell, exportFormatOf, type ExportFormat, type ExportOptions, type ExportResult, type RunsTable } from './export.js';
