/**
 * Credentials: the auth interceptor puts them on every attempt (retries included) and nowhere
 * else; the redactor blanks every form of them; and the MLflow client's messages carry none, even
 * when the server echoes them back. Against a scripted server on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { TrackingError } from '../../../../engine/util/index.js';
import { MlflowClient, authHeader, authInterceptor, redactor, resolveTracking, retryInterceptor, type Auth } from '../../../../engine/tracking/index.js';
import { scriptedServer, type Answer, type ScriptedServer } from './server.js';

const TOKEN = 'tok-5f2a9c7e1b';
const BASIC: Auth = { kind: 'basic', username: 'alice', password: 'p@ss w/rd:9' };
const servers: ScriptedServer[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.destroy();
  for (const server of servers.splice(0)) await server.close();
});

async function serve(script: (index: number, req: IncomingMessage) => Answer): Promise<ScriptedServer> {
  const server = await scriptedServer(script);
  servers.push(server);
  return server;
}

function withAuth(auth: Auth | null): Dispatcher {
  const agent = new Agent();
  agents.push(agent);
  // as httpDispatcher composes them: auth inside the retries, so that every attempt carries it
  return agent.compose(authInterceptor(auth), retryInterceptor({ maxRetries: 3, firstDelayMs: 10, maxDelayMs: 20, totalMs: 5000 }));
}

async function get(dispatcher: Dispatcher, origin: string, headers: Record<string, string> = {}): Promise<number> {
  const answer = await dispatcher.request({ origin, path: '/api', method: 'GET', headers });
  await answer.body.dump();
  return answer.statusCode;
}

describe('the auth interceptor', () => {
  it('sends Bearer <token> on the first attempt and on every retry', async () => {
    const server = await serve((i) => (i < 2 ? { status: 503 } : { status: 200 }));
    expect(await get(withAuth({ kind: 'bearer', token: TOKEN }), server.origin)).toBe(200);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('sends Basic base64(user:password)', async () => {
    const server = await serve(() => ({ status: 200 }));
    await get(withAuth(BASIC), server.origin);
    const sent = server.seen[0]!.headers.authorization!;
    expect(sent).toBe(`Basic ${Buffer.from('alice:p@ss w/rd:9').toString('base64')}`);
    expect(authHeader(BASIC)).toBe(sent);
  });

  it('replaces an Authorization header the caller set, and keeps the other headers', async () => {
    const server = await serve(() => ({ status: 200 }));
    await get(withAuth({ kind: 'bearer', token: TOKEN }), server.origin, { Authorization: 'Bearer stale', 'x-trace': 'abc' });
    expect(server.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.seen[0]!.headers['x-trace']).toBe('abc');
  });

  it('without credentials adds nothing', async () => {
    const server = await serve(() => ({ status: 200 }));
    await get(withAuth(null), server.origin, { 'x-trace': 'abc' });
    expect(server.seen[0]!.headers.authorization).toBeUndefined();
    expect(authHeader(null)).toBeNull();
  });
});

describe('redaction', () => {
  it('blanks the token, the password, user:password, its Basic and URL-encoded forms and user info in URLs', () => {
    const bearer = redactor({ auth: { kind: 'bearer', token: TOKEN } });
    expect(bearer(`refused Bearer ${TOKEN} at http://bob:hunter22@host:5000/x`)).toBe('refused Bearer *** at http://host:5000/x');
    const basic = redactor({ auth: BASIC });
    const base64 = Buffer.from('alice:p@ss w/rd:9').toString('base64');
    const text = basic(`a p@ss w/rd:9 b alice:p@ss w/rd:9 c ${base64} d ${encodeURIComponent('p@ss w/rd:9')}`);
    expect(text).toBe('a *** b *** c *** d ***');
    expect(redactor(null)('nothing http://u:p@h/ here')).toBe('nothing http://h/ here');
  });

  it('the MLflow client’s errors carry no credential, even when the server echoes them', async () => {
    // the answer quotes the credentials it got, decoded too
    const echo = (status: number, req: IncomingMessage): Answer => {
      const sent = req.headers.authorization ?? '';
      const decoded = sent.startsWith('Basic ') ? Buffer.from(sent.slice(6), 'base64').toString() : '';
      return { status, body: JSON.stringify({ error_code: 'X', message: `you sent ${sent} (${decoded})` }) };
    };
    const server = await serve((i, req) => echo(i === 0 ? 400 : 409, req));
    for (const [auth, env] of [
      ['bearer', { MLFLOW_TRACKING_TOKEN: TOKEN }],
      ['basic', { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'p@ss w/rd:9' }],
    ] as const) {
      const settings = resolveTracking({ trackingUri: server.uri, env, retry: { maxRetries: 0 } }).server!;
      expect(settings.auth?.kind).toBe(auth);
      const client = new MlflowClient(settings);
      const error = await client.call('GET', 'experiments/get-by-name', { experiment_name: 'x' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      await client.close();
      expect(error).toBeInstanceOf(TrackingError);
      const message = (error as TrackingError).message;
      expect(message).toMatch(/^MLflow server http:\/\/127\.0\.0\.1:\d+ /);
      expect(message).toMatch(/you sent (Bearer|Basic) \*\*\* \((alice:)?(\*\*\*)?\)/);
      for (const secret of [TOKEN, 'p@ss w/rd:9', Buffer.from('alice:p@ss w/rd:9').toString('base64')]) expect(message).not.toContain(secret);
    }
    // the server did get the credentials
    expect(server.seen.map((s) => s.headers.authorization?.split(' ')[0])).toEqual(['Bearer', 'Basic']);
  });
});
