/**
 * The retry interceptor alone, composed over an undici Agent, against a scripted server on
 * 127.0.0.1: which answers and connection errors are retried, the back-off, Retry-After, the
 * bounds (retries, total time), and the narrower scope of requests that must not run twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type Dispatcher } from 'undici';
import { RETRY_SCOPES, RETRY_STATUS, retryInterceptor, type RetryNote, type RetryPolicy, type RetryScope } from '../../../../engine/tracking/index.js';
import { closedPort, scriptedServer, type Answer, type ScriptedServer } from './server.js';

const QUICK: RetryPolicy = { maxRetries: 3, firstDelayMs: 20, maxDelayMs: 200, totalMs: 5000 };
const servers: ScriptedServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(script: (index: number) => Answer): Promise<ScriptedServer> {
  const server = await scriptedServer(script);
  servers.push(server);
  return server;
}

/** `answers` in turn, then 200 for every further request. */
const sequence = (...answers: Answer[]) => (index: number): Answer => answers[index] ?? { status: 200 };

interface Outcome {
  status?: number;
  body?: string;
  error?: Error & { code?: string; statusCode?: number };
  notes: RetryNote[];
  ms: number;
}

async function send(origin: string, policy: RetryPolicy, options: { method?: 'GET' | 'POST'; scope?: RetryScope } = {}): Promise<Outcome> {
  const notes: RetryNote[] = [];
  const agent = new Agent({ connect: { timeout: 2000 } });
  const dispatcher = agent.compose(retryInterceptor(policy, (note) => notes.push(note)));
  const started = performance.now();
  try {
    const method = options.method ?? 'GET';
    const answer = await dispatcher.request({
      origin,
      path: '/api/thing?secret=1',
      method,
      ...(method === 'POST' ? { body: '{"a":1}', headers: { 'content-type': 'application/json' } } : {}),
      ...(options.scope ? { retryOptions: RETRY_SCOPES[options.scope] } : {}),
    } as Dispatcher.RequestOptions);
    const body = await answer.body.text();
    return { status: answer.statusCode, body, notes, ms: performance.now() - started };
  } catch (err) {
    return { error: err as Error & { code?: string; statusCode?: number }, notes, ms: performance.now() - started };
  } finally {
    await agent.destroy();
  }
}

describe('what is retried', () => {
  it.each([...RETRY_STATUS])('%i is retried, then the answer comes through', async (status) => {
    const server = await serve(sequence({ status }));
    const outcome = await send(server.origin, QUICK);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toBe('{"answer":1}');
    expect(server.seen).toHaveLength(2);
    expect(outcome.notes).toEqual([{ method: 'GET', path: '/api/thing', attempt: 1, delayMs: 20, reason: String(status) }]);
  });

  it.each([400, 401, 403, 404, 409, 501])('%i is not retried: the answer is the caller’s', async (status) => {
    const server = await serve(sequence({ status, body: '{"error_code":"NO"}' }));
    const outcome = await send(server.origin, QUICK);
    expect(outcome.status).toBe(status);
    expect(outcome.body).toBe('{"error_code":"NO"}');
    expect(server.seen).toHaveLength(1);
    expect(outcome.notes).toEqual([]);
  });

  it('a connection reset before the answer is retried', async () => {
    const server = await serve(sequence('reset', 'reset'));
    const outcome = await send(server.origin, QUICK);
    expect(outcome.status).toBe(200);
    expect(server.seen).toHaveLength(3);
    expect(outcome.notes.map((n) => n.reason)).toEqual(['UND_ERR_SOCKET', 'UND_ERR_SOCKET']);
  });

  it('a refused connection is retried up to maxRetries, then its error is the caller’s', async () => {
    const outcome = await send(`http://127.0.0.1:${await closedPort()}`, QUICK);
    expect(outcome.error?.code).toBe('ECONNREFUSED');
    expect(outcome.notes.map((n) => [n.attempt, n.reason])).toEqual([
      [1, 'ECONNREFUSED'],
      [2, 'ECONNREFUSED'],
      [3, 'ECONNREFUSED'],
    ]);
  });
});

