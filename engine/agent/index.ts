/**
 * engine/agent: the retrain agent (checks, cooldowns, retraining with challenger/champion
 * promotion), its locked state file, daily logs, webhook alerts and the folder watch.
 * This is the area's only export.
 */
export { AGENT_DEFAULTS, PROMOTE_METRICS, resolveAgentOptions, type ResolvedAgentOptions, type PromoteMetric } from './options.js';
export { decide, decideRetrain, type AgentDecision, type RetrainDecision, type DecisionState, type DriftSummary, type AgentPolicy, type RetrainHold } from './decide.js';
export { agentCheck, agentRetrain, agentStatus, agentDir, servingVersion, type AgentOptions, type AgentCheckResult, type AgentRetrainResult, type AgentStatus, type TakenAction } from './agent.js';
export { agentWatch, parseInterval, WATCHED_EXTENSIONS, type WatchOptions } from './watch.js';
export { sendAlert, alertContent, alertPayload, ALERT_FORMATS, type AlertFormat, type AlertContent, type AlertOptions, type AlertOutcome } from './alerts.js';
export { readState, updateState, withLock, emptyState, stateFileIn, STATE_FILE, MAX_DRIFT_RESULTS, type AgentState, type DriftResult, type CheckedFile, type LockOptions } from './state.js';
export { AgentLog, logFileName, AGENT_EVENTS, type AgentEvent, type LogEntry } from './log.js';
