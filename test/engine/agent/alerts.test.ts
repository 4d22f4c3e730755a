/**
 * Webhook alerts, each piece in milliseconds against real HTTP servers on 127.0.0.1: delivery
 * through the tracking area's retry interceptor (a server that fails twice then accepts, one that
 * always fails, one that refuses the request, a closed port, `Retry-After`, the doubling back-off
 * and DRIFTCATCHER_ALERT_BACKOFF_MS), the URL never in an outcome; and the content: the method
 * actually chosen and its overall score with the verdict's thresholds, PSI only when it is the method.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertContent, alertPayload, sendAlert, type AlertContent } from '../../../engine/agent/index.js';
import { checkDrift, type DriftReport } from '../../../engine/drift/index.js';
import { createBaseline } from '../../../engine/profile/index.js';
import { FLOWS_299, HEAD_9998 } from '../../helpers.js';

interface Hit {
  at: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A webhook on 127.0.0.1 answering the n-th request (1-based) with `answer(n)`; the requests it got. */
async function webhook(answer: (n: number) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      hits.push({ at: performance.now(), body: JSON.parse(text), headers: req.headers });
      const { status, headers } = answer(hits.length);
      res.writeHead(status, headers);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/SECRET-token-123?key=SECRET-key`, hits };
}

/** A port nothing listens on (a server opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const gaps = (hits: Hit[]) => hits.slice(1).map((h, i) => h.at - hits[i]!.at);

let psiReport: DriftReport;
let hellingerReport: DriftReport;
let content: AlertContent;
beforeAll(async () => {
  const profile = await createBaseline(HEAD_9998);
  psiReport = await checkDrift(profile, FLOWS_299, { workers: 0 });
  hellingerReport = await checkDrift(profile, FLOWS_299, { workers: 0, method: 'hellinger' });
  content = alertContent(psiReport, { name: 'ddos_random_forest', version: 3 }, new Date('2025-06-01T12:00:00Z'));
});

describe('sendAlert: delivery through the retry interceptor', () => {
  it('a webhook that fails twice then accepts: delivered on the third attempt, after back-offs that double', async () => {
    const hook = await webhook((n) => ({ status: n <= 2 ? 503 : 200 }));
    const outcome = await sendAlert(content, { url: hook.url, format: 'generic', retries: 3, backoffMs: 80 });
    expect(outcome).toEqual({ delivered: true, attempts: 3, format: 'generic', status: 200 });
    expect(hook.hits).toHaveLength(3);
    // the same payload each time, as JSON
    for (const hit of hook.hits) expect(hit.body).toEqual(hook.hits[0]!.body);
    expect(hook.hits[0]!.headers['content-type']).toBe('application/json');
    const [first, second] = gaps(hook.hits);
    expect(first!).toBeGreaterThanOrEqual(75);
    expect(second!).toBeGreaterThanOrEqual(155);
  });

  it('a webhook that always fails: every retry spent, not delivered, the last status kept, no URL anywhere', async () => {
    const hook = await webhook(() => ({ status: 500 }));
    const outcome = await sendAlert(content, { url: hook.url, format: 'slack', retries: 3, backoffMs: 5 });
    expect(outcome).toEqual({ delivered: false, attempts: 4, format: 'slack', status: 500, error: 'webhook answered HTTP 500' });
    expect(hook.hits).toHaveLength(4);
    expect(JSON.stringify(outcome)).not.toMatch(/SECRET|127\.0\.0\.1|hooks/);
  });

  it('an answer that says the request will never be taken (404) is not retried', async () => {
    const hook = await webhook(() => ({ status: 404 }));
    const outcome = await sendAlert(content, { url: hook.url, retries: 3, backoffMs: 5 });
    expect(outcome).toEqual({ delivered: false, attempts: 1, format: 'generic', status: 404, error: 'webhook answered HTTP 404' });
    expect(hook.hits).toHaveLength(1);
  });

  it('Retry-After is respected: the next attempt waits as long as the webhook asks', async () => {
    const hook = await webhook((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }));
    const outcome = await sendAlert(content, { url: hook.url, retries: 3, backoffMs: 10 });
    expect(outcome).toMatchObject({ delivered: true, attempts: 2, status: 204 });
    expect(gaps(hook.hits)[0]!).toBeGreaterThanOrEqual(950);
  });

  it('nothing listening: retried, then "webhook not reached" with the connection error code', async () => {
    const port = await closedPort();
    const outcome = await sendAlert(content, { url: `http://127.0.0.1:${port}/SECRET`, retries: 2, backoffMs: 5 });
    expect(outcome).toEqual({ delivered: false, attempts: 3, format: 'generic', error: 'webhook not reached (ECONNREFUSED)' });
  });

  it('DRIFTCATCHER_ALERT_BACKOFF_MS sets the first back-off when the caller gives none', async () => {
    const hook = await webhook((n) => ({ status: n <= 2 ? 502 : 200 }));
    const saved = process.env['DRIFTCATCHER_ALERT_BACKOFF_MS'];
    process.env['DRIFTCATCHER_ALERT_BACKOFF_MS'] = '300';
    try {
      expect(await sendAlert(content, { url: hook.url, retries: 2 })).toMatchObject({ delivered: true, attempts: 3 });
    } finally {
      if (saved === undefined) delete process.env['DRIFTCATCHER_ALERT_BACKOFF_MS'];
      else process.env['DRIFTCATCHER_ALERT_BACKOFF_MS'] = saved;
    }
    const [first, second] = gaps(hook.hits);
    expect(first!).toBeGreaterThanOrEqual(290);
    expect(second!).toBeGreaterThanOrEqual(590);
  });

  it('a webhook that is not an http(s) URL is not sent, and the outcome does not repeat it', async () => {
    expect(await sendAlert(content, { url: 'ftp://SECRET@example.invalid/x' })).toEqual({ delivered: false, attempts: 0, format: 'generic', error: 'the webhook is not an http(s) URL' });
    expect(await sendAlert(content, { url: 'not a url SECRET' })).toEqual({ delivered: false, attempts: 0, format: 'generic', error: 'the webhook is not a valid URL' });
  });
});

