/**
 * MlflowClient's deadline, in milliseconds and without the CLI: every way of being slow is a
 * TrackingError `unreachable` within the bound on a request with its retries; once a request ran
 * out of time the client asks nothing more of that server (a command waits one deadline, not one
 * per request); an answer longer than maxAnswerBytes is dropped unread; and the client closes with
 * no socket left holding the process (the test's own servers see their connections closed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { MlflowClient, resolveTracking, type ServerSettings } from '../../../engine/tracking/index.js';
import { TrackingError } from '../../../engine/index.js';
import { SLOW_WAYS, startSlowServer, type SlowServer, type SlowWay } from './support.js';

const BOUND_MS = 600;
const servers = new Map<SlowWay, SlowServer>();

function settings(uri: string, extra: Partial<ServerSettings> = {}): ServerSettings {
  return { ...resolveTracking({ trackingUri: uri, retry: { totalMs: BOUND_MS, firstDelayMs: 20 } }).server!, ...extra };
}

/** The TrackingError `work` fails with; a call still pending after 5 s fails the test instead of hanging it. */
async function failure(work: Promise<unknown>): Promise<TrackingError> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('still pending after 5 s')), 5000)));
  try {
    await Promise.race([work, hung]);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(TrackingError);
    return err as TrackingError;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('expected a TrackingError');
}

beforeAll(async () => {
  for (const way of SLOW_WAYS) servers.set(way, await startSlowServer(way));
});
afterAll(async () => {
  for (const server of servers.values()) await server.close();
});

describe('one deadline per request, retries and the answer included', () => {
  it.each(SLOW_WAYS)('%s: unreachable within the bound', async (way) => {
    const client = new MlflowClient(settings(servers.get(way)!.uri));
    const started = performance.now();
    const err = await failure(client.call('GET', 'experiments/get-by-name', { experiment_name: 'x' }));
    const ms = performance.now() - started;
    await client.close();
    expect(err.failure).toBe('unreachable');
    expect(err.code).toBe('DC_ERR_TRACKING_HTTP');
    expect(err.endpoint).toBe('GET /api/2.0/mlflow/experiments/get-by-name');
    // a body without end: the 32 MiB limit or the deadline, whichever comes first (the server shares this thread)
    const expected = { 'a 2 GiB body': /answered GET \S+ with more than 33554432 bytes/, 'a body that never ends': /with more than 33554432 bytes|did not answer GET \S+ within 0\.6 s/ } as Record<string, RegExp>;
    expect(err.message).toMatch(expected[way] ?? /did not answer GET \S+ within 0\.6 s/);
    expect(ms).toBeLessThan(BOUND_MS + 1000);
  });

  it('after a request ran out of time, the next one is not sent', async () => {
    const silent = servers.get('never answers')!;
    const client = new MlflowClient(settings(silent.uri));
    await failure(client.call('GET', 'experiments/get-by-name', { experiment_name: 'x' }));
    const seen = silent.requests;
    const started = performance.now();
    const next = await failure(client.call('POST', 'runs/create', { experiment_id: '1' }, 'unprocessedOnly'));
    expect(performance.now() - started).toBeLessThan(50);
    expect(next.failure).toBe('unreachable');
    expect(next.message).toMatch(/was not asked for POST \S+runs\/create: an earlier request got no answer within 0\.6 s/);
    expect(silent.requests).toBe(seen);
    await client.close();
  });
});

describe('answers are read up to maxAnswerBytes', () => {
  let server: Server;
  let uri: string;
  beforeAll(async () => {
    // a server that answers a 2 KiB JSON document, chunked (no content-length to go by)
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ experiment: { experiment_id: '1', name: 'x'.repeat(2048) } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('within the limit the answer is read; beyond it, unreachable', async () => {
    const roomy = new MlflowClient(settings(uri));
    expect(await roomy.call<{ experiment: { name: string } }>('GET', 'experiments/get-by-name', { experiment_name: 'x' })).toMatchObject({ experiment: { experiment_id: '1' } });
    await roomy.close();
    const tight = new MlflowClient(settings(uri, { maxAnswerBytes: 1024 }));
    const err = await failure(tight.call('GET', 'experiments/get-by-name', { experiment_name: 'x' }));
    expect(err.failure).toBe('unreachable');
    expect(err.message).toMatch(/answered GET \S+ with more than 1024 bytes \(status 200\); that is not an MLflow answer$/);
    await tight.close();
  });
});
