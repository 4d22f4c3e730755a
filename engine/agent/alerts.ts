/**
 * Webhook alerts over undici: Slack (`text` + `blocks`), Discord (`embeds`) or generic JSON, of a
 * drift verdict or (`trainingAlertContent`, `train` with ALERT_ON_TRAINING) of a finished training.
 * The payload names the verdict, the drift method and its overall score with the verdict's
 * thresholds, the per-feature threshold, the top drifted features, the reference and current
 * sizes, the model version and, when the check made one, its HTML report (file, run page). Delivery goes through the retry interceptor engine/tracking
 * composes for its own requests: connection errors and 408/429/5xx answers are retried with
 * doubling back-off (`Retry-After` respected), any other answer is final. The outcome says
 * whether it was delivered and never carries the URL (webhook URLs are secrets).
 */
import { basename } from 'node:path';
import type { Dispatcher } from 'undici';
import type { DriftReport } from '../drift/index.js';
import { retryInterceptor, type RetryPolicy } from '../tracking/index.js';
import { AGENT_DEFAULTS, envBackoffMs, type AlertFormat } from './options.js';

export { ALERT_FORMATS, type AlertFormat } from './options.js';

export interface AlertContent {
  verdict: string;
  /** the drift method's id and the kind of its score */
  method: string;
  score_kind: 'distance' | 'p_value';
  overall_score: number;
  /** compatibility with earlier payloads: the overall PSI, only when PSI is the method */
  overall_psi?: number;
  /** the per-feature threshold of the method */
  threshold: number;
  /** the verdict's thresholds: retrain above `retrain_overall` or with more than `retrain_drifted_features` drifted features, alert above `alert_overall` or with any */
  policy: { retrain_overall: number; retrain_drifted_features: number; alert_overall: number };
  n_drifted_features: number;
  total_features: number;
  top_drifted_features: Array<{ name: string; score: number }>;
  reference_rows: number;
  current_rows: number;
  current_file: string;
  model: { name: string; version: number | null };
  timestamp: string;
  /** the check's HTML report, when one was made: its file, and the run's page on the tracking server when it was sent */
  report?: AlertReport;
}

export interface AlertReport {
  file: string;
  url?: string;
}

export interface AlertOptions {
  url: string;
  format?: AlertFormat;
  /** retries after the first attempt (default 3) */
  retries?: number;
  /** first back-off delay, doubling (default 500 ms; `DRIFTCATCHER_ALERT_BACKOFF_MS`) */
  backoffMs?: number;
  /** per attempt (default 10 s) */
  timeoutMs?: number;
}

export interface AlertOutcome {
  delivered: boolean;
  attempts: number;
  format: AlertFormat;
  /** HTTP status of the last answer */
  status?: number;
  /** why it failed, without the URL */
  error?: string;
}

export function alertContent(report: DriftReport, model: { name: string; version: number | null }, now = new Date(), top = 5, html?: AlertReport): AlertContent {
  const { settings } = report;
  const isPsi = settings.method === 'psi';
  return {
    verdict: report.action,
    method: settings.method,
    score_kind: settings.score_kind,
    overall_score: report.overall_score,
    ...(isPsi ? { overall_psi: report.overall_score } : {}),
    threshold: settings.threshold,
    policy: { ...settings.policy },
    n_drifted_features: report.n_drifted_features,
    total_features: report.total_features,
    top_drifted_features: report.features.filter((f) => f.drifted).slice(0, top).map((f) => ({ name: f.name, score: f.score })),
    reference_rows: report.baseline.rows,
    current_rows: report.current.rows,
    current_file: basename(report.current.files[0] ?? ''),
    model,
    timestamp: now.toISOString(),
    ...(html ? { report: html } : {}),
  };
}

