/** Helpers of the tracking tests: the CLI run without blocking, MLflow read-back, a fault-injecting proxy. */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket, createServer as createNetServer, type Server } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cliArgs, ROOT } from '../../helpers.js';
import { MLFLOW_TEST_ENV } from '../../setup/mlflow.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TimedCliResult extends CliResult {
  /** wall time of the child process, ms */
  ms: number;
  /** true when it was killed for running past `killAfterMs` */
  killed: boolean;
}

/**
 * Run the built CLI without blocking the event loop (the tests' proxies live in this process).
 * `killAfterMs`: SIGKILL it when it runs that long (a test of a time bound fails, not hangs).
 */
export function cliAsync(args: string[], options: { cwd?: string; env?: Record<string, string>; killAfterMs?: number } = {}): Promise<TimedCliResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...cliArgs(), ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => ((killed = true), child.kill('SIGKILL')), options.killAfterMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, killed });
    });
  });
}

export interface ReadbackMetric {
  value: number | 'NaN' | 'Infinity' | '-Infinity';
  step: number;
  timestamp: number;
}

export interface ReadbackRun {
  run_id: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number;
  artifact_uri: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, ReadbackMetric[]>;
  /** path -> base64 */
  artifacts: Record<string, string>;
  inputs: { datasets: ReadbackDataset[]; models: string[] };
}

export interface ReadbackDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string;
  profile: string;
  tags: Record<string, string>;
}

export interface ReadbackVersion {
  version: string;
  source: string;
  run_id: string;
  model_id: string | null;
  status: string;
  aliases: string[];
  tags: Record<string, string>;
  logged_model: null | { name: string; status: string; source_run_id: string; tags: Record<string, string>; artifacts: Record<string, string> };
}

export interface Readback {
  experiments: Record<string, null | { experiment_id: string; runs: ReadbackRun[]; logged_models: { model_id: string; name: string; source_run_id: string }[] }>;
  models: Record<string, null | { aliases: Record<string, string>; versions: ReadbackVersion[] }>;
}

/** What the server holds, read with MLflow's own Python client (test/reference/mlflow_readback.py). */
export function readback(python: string, uri: string, request: { experiments?: string[]; models?: string[] }): Readback {
  const result = spawnSync(python, [join(ROOT, 'test', 'reference', 'mlflow_readback.py'), uri, JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...MLFLOW_TEST_ENV },
  });
  if (result.status !== 0) throw new Error(`mlflow_readback.py failed (${result.status}): ${result.stderr.trim().split('\n').slice(-6).join(' | ')}`);
  return JSON.parse(result.stdout) as Readback;
}

export function unique(prefix: string): string {
  return `${prefix}${randomBytes(3).toString('hex')}`;
}

/** Every file under a folder with its text (to look for secrets). */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ path, text: readFileSync(path, 'latin1') });
    }
  };
  walk(dir);
  return out;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
  at: number;
  /** what the proxy did */
  action: string;
}

/**
 * What the proxy does with the n-th request (0-based): forward it, answer by itself, or forward it
 * and then drop the connection instead of passing the answer on (the server did the work, the
 * client never hears of it).
 */
export type ProxyAction = 'forward' | 'forward-then-drop' | { status: number; headers?: Record<string, string>; body?: string };

