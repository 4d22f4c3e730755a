/**
 * engine/agent: the retrain agent: `check` (check drift -> decide -> apply), `retrain`
 * (challenger/champion promotion on a holdout, in memory), `status`, the folder watch; its
 * options and defaults, the pure decision table, the locked state file, daily logs and webhook
 * alerts. This is the area's only export.
 */
export { AGENT_DEFAULTS, ALERT_FORMATS, PROMOTE_METRICS, resolveAgentOptions, agentDir, type AgentOptions, type ResolvedAgentOptions, type AlertFormat, type PromoteMetric } from './options.js';
export { decide, decideRetrain, type AgentDecision, type RetrainDecision, type DecisionState, type DriftSummary, type AgentPolicy, type RetrainHold, type TakenAction } from './decide.js';
export { agentCheck, type AgentCheckResult, type AgentBatch } from './check.js';
export { agentRetrain, NEW_TRAIN_FILE, type AgentRetrainResult } from './retrain.js';
export { agentStatus, type AgentStatus } from './status.js';
export { servingVersion } from './context.js';
export { agentWatch, parseInterval, WATCHED_EXTENSIONS, type WatchOptions } from './watch.js';
export { agentWatchSource, dueWindows, SOURCE_WATCH_DEFAULTS, type SourceWatchOptions } from './watch-source.js';
export { sendAlert, alertContent, alertPayload, alertRetryPolicy, overallText, trainingAlertContent, trainingAlertPayload, type AlertContent, type AlertOptions, type AlertOutcome, type TrainingAlertContent, type AlertReport } from './alerts.js';
export { readState, updateState, withLock, emptyState, stateFileIn, STATE_FILE, MAX_DRIFT_RESULTS, type AgentState, type DriftResult, type CheckedFile, type CheckedWindow, windowKey, type LockOptions } from './state.js';
export { AgentLog, logFileName, AGENT_EVENTS, type AgentEvent, type LogEntry } from './log.js';
export { ciWorkflow, cronLine, cronMarker, cronSchedule, installCronLine, shellWord, SCHEDULE_DEFAULTS, type CronOptions, type CrontabResult, type WorkflowOptions } from './schedule.js';
