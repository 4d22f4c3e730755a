/** A scripted HTTP server on 127.0.0.1 for the interceptor tests: what it answers the n-th request, and what it saw. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** An answer; `reset`: the connection is destroyed without one; `silent`: never answered; `drip`: headers, then a byte every `everyMs`. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'reset' | 'silent' | { drip: number };

export interface Arrival {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** ms since the server started */
  at: number;
}

export interface ScriptedServer {
  uri: string;
  origin: string;
  seen: Arrival[];
  /** gaps between consecutive arrivals, ms */
  gaps(): number[];
  close(): Promise<void>;
}

export async function scriptedServer(script: (index: number, req: IncomingMessage) => Answer): Promise<ScriptedServer> {
  const started = performance.now();
  const seen: Arrival[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = seen.length;
    seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, at: performance.now() - started });
    const answer = script(index, req);
    req.resume();
    req.on('end', () => {
      if (answer === 'reset') return req.socket.destroy();
      if (answer === 'silent') return;
      if ('drip' in answer) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const timer = setInterval(() => res.write('x'), answer.drip);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? JSON.stringify({ answer: index }));
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  return {
    uri: origin,
    origin,
    seen,
    gaps: () => seen.slice(1).map((s, i) => s.at - seen[i]!.at),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