/** `report: <file> (run: <url>)`, or nothing without a report. */
function reportText(content: AlertContent): string | undefined {
  const r = content.report;
  return r ? `${r.file}${r.url ? ` (run: ${r.url})` : ''}` : undefined;
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/** `overall psi 0.3100 (retrain above 0.2, alert above 0.1)`: the score named by its method, with the verdict's thresholds. */
export function overallText(content: Pick<AlertContent, 'method' | 'score_kind' | 'overall_score' | 'policy'>): string {
  const side = content.score_kind === 'p_value' ? 'below' : 'above';
  return `overall ${content.method} ${f4(content.overall_score)} (retrain ${side} ${content.policy.retrain_overall}, alert ${side} ${content.policy.alert_overall})`;
}

function driftedText(content: AlertContent): string {
  const side = content.score_kind === 'p_value' ? 'below' : 'above';
  return `${content.n_drifted_features}/${content.total_features} features drifted (${content.method} ${side} ${content.threshold})`;
}

export function alertPayload(content: AlertContent, format: AlertFormat): unknown {
  const title = `driftcatcher: ${content.verdict.toUpperCase()} - data drift on ${content.model.name} v${content.model.version ?? '?'}`;
  const summary = `${overallText(content)}, ${driftedText(content)}; reference ${content.reference_rows} rows, current ${content.current_rows} rows (${content.current_file})`;
  const features = content.top_drifted_features.map((f) => `${f.name}: ${f4(f.score)}`).join('\n') || 'none';
  const overallField = `Overall score (${content.method})`;
  const overallValue = `${f4(content.overall_score)} (retrain ${content.score_kind === 'p_value' ? 'below' : 'above'} ${content.policy.retrain_overall}, alert ${content.score_kind === 'p_value' ? 'below' : 'above'} ${content.policy.alert_overall})`;
  const report = reportText(content);
  if (format === 'slack') {
    return {
      text: `${title}: ${summary}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: title } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Verdict*\n${content.verdict}` },
            { type: 'mrkdwn', text: `*${overallField}*\n${overallValue}` },
            { type: 'mrkdwn', text: `*Drifted features*\n${driftedText(content)}` },
            { type: 'mrkdwn', text: `*Rows*\nreference ${content.reference_rows}, current ${content.current_rows}` },
            { type: 'mrkdwn', text: `*Model*\n${content.model.name} v${content.model.version ?? '?'}` },
          ],
        },
        { type: 'section', text: { type: 'mrkdwn', text: `*Top drifted features*\n${features}` } },
        ...(report ? [{ type: 'section', text: { type: 'mrkdwn', text: `*HTML report*\n${report}` } }] : []),
      ],
    };
  }
  if (format === 'discord') {
    return {
      embeds: [
        {
          title,
          description: summary,
          color: content.verdict === 'retrain' ? 0xd32f2f : 0xf9a825,
          timestamp: content.timestamp,
          fields: [
            { name: 'Verdict', value: content.verdict, inline: true },
            { name: overallField, value: overallValue, inline: true },
            { name: 'Drifted features', value: driftedText(content), inline: true },
            { name: 'Rows', value: `reference ${content.reference_rows}, current ${content.current_rows}`, inline: true },
            { name: 'Model', value: `${content.model.name} v${content.model.version ?? '?'}`, inline: true },
            { name: 'Top drifted features', value: features },
            ...(report ? [{ name: 'HTML report', value: report }] : []),
          ],
        },
      ],
    };
  }
  return { source: 'driftcatcher', event: 'drift_alert', ...content };
}

/**
 * The dispatcher webhooks go through: one undici Agent (each attempt bounded by `timeoutMs`) with
 * engine/tracking's retry interceptor composed over it. `onRetry` hears every retry.
 */
async function webhookDispatcher(policy: RetryPolicy, timeoutMs: number, onRetry: () => void): Promise<{ dispatcher: Dispatcher; close: () => Promise<void> }> {
  // undici loads here, not with the engine: most runs never send an alert
  const { Agent } = await import('undici');
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { dispatcher: agent.compose(retryInterceptor(policy, onRetry)), close: () => agent.destroy() };
}

/** The retry policy of a webhook: `retries` retries, doubling from `backoffMs`, within a bound that every attempt and wait fits in. */
export function alertRetryPolicy(retries: number, backoffMs: number, timeoutMs: number, maxBackoffMs: number = AGENT_DEFAULTS.alertMaxBackoffMs): RetryPolicy {
  let waits = 0;
  for (let i = 0; i < retries; i++) waits += Math.min(backoffMs * 2 ** i, maxBackoffMs);
  return { maxRetries: retries, firstDelayMs: backoffMs, maxDelayMs: maxBackoffMs, totalMs: waits + (retries + 1) * timeoutMs };
}

/** What a training alert says (`train` with ALERT_ON_TRAINING): the registered version and its test metrics. */
export interface TrainingAlertContent {
  event: 'training_completed';
  model: { name: string; version: number; type: string; aliases: string[] };
  /** test-split metrics, named as the training run logs them */
  metrics: { roc_auc: number; accuracy: number; precision: number; recall: number; f1_score: number };
  train_rows: number;
  test_rows: number;
  timestamp: string;
}

