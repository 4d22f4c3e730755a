/**
 * engine/monitor: performance monitoring from labelled predictions (metrics, degradation rules,
 * the champion's training metrics, the local history, the `production_monitoring` run), and A/B
 * tests of two model versions on the same labelled rows (abtest.ts, statistics in abtest-stats.ts).
 * This is the area's only export.
 */
export { readPredictions, predictionsFormat, type Predictions } from './predictions.js';
export {
  monitorPredictions,
  evaluatePerformance,
  performanceMetrics,
  resolveThresholds,
  violations,
  DEFAULT_THRESHOLDS,
  type PerformanceThresholds,
  type ThresholdsUsed,
  type PerformanceMetrics,
  type PerformanceReport,
  type Violation,
  type ChampionComparison,
  type MonitorOptions,
} from './performance.js';
export { appendHistory, readHistory, historyEntry, HISTORY_FILE, type HistoryEntry } from './history.js';
export { batchPredictionDrift, predictionsDrift, checkDriftWithPredictions, type PredictionCheckOptions, type PredictionCheck } from './prediction-drift.js';
export { readPredictionsMaybeUnlabelled, type UnlabelledPredictions } from './predictions.js';
export { monitorUnlabelled, monitorAnyPredictions, type PredictionMonitorReport, type UnlabelledMonitorOptions } from './unlabelled.js';
export { abTest, type AbTestRequest, type AbTestReport, type AbModelInfo } from './abtest.js';
export {
  compareScored,
  decide,
  mcnemarExact,
  mcnemarTest,
  delongTest,
  binomialHalfCdf,
  bootstrapMetricValues,
  summarizeBootstrap,
  resampleIndices,
  percentileSorted,
  metricOf,
  resolveAbTestOptions,
  ABTEST_DEFAULTS,
  AB_METRICS,
  AB_DECIDING_TEST,
  type AbMetric,
  type AbTestName,
  type AbStatistics,
  type AbDecision,
  type AbTestOptions,
  type ResolvedAbTestOptions,
  type MetricComparison,
  type McNemarResult,
  type DeLongResult,
  type Interval,
  type ScoredRows,
} from './abtest-stats.js';
