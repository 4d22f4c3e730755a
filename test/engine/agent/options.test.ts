/**
 * The agent's options: AGENT_DEFAULTS is what an empty AgentOptions resolves to, the environment
 * comes between the caller and the defaults, and a bad value is a UsageError naming the option.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_DEFAULTS, resolveAgentOptions } from '../../../engine/agent/index.js';

describe('resolveAgentOptions', () => {
  it('an empty options object resolves to AGENT_DEFAULTS', () => {
    const resolved = resolveAgentOptions({ env: {}, tracking: { ledgerDir: '/tmp/ledger-x' } });
    expect(resolved).toMatchObject({
      registry: AGENT_DEFAULTS.registry,
      registeredModel: AGENT_DEFAULTS.registeredModel,
      dir: join('/tmp/ledger-x', 'agent'),
      minRetrainHours: 24,
      alertCooldownHours: 6,
      minRetrainMs: 24 * 3_600_000,
      alertCooldownMs: 6 * 3_600_000,
      baseData: null,
      labeledData: [],
      canRetrain: false,
      webhookUrl: null,
      alert: { format: 'generic', retries: 3, backoffMs: 500, maxBackoffMs: 30_000, timeoutMs: 10_000 },
      holdoutShare: 0.3,
      promoteMetric: 'f1_score',
      seed: 42,
      record: true,
      reportDir: null,
    });
    expect(AGENT_DEFAULTS).toMatchObject({ registry: 'models', registeredModel: 'ddos_random_forest', nEstimators: 100, watchIntervalMs: 3_600_000 });
  });

  it('the caller comes first, then the environment (ALERT_WEBHOOK_URL, DRIFTCATCHER_ALERT_BACKOFF_MS), then the defaults', () => {
    const env = { ALERT_WEBHOOK_URL: 'http://127.0.0.1:1/hook', DRIFTCATCHER_ALERT_BACKOFF_MS: '20' };
    expect(resolveAgentOptions({ env })).toMatchObject({ webhookUrl: env.ALERT_WEBHOOK_URL, alert: { backoffMs: 20 } });
    expect(resolveAgentOptions({ env, webhookUrl: 'http://127.0.0.1:2/x', alertBackoffMs: 7 })).toMatchObject({ webhookUrl: 'http://127.0.0.1:2/x', alert: { backoffMs: 7 } });
    // an empty or unreadable variable is not a setting
    expect(resolveAgentOptions({ env: { ALERT_WEBHOOK_URL: ' ', DRIFTCATCHER_ALERT_BACKOFF_MS: 'soon' } })).toMatchObject({ webhookUrl: null, alert: { backoffMs: 500 } });
    // retraining needs both the labelled files and the base data
    expect(resolveAgentOptions({ env: {}, labeledData: ['a.csv'] }).canRetrain).toBe(false);
    expect(resolveAgentOptions({ env: {}, labeledData: ['a.csv'], baseData: 'b.csv' }).canRetrain).toBe(true);
  });

  it.each([
    [{ minRetrainHours: -1 }, 'minRetrainHours'],
    [{ alertCooldownHours: Number.NaN }, 'alertCooldownHours'],
    [{ holdoutShare: 0 }, 'holdoutShare'],
    [{ holdoutShare: 1 }, 'holdoutShare'],
    [{ promoteMetric: 'auc' as never }, 'promoteMetric'],
    [{ alertFormat: 'teams' as never }, 'alertFormat'],
    [{ alertRetries: 1.5 }, 'alertRetries'],
    [{ alertBackoffMs: -5 }, 'alertBackoffMs'],
  ])('%j is a UsageError naming %s', (options, option) => {
    let error: unknown;
    try {
      resolveAgentOptions({ env: {}, ...options });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'DC_ERR_USAGE', option });
    expect((error as Error).message).toMatch(new RegExp(`^${option}: `));
    expect((error as Error).message).not.toMatch(/--/);
  });
});