describe('alert content: the method actually chosen', () => {
  it('PSI: overall_score with the verdict thresholds, overall_psi kept for earlier consumers', () => {
    expect(content).toMatchObject({ method: 'psi', score_kind: 'distance', overall_score: psiReport.overall_score, overall_psi: psiReport.overall_score, threshold: 0.2, policy: { retrain_overall: 0.2, retrain_drifted_features: 5, alert_overall: 0.1 } });
    const slack = alertPayload(content, 'slack') as { text: string };
    expect(slack.text).toContain(`overall psi ${psiReport.overall_score.toFixed(4)} (retrain above 0.2, alert above 0.1)`);
    expect(slack.text).toMatch(/\d+\/\d+ features drifted \(psi above 0\.2\)/);
  });

  it('Hellinger: named as such everywhere, its own threshold, no PSI anywhere', () => {
    const hellinger = alertContent(hellingerReport, { name: 'm', version: 1 });
    expect(hellinger.method).toBe('hellinger');
    expect(hellinger.overall_score).toBe(hellingerReport.overall_score);
    expect(hellinger.threshold).toBe(hellingerReport.settings.threshold);
    expect(hellinger).not.toHaveProperty('overall_psi');
    for (const f of hellinger.top_drifted_features) expect(f.score).toBe(hellingerReport.features.find((x) => x.name === f.name)!.score);
    for (const format of ['slack', 'discord', 'generic'] as const) {
      const text = JSON.stringify(alertPayload(hellinger, format));
      expect(text, format).not.toMatch(/psi/i);
      if (format !== 'generic') expect(text, format).toContain(`overall hellinger ${hellingerReport.overall_score.toFixed(4)}`);
    }
    const discord = alertPayload(hellinger, 'discord') as { embeds: Array<{ fields: Array<{ name: string }> }> };
    expect(discord.embeds[0]!.fields.map((f) => f.name)).toContain('Overall score (hellinger)');
  });
});

describe('alert content: the HTML report of the check', () => {
  it('names the report file and the run page in every format when a report was made, and nothing otherwise', () => {
    const withReport = alertContent(psiReport, { name: 'm', version: 1 }, new Date(), 5, { file: '/reports/batch.csv.20250601_120000.html', url: 'http://mlflow:5000/#/experiments/1/runs/abc' });
    expect(withReport.report).toEqual({ file: '/reports/batch.csv.20250601_120000.html', url: 'http://mlflow:5000/#/experiments/1/runs/abc' });
    for (const format of ['slack', 'discord', 'generic'] as const) {
      const text = JSON.stringify(alertPayload(withReport, format));
      expect(text, format).toContain('/reports/batch.csv.20250601_120000.html');
      expect(text, format).toContain('http://mlflow:5000/#/experiments/1/runs/abc');
      expect(JSON.stringify(alertPayload(content, format)), format).not.toContain('.html');
    }
    expect(content).not.toHaveProperty('report');
  });
});