/** The training alert of a result (the fields of engine/model's TrainResult it needs). */
export function trainingAlertContent(
  result: { version: number; registeredModel: string; modelType: string; aliases: readonly string[]; metrics: TrainingAlertContent['metrics']; data: { train_rows: number; test_rows: number } },
  now = new Date(),
): TrainingAlertContent {
  const { roc_auc, accuracy, precision, recall, f1_score } = result.metrics;
  return {
    event: 'training_completed',
    model: { name: result.registeredModel, version: result.version, type: result.modelType, aliases: [...result.aliases] },
    metrics: { roc_auc, accuracy, precision, recall, f1_score },
    train_rows: result.data.train_rows,
    test_rows: result.data.test_rows,
    timestamp: now.toISOString(),
  };
}

/** A training alert in the webhook's format (Slack `text` + `blocks`, Discord `embeds`, or the content as generic JSON). */
export function trainingAlertPayload(content: TrainingAlertContent, format: AlertFormat): unknown {
  const { model, metrics } = content;
  const title = `driftcatcher: trained ${model.name} v${model.version} (${model.type}${model.aliases.length ? `, ${model.aliases.join(', ')}` : ''})`;
  const scores = `roc_auc ${f4(metrics.roc_auc)}, accuracy ${f4(metrics.accuracy)}, precision ${f4(metrics.precision)}, recall ${f4(metrics.recall)}, f1_score ${f4(metrics.f1_score)}`;
  const summary = `${scores}; ${content.train_rows} train / ${content.test_rows} test rows`;
  if (format === 'slack') {
    return { text: `${title}: ${summary}`, blocks: [{ type: 'header', text: { type: 'plain_text', text: title } }, { type: 'section', text: { type: 'mrkdwn', text: `*Test metrics*\n${scores}\n*Rows*\n${content.train_rows} train / ${content.test_rows} test` } }] };
  }
  if (format === 'discord') {
    return { embeds: [{ title, description: summary, color: 0x2e7d32, timestamp: content.timestamp, fields: Object.entries(metrics).map(([name, value]) => ({ name, value: f4(value), inline: true })) }] };
  }
  return { source: 'driftcatcher', ...content };
}

/** POST the alert (a drift alert, or a training alert); retried with back-off; never throws. */
export async function sendAlert(content: AlertContent | TrainingAlertContent, options: AlertOptions): Promise<AlertOutcome> {
  const format = options.format ?? AGENT_DEFAULTS.alertFormat;
  const retries = options.retries ?? AGENT_DEFAULTS.alertRetries;
  const backoff = options.backoffMs ?? envBackoffMs() ?? AGENT_DEFAULTS.alertBackoffMs;
  const timeout = options.timeoutMs ?? AGENT_DEFAULTS.alertTimeoutMs;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    return { delivered: false, attempts: 0, format, error: 'the webhook is not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { delivered: false, attempts: 0, format, error: 'the webhook is not an http(s) URL' };
  const body = JSON.stringify('event' in content && content.event === 'training_completed' ? trainingAlertPayload(content, format) : alertPayload(content as AlertContent, format));
  let attempts = 1;
  const { dispatcher, close } = await webhookDispatcher(alertRetryPolicy(retries, backoff, timeout), timeout, () => void attempts++);
  try {
    const answer = await dispatcher.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': 'driftcatcher' } });
    await answer.body.dump();
    if (answer.statusCode >= 200 && answer.statusCode < 300) return { delivered: true, attempts, format, status: answer.statusCode };
    // an answer the retry interceptor does not retry (a request the receiver will never take)
    return { delivered: false, attempts, format, status: answer.statusCode, error: `webhook answered HTTP ${answer.statusCode}` };
  } catch (err) {
    const { statusCode, code } = err as { statusCode?: number; code?: string };
    // the interceptor's last answer after every retry (its error carries the status), or why no answer came
    if (typeof statusCode === 'number' && statusCode > 0) return { delivered: false, attempts, format, status: statusCode, error: `webhook answered HTTP ${statusCode}` };
    return { delivered: false, attempts, format, error: `webhook not reached${code ? ` (${code})` : ''}` };
  } finally {
    await close().catch(() => undefined);
  }
}
