/**
 * engine/report: one module per report kind, each giving the run record that tracking sends
 * (the ledger first, then MLflow) and what the CLI prints: drift checks and scans (drift.ts),
 * training (training.ts), performance monitoring (performance.ts). This is the area's only export.
 */
export { driftCheckRun, recordDriftCheck, recordDriftScan, rankMetricKey, metricKey, driftArtifact, compactLocal, localIso, DRIFT_ARTIFACT, RANKED_METRICS, type DriftRunOptions } from './drift.js';
export { trainingRun, recordTraining } from './training.js';
export { performanceRun, recordPerformance, defaultHistoryFile, PERFORMANCE_ARTIFACT } from './performance.js';
