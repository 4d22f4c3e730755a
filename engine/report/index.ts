/**
 * engine/report: one module per report kind, each giving the run record that tracking sends
 * (the ledger first, then MLflow) and what the CLI prints (text; the JSON is the report object,
 * written with jsonText): drift checks and scans (drift.ts), training (training.ts), performance
 * monitoring (performance.ts), A/B tests (abtest.ts), the model registry views (models.ts), the demo (demo.ts); the text helpers and the TextStyle hook for
 * colour (text.ts); the HTML reports (html/: drift, scan, monitor, score history). Cheap to import: the model and monitor code load only when a function needs
 * them. This is the area's only export.
 */
export {
  driftCheckRun,
  recordDriftCheck,
  recordDriftScan,
  rankMetricKey,
  featureMetricKeys,
  driftNote,
  driftInputs,
  verdictReason,
  FEATURE_METRIC_PREFIX,
  metricKey,
  driftArtifact,
  compactLocal,
  localIso,
  renderDriftReport,
  renderScanReport,
  renderFeatureTable,
  renderDriftSummary,
  renderQuality,
  qualityMetrics,
  qualityMetricKey,
  QUALITY_METRICS,
  renderPredictionDrift,
  predictionDriftMetrics,
  skippedFeaturesNote,
  smallSampleNote,
  DRIFT_ARTIFACT,
  DRIFT_REPORT_JSON,
  DRIFT_REPORT_HTML,
  RANKED_METRICS,
  type DriftRunOptions,
  type CheckedModelRef,
  type DriftTextOptions,
} from './drift.js';
export { trainingRun, trialRuns, recordTraining, recordFailedTraining, renderTraining, trainingJson, type FailedTrainingRequest } from './training.js';
export { performanceRun, recordPerformance, defaultHistoryFile, renderPerformance, predictionMonitorRun, recordPredictionMonitor, renderPredictionMonitor, PERFORMANCE_ARTIFACT } from './performance.js';
export { modelsOverview, renderModelsList, renderModelComparison, type ModelsOverview } from './models.js';
export { abTestRun, recordAbTest, renderAbTest, winnerOf, ABTEST_ARTIFACT } from './abtest.js';
export { renderDriftHtml, renderScanHtml, renderMonitorHtml, renderHistoryHtml, type DriftHtmlOptions, readDriftSource, parseDriftJson, type DriftSource } from './html/index.js';
export { renderDemo, type DemoSummary } from './demo.js';
export { PLAIN, table, fixed, counted, actionText, jsonText, quoted, type TextStyle } from './text.js';
export { scoreHistory, renderScoreHistory, featureMetricKey, type ScoreHistory, type HistoryOptions, type HistoryResult, type HistoryTextOptions } from './history.js';
