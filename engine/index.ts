/**
 * driftcatcher's public, typed API: what pipelines embed and what the CLI calls.
 */
export * from './util/index.js';
export { createBaseline, resolveBaseline, buildProfile, saveProfile, loadProfile, validateProfile, quantileSorted, quantileEdges, histogramCounts, PROFILE_FORMAT, PROFILE_VERSION } from './profile/index.js';
export type { Profile, FeatureProfile, BaselineOptions, FeatureColumn } from './profile/index.js';
export { checkDrift, scanDrift, decide, aggregate, driftMethod, isDrifted, driftReport, resolveDriftOptions, binEdges, DRIFT_METHODS, DRIFT_DEFAULTS, DEFAULT_POLICY, AGGREGATIONS } from './drift/index.js';
export type { ScanOptions, ScanReport, DriftOptions, DriftReport, DriftSettings, FeatureDrift, SmallSample, Compat, Action, Aggregation, DecisionPolicy, DriftMethod, DriftInput, MethodScore, ScoreKind } from './drift/index.js';
export { ScanPool, defaultWorkers, autoWorkers, SCAN_DEFAULTS, type PoolOptions } from './scan/index.js';
export { maxWorkers, checkWorkers, workerBoundText } from './parallel/index.js';
export { countFile, type CountOptions } from './scan/index.js';
export { emptyHistograms, mergeHistograms, type Histograms } from './scan/index.js';
export { loadBinKernel, createSharedMemory, countSlots, type BinKernel, type KernelName } from './kernels/index.js';
export { readTable, openBatches, detectFormat, IO_DEFAULTS } from './io/index.js';
export type { ReadOptions, ColumnQuality, Reader, BatchStream, FileFormat, CsvLayout } from './io/index.js';
export { synthesize, SYNTH_DEFAULTS, type SynthOptions, type SynthResult, type DriftKind } from './synth/index.js';
export { runDemo, type DemoOptions, type DemoResult, type DemoBatch } from './demo.js';
export { recordDriftCheck, recordDriftScan, recordTraining, recordPerformance, trainingRun, driftCheckRun, performanceRun, rankMetricKey, defaultHistoryFile, DRIFT_ARTIFACT, PERFORMANCE_ARTIFACT } from './report/index.js';
export {
  recordRun,
  recordRuns,
  syncQueued,
  syncLedger,
  ledgerStatus,
  moveModelAlias,
  resolveTracking,
  experimentName,
  Ledger,
  MlflowBackend,
  MlflowClient,
  TRACKING_DEFAULTS,
  EXPERIMENTS,
  DEFAULT_RETRY,
  LEDGER_ID_TAG,
} from './tracking/index.js';
export type {
  TrackingBackend,
  BackendFactory,
  SendContext,
  RunLocation,
  AliasTarget,
  TrackingOptions,
  ResolvedTracking,
  ServerSettings,
  RetryPolicy,
  RecordOutcome,
  RecordedRun,
  LedgerStatus,
  QueuedRun,
  QueuedAlias,
  SyncSummary,
  RunSyncResult,
  AliasOutcome,
  AliasSyncResult,
  RunRecord,
  NewRun,
  SyncState,
  LedgerModel,
  MetricPoint,
} from './tracking/index.js';
export {
  trainModel,
  trainingRunRecord,
  predictFile,
  loadModel,
  promoteModel,
  listModels,
  predictDataset,
  trainForest,
  forestPredict,
  forestMemoryBytes,
  TrainPool,
  readLabelledData,
  dropNonFinite,
  fitFill,
  applyFill,
  stratifiedSplit,
  takeRows,
  binEdges as featureBinEdges,
  classificationMetrics,
  confusionCounts,
  rocAuc,
  accuracy,
  precision,
  recall,
  f1Score,
  saveModel,
  loadModelFile,
  LocalModelRegistry,
  MODEL_CHOICES,
  MODEL_TYPES,
  MODEL_FORMAT,
  MODEL_VERSION,
  METRIC_NAMES,
  NON_FINITE_POLICIES,
  FOREST_DEFAULTS,
  DEFAULT_MODEL_NAME,
  CHAMPION,
  CHALLENGER,
} from './model/index.js';
export type {
  TrainOptions,
  TrainResult,
  ModelChoice,
  CandidateScore,
  PredictOptions,
  PredictResult,
  ResolvedModel,
  RegistryOptions,
  ForestParams,
  Forest,
  Tree,
  Dataset,
  LabelledData,
  FillValues,
  NonFinitePolicy,
  ClassificationMetrics,
  ConfusionCounts,
  Model,
  ModelType,
  ModelRegistry,
  ModelVersion as RegistryModelVersion,
} from './model/index.js';
export { loadForestKernel, type ForestKernel } from './kernels/index.js';
export {
  monitorPredictions,
  evaluatePerformance,
  performanceMetrics,
  readPredictions,
  resolveThresholds,
  violations as performanceViolations,
  appendHistory,
  readHistory,
  DEFAULT_THRESHOLDS,
  HISTORY_FILE,
} from './monitor/index.js';
export type { Predictions, PerformanceThresholds, PerformanceMetrics, PerformanceReport, Violation, ChampionComparison, MonitorOptions, HistoryEntry } from './monitor/index.js';
export {
  agentCheck,
  agentRetrain,
  agentStatus,
  agentWatch,
  agentDir,
  servingVersion,
  parseInterval,
  sendAlert,
  alertContent,
  alertPayload,
  readState as readAgentState,
  updateState as updateAgentState,
  withLock,
  AgentLog,
  logFileName,
  ALERT_FORMATS,
  AGENT_EVENTS,
  STATE_FILE as AGENT_STATE_FILE,
} from './agent/index.js';
export type { AgentOptions, AgentCheckResult, AgentRetrainResult, AgentStatus, TakenAction, WatchOptions, AlertFormat, AlertContent, AlertOptions, AlertOutcome, AgentState, DriftResult, AgentEvent, LogEntry } from './agent/index.js';
