/**
 * The alerts of `check` (ALERT_ON_DRIFT, `--alert-on-drift`) and `train` (ALERT_ON_TRAINING,
 * `--alert-on-training`): the switch and the webhook come resolved from cli/settings.ts (flag >
 * environment > config file), the payload and its delivery from engine/agent's alerts (the path
 * the agent's alerts take). One stderr line says what happened, never the URL.
 */
import type { AlertContent, AlertFormat, TrainingAlertContent } from '../engine/agent/index.js';

export interface AlertSwitch {
  /** the command's switch (alertOnDrift or alertOnTraining) */
  on: boolean | undefined;
  webhookUrl?: string;
  alertFormat: AlertFormat;
  /** `ALERT_ON_DRIFT` / `ALERT_ON_TRAINING`, for the line that says no webhook is set */
  setting: string;
}

/** Post `content()` when the switch is on; the stderr line of the outcome. */
export async function alertIfOn(alert: AlertSwitch, content: () => Promise<AlertContent | TrainingAlertContent>): Promise<void> {
  if (alert.on !== true) return;
  if (!alert.webhookUrl) {
    process.stderr.write(`driftcatcher: warning: ${alert.setting} is on but no webhook is set ($ALERT_WEBHOOK_URL or --webhook-url): no alert sent\n`);
    return;
  }
  const { sendAlert } = await import('../engine/agent/index.js');
  const outcome = await sendAlert(await content(), { url: alert.webhookUrl, format: alert.alertFormat });
  process.stderr.write(outcome.delivered ? `driftcatcher: alert sent (${outcome.format}, HTTP ${outcome.status})\n` : `driftcatcher: warning: alert not delivered after ${outcome.attempts} attempt(s): ${outcome.error}\n`);
}