export interface Proxy {
  uri: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A tiny HTTP proxy in front of the MLflow server, with faults decided per request. */
export async function startProxy(upstream: string, decide: (req: IncomingMessage, index: number) => ProxyAction): Promise<Proxy> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = seen.length;
    const action = decide(req, index);
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      at: Date.now(),
      action: typeof action === 'string' ? action : String(action.status),
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (typeof action !== 'string') {
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
        res.end(action.body ?? JSON.stringify({ error_code: 'TEMPORARILY_UNAVAILABLE', message: `proxy says ${action.status}` }));
        return;
      }
      const headers = { ...req.headers, host: target.host };
      const forward = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          if (action === 'forward-then-drop') {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      forward.on('error', () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The MLflow endpoint of a proxied request path (`runs/log-batch`, `mlflow-artifacts/...`). */
export function endpointOf(path: string): string {
  return path.split('?')[0]!.replace(/^\/api\/2\.0\/(mlflow\/)?/, '');
}

/** base64 of a file's bytes, as the read-back reports artifacts. */
export function base64Of(file: string): string {
  return readFileSync(file).toString('base64');
}

/** How a tracking server can be slow (or answer without end). */
export type SlowWay = 'never answers' | 'headers, then no body' | 'drips a byte a second' | 'a body that never ends' | 'a stalled TLS handshake' | 'a 2 GiB body';
/** The ways a tracking server can be slow that the tests cover. */
export const SLOW_WAYS: SlowWay[] = ['never answers', 'headers, then no body', 'drips a byte a second', 'a body that never ends', 'a stalled TLS handshake', 'a 2 GiB body'];

export interface SlowServer {
  uri: string;
  requests: number;
  close(): Promise<void>;
}

/** Write `chunk` again and again as fast as the client reads, up to `limit` bytes, until the connection goes. */
function pump(res: ServerResponse, limit = Infinity): void {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const more = () => {
    while (!res.destroyed && sent < limit) {
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
  };
  res.on('drain', more);
  more();
}

/** A server on 127.0.0.1 that is slow in one way: `https` for the TLS stall, `http` for the others. */
export async function startSlowServer(way: SlowWay): Promise<SlowServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { requests: 0 };
  let server: Server;
  if (way === 'never answers' || way === 'a stalled TLS handshake') {
    // a TCP server that reads what comes (a request, or a TLS ClientHello) and says nothing
    server = createNetServer((socket) => {
      state.requests++;
      socket.on('data', () => undefined).on('error', () => undefined);
    });
  } else {
    server = createServer((req, res) => {
      state.requests++;
      req.resume();
      res.on('error', () => undefined);
      if (way === 'headers, then no body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
        res.flushHeaders();
      } else if (way === 'drips a byte a second') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(' ');
        const timer = setInterval(() => res.write(' '), 1000);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
      } else if (way === 'a body that never ends') {
        res.writeHead(200, { 'content-type': 'application/json' });
        pump(res);
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 ** 3) });
        pump(res, 2 * 1024 ** 3);
      }
    });
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `${way === 'a stalled TLS handshake' ? 'https' : 'http'}://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface SwitchableProxy {
  uri: string;
  /** up: connections are piped to the upstream server; down: accepted and closed at once (and open ones cut) */
  setUp(up: boolean): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of a real server that can be taken down and brought back on the same address. */
export async function startSwitchableProxy(upstream: string): Promise<SwitchableProxy> {
  const target = new URL(upstream);
  let up = true;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket)).on('error', () => undefined);
  };
  const server = createNetServer((client) => {
    track(client);
    if (!up) {
      client.destroy();
      return;
    }
    const server = new Socket();
    track(server);
    server.connect(Number(target.port), target.hostname);
    client.pipe(server).pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `http://127.0.0.1:${port}`,
    setUp(value: boolean) {
      up = value;
      if (!up) for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A ledger run.json as the tests read it, without the engine. */
export interface LedgerRunFile {
  id: string;
  experiment: string;
  run_name: string;
  status: string;
  start_time: number;
  end_time: number;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: { key: string; value: number | string; step: number; timestamp: number }[];
}

/** Every run.json of a ledger folder, read as files, newest first. */
export function ledgerRunFiles(ledgerDir: string): LedgerRunFile[] {
  const root = join(ledgerDir, 'runs');
  return readdirSync(root)
    .filter((n) => !n.startsWith('.'))
    .map((n) => JSON.parse(readFileSync(join(root, n, 'run.json'), 'utf8')) as LedgerRunFile)
    .sort((a, b) => b.start_time - a.start_time);
}
