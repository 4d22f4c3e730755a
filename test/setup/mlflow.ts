/**
 * A real MLflow tracking server for the tests: `mlflow server` from the test venv on 127.0.0.1 and
 * a free port, with a SQLite backend store and a proxied artifact folder in a temp directory.
 * Started in the background (the caller waits with `waitForMlflow`); stopped with its whole
 * process group. The background job runner is turned off: it is not needed and costs CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface MlflowServer {
  uri: string;
  port: number;
  /** holds mlflow.db, artifacts/ and server.log */
  dir: string;
  logFile: string;
  process: ChildProcess;
  /** SIGTERM the process group, SIGKILL after 5 s; resolves once it is gone */
  stop(): Promise<void>;
  /** SIGKILL the process group at once (a crash) */
  kill(): Promise<void>;
}

/** The environment of every MLflow process the tests start (no telemetry: the tests run offline). */
export const MLFLOW_TEST_ENV: Record<string, string> = {
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
  MLFLOW_DISABLE_TELEMETRY: 'true',
  DO_NOT_TRACK: 'true',
  PYTHONUNBUFFERED: '1',
  PYTHONWARNINGS: 'ignore',
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Start `mlflow server` (does not wait for it to answer). */
export function startMlflowServer(python: string, dir: string, port: number): MlflowServer {
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  const mlflow = join(dirname(python), process.platform === 'win32' ? 'mlflow.exe' : 'mlflow');
  const args = [
    'server',
    '--host', '127.0.0.1',
    '--port', String(port),
    '--workers', '1',
    '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`,
    '--artifacts-destination', join(dir, 'artifacts'),
  ];
  const child = spawn(mlflow, args, { cwd: dir, detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...MLFLOW_TEST_ENV } });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  return {
    uri: `http://127.0.0.1:${port}`,
    port,
    dir,
    logFile,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return signal('SIGKILL');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      signal('SIGKILL'); // uvicorn children that outlived the parent
    },
    async kill() {
      signal('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await exited;
    },
  };
}

/** Wait until the server answers /health; the error carries the end of its log. */
export async function waitForMlflow(uri: string, logFile?: string, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() - started > timeoutMs) {
      let tail = '';
      try {
        tail = readFileSync(logFile ?? '', 'utf8').trim().split('\n').slice(-8).join(' | ');
      } catch {
        // no log
      }
      throw new Error(`the MLflow test server at ${uri} did not answer within ${timeoutMs / 1000} s${tail ? `: ${tail}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
