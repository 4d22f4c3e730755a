/**
 * The deadline interceptor, composed outside the retries (as httpDispatcher composes it), against
 * a scripted server on 127.0.0.1: one bound over the request, its retries, their waits and the
 * reading of the answer; past it the request fails with a DeadlineError and no further attempt
 * reaches the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, type Dispatcher } from 'undici';
import { TrackingError } from '../../../../engine/util/index.js';
import { DeadlineError, deadlineInterceptor, httpDispatcher, retryInterceptor, type RetryPolicy } from '../../../../engine/tracking/index.js';
import { scriptedServer, type Answer, type ScriptedServer } from './server.js';

const servers: ScriptedServer[] = [];
const dispatchers: Dispatcher[] = [];

afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function serve(script: (index: number) => Answer): Promise<ScriptedServer> {
  const server = await scriptedServer(script);
  servers.push(server);
  return server;
}

function composed(deadlineMs: number, retry?: RetryPolicy): Dispatcher {
  const agent = new Agent();
  dispatchers.push(agent);
  return agent.compose([...(retry ? [retryInterceptor(retry)] : []), deadlineInterceptor(deadlineMs)]);
}

/** The request's body as text, or the error it failed with, and how long it took. */
async function fetchText(dispatcher: Dispatcher, origin: string): Promise<{ text?: string; error?: Error; ms: number }> {
  const started = performance.now();
  try {
    const answer = await dispatcher.request({ origin, path: '/slow', method: 'GET' });
    const text = await answer.body.text();
    return { text, ms: performance.now() - started };
  } catch (error) {
    return { error: error as Error, ms: performance.now() - started };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one deadline over the whole request', () => {
  it('a server that never answers: a DeadlineError (TrackingError unreachable) at the deadline', async () => {
    const server = await serve(() => 'silent');
    const outcome = await fetchText(composed(300), server.origin);
    expect(outcome.error).toBeInstanceOf(DeadlineError);
    expect(outcome.error).toBeInstanceOf(TrackingError);
    expect(outcome.error).toMatchObject({ code: 'DC_ERR_TRACKING_HTTP', failure: 'unreachable', deadlineMs: 300, message: 'no answer within 0.3 s' });
    expect(outcome.ms).toBeGreaterThanOrEqual(295);
    expect(outcome.ms).toBeLessThan(1300);
  });

  it('a body dripping in: the reading of the answer fails at the deadline too', async () => {
    const server = await serve(() => ({ drip: 50 }));
    const outcome = await fetchText(composed(400), server.origin);
    expect(outcome.error).toBeInstanceOf(DeadlineError);
    expect(outcome.ms).toBeGreaterThanOrEqual(395);
    expect(outcome.ms).toBeLessThan(1400);
  });

  it('a wait between retries is cut short, and the retry it was waiting for never reaches the server', async () => {
    const server = await serve((i) => (i === 0 ? { status: 503 } : { status: 200 }));
    // the retry would come after 600 ms; the deadline is at 250 ms
    const outcome = await fetchText(composed(250, { maxRetries: 3, firstDelayMs: 600, maxDelayMs: 600, totalMs: 10_000 }), server.origin);
    expect(outcome.error).toBeInstanceOf(DeadlineError);
    expect(outcome.ms).toBeLessThan(600);
    await sleep(700);
    expect(server.seen).toHaveLength(1);
  });

  it('retries within the deadline go on as usual', async () => {
    const server = await serve((i) => (i < 2 ? { status: 503 } : { status: 200, body: 'done' }));
    const outcome = await fetchText(composed(3000, { maxRetries: 3, firstDelayMs: 20, maxDelayMs: 50, totalMs: 3000 }), server.origin);
    expect(outcome.text).toBe('done');
    expect(server.seen).toHaveLength(3);
  });

  it('an answer within the deadline is passed on whole, and nothing happens when the deadline passes later', async () => {
    const body = 'y'.repeat(100_000);
    const server = await serve(() => ({ status: 200, body }));
    const dispatcher = composed(200);
    const outcome = await fetchText(dispatcher, server.origin);
    expect(outcome.text).toBe(body);
    await sleep(300);
    // the same dispatcher still works after the first request's deadline time
    expect((await fetchText(dispatcher, server.origin)).text).toBe(body);
  });

  it('deadline 0: none', async () => {
    const server = await serve(() => ({ drip: 20 }));
    const dispatcher = composed(0);
    const answer = await dispatcher.request({ origin: server.origin, path: '/', method: 'GET' });
    let bytes = 0;
    for await (const chunk of answer.body) {
      bytes += (chunk as Buffer).length;
      if (bytes >= 5) break;
    }
    expect(bytes).toBeGreaterThanOrEqual(5);
  });
});

describe('httpDispatcher', () => {
  it('composes retries inside the deadline, which defaults to retry.totalMs', async () => {
    const server = await serve(() => 'silent');
    const dispatcher = httpDispatcher({ retry: { totalMs: 300, firstDelayMs: 20 } });
    dispatchers.push(dispatcher);
    const outcome = await fetchText(dispatcher, server.origin);
    expect(outcome.error).toBeInstanceOf(DeadlineError);
    expect((outcome.error as DeadlineError).deadlineMs).toBe(300);
    expect(outcome.ms).toBeLessThan(1300);
  });

  it('retries 5xx and counts each retry for the caller (onRetry)', async () => {
    const server = await serve((i) => (i < 2 ? { status: 502 } : { status: 204, body: '' }));
    const attempts: number[] = [];
    const dispatcher = httpDispatcher({ retry: { firstDelayMs: 10, maxRetries: 3 }, deadlineMs: 5000, onRetry: (note) => attempts.push(note.attempt) });
    dispatchers.push(dispatcher);
    const answer = await dispatcher.request({ origin: server.origin, path: '/hook', method: 'POST', body: '{}' });
    await answer.body.dump();
    expect(answer.statusCode).toBe(204);
    expect(attempts).toEqual([1, 2]);
    expect(server.seen.map((s) => s.method)).toEqual(['POST', 'POST', 'POST']);
  });

  it('retry: false sends once', async () => {
    const server = await serve(() => ({ status: 503 }));
    const dispatcher = httpDispatcher({ retry: false, deadlineMs: 2000 });
    dispatchers.push(dispatcher);
    const answer = await dispatcher.request({ origin: server.origin, path: '/', method: 'GET' });
    await answer.body.dump();
    expect(answer.statusCode).toBe(503);
    expect(server.seen).toHaveLength(1);
  });
});