describe('back-off and bounds', () => {
  it('waits firstDelayMs, doubling up to maxDelayMs, for at most maxRetries; then fails with the last status', async () => {
    const server = await serve(() => ({ status: 503 }));
    const outcome = await send(server.origin, { maxRetries: 4, firstDelayMs: 40, maxDelayMs: 100, totalMs: 10_000 });
    expect(outcome.error).toMatchObject({ code: 'UND_ERR_REQ_RETRY', statusCode: 503 });
    expect(server.seen).toHaveLength(5);
    expect(outcome.notes.map((n) => n.delayMs)).toEqual([40, 80, 100, 100]);
    const gaps = server.gaps();
    for (const [i, expected] of [40, 80, 100, 100].entries()) expect(gaps[i], `gap ${i}`).toBeGreaterThanOrEqual(expected - 5);
  });

  it('respects Retry-After in seconds instead of the back-off', async () => {
    const server = await serve(sequence({ status: 429, headers: { 'retry-after': '1' } }));
    const outcome = await send(server.origin, QUICK);
    expect(outcome.status).toBe(200);
    expect(outcome.notes.map((n) => n.delayMs)).toEqual([1000]);
    expect(server.gaps()[0]).toBeGreaterThanOrEqual(990);
  });

  it('respects Retry-After as an HTTP date', async () => {
    const server = await serve(sequence({ status: 503, headers: { 'retry-after': new Date(Date.now() + 2000).toUTCString() } }));
    const outcome = await send(server.origin, QUICK);
    expect(outcome.status).toBe(200);
    // the date has whole seconds: between 1 and 2 s from now
    expect(outcome.notes[0]!.delayMs).toBeGreaterThan(900);
    expect(outcome.notes[0]!.delayMs).toBeLessThanOrEqual(2000);
    expect(server.gaps()[0]).toBeGreaterThanOrEqual(outcome.notes[0]!.delayMs - 10);
  });

  it('starts no retry that would end past totalMs: a Retry-After beyond it fails at once', async () => {
    const server = await serve(sequence({ status: 503, headers: { 'retry-after': '30' } }));
    const outcome = await send(server.origin, { ...QUICK, totalMs: 2000 });
    expect(outcome.error).toMatchObject({ code: 'UND_ERR_REQ_RETRY', statusCode: 503 });
    expect(server.seen).toHaveLength(1);
    expect(outcome.ms).toBeLessThan(1000);
  });

  it('stops retrying when the next wait would pass totalMs', async () => {
    const server = await serve(() => ({ status: 502 }));
    // waits of 150 and 300 ms: the second would end past 400 ms
    const outcome = await send(server.origin, { maxRetries: 5, firstDelayMs: 150, maxDelayMs: 1000, totalMs: 400 });
    expect(outcome.error).toMatchObject({ code: 'UND_ERR_REQ_RETRY', statusCode: 502 });
    expect(server.seen).toHaveLength(2);
    expect(outcome.notes.map((n) => n.delayMs)).toEqual([150]);
  });
});

describe('requests that must not run twice (unprocessedOnly)', () => {
  it('retry only what says the request was not processed: 408, 429, 503', async () => {
    for (const status of [408, 429, 503]) {
      const server = await serve(sequence({ status }));
      const outcome = await send(server.origin, QUICK, { method: 'POST', scope: 'unprocessedOnly' });
      expect(outcome.status, String(status)).toBe(200);
      expect(server.seen.map((s) => s.method)).toEqual(['POST', 'POST']);
    }
  });

  it('do not retry a 500 or a reset connection: the server may have done the work', async () => {
    const failing = await serve(sequence({ status: 500 }));
    expect((await send(failing.origin, QUICK, { method: 'POST', scope: 'unprocessedOnly' })).status).toBe(500);
    expect(failing.seen).toHaveLength(1);
    const resetting = await serve(sequence('reset'));
    const reset = await send(resetting.origin, QUICK, { method: 'POST', scope: 'unprocessedOnly' });
    expect(reset.error?.code).toBe('UND_ERR_SOCKET');
    expect(resetting.seen).toHaveLength(1);
  });

  it('do retry a refused connection: the request never left', async () => {
    const outcome = await send(`http://127.0.0.1:${await closedPort()}`, { ...QUICK, maxRetries: 1 }, { method: 'POST', scope: 'unprocessedOnly' });
    expect(outcome.error?.code).toBe('ECONNREFUSED');
    expect(outcome.notes).toHaveLength(1);
  });

  it('a POST in the default scope is retried like any other request', async () => {
    const server = await serve(sequence({ status: 500 }));
    const outcome = await send(server.origin, QUICK, { method: 'POST' });
    expect(outcome.status).toBe(200);
    expect(server.seen).toHaveLength(2);
  });
});
