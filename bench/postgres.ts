/**
 * A real PostgreSQL server for the sources benchmark and tests (test/setup/global-postgres.ts): Debian's postgresql binaries
 * (/usr/lib/postgresql/<version>/bin; `.ci/run` installs the package when they are missing),
 * initdb in a temp data dir, `postgres` on a free loopback port, a password (scram-sha-256) so
 * that the tests can check it is never printed. PostgreSQL refuses to run as root: as uid 0 the
 * server runs as the `postgres` user (runuser), owning the dir. With `tls`, the server has
 * `ssl = on` with the given certificate and key, and pg_hba.conf takes TCP connections over TLS only
 * (`hostssl`: a client without TLS is refused).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export const PG_USER = 'driftcatcher';
export const PG_DATABASE = 'drift';

export interface PostgresServer {
  /** postgres://driftcatcher:<password>@127.0.0.1:<port>/drift */
  url: string;
  password: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0]!, 'bin') : null;
}

/** A free loopback TCP port. */
function freePort(): Promise<number> {
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

export interface PostgresOptions {
  /** TLS only: the server's certificate and key (PEM files), copied into the server's dir */
  tls?: { certFile: string; keyFile: string };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: install Debian\'s postgresql package (apt-get install -y postgresql; .ci/run does)');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'dc-postgres-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  writeFileSync(join(dir, 'pwfile'), password + '\n');
  chmodSync(dir, 0o755);
  const tlsArgs: string[] = [];
  if (options.tls) {
    // the server reads its key only when the key's file is not readable by others
    copyFileSync(options.tls.certFile, join(dir, 'server.crt'));
    copyFileSync(options.tls.keyFile, join(dir, 'server.key'));
    chmodSync(join(dir, 'server.key'), 0o600);
    tlsArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.crt')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`);
  }
  if (root) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
  const as = (command: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', command, ...args]] as const : [command, args] as const);
  const [initCommand, initArgs] = as(join(bin, 'initdb'), ['-D', data, '-U', PG_USER, '--pwfile', join(dir, 'pwfile'), '--auth', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C']);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  if (options.tls) {
    // TCP over TLS only: every `host` line becomes `hostssl`
    const hba = join(data, 'pg_hba.conf');
    writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  }
  const port = await freePort();
  const [command, args] = as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', ...tlsArgs]);
  const server: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const env = { ...process.env, PGPASSWORD: password };
  const ready = () => spawnSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', 'postgres', '-Atc', 'select 1'], { env, encoding: 'utf8' }).status === 0;
  const started = Date.now();
  while (!ready()) {
    if (server.exitCode !== null || Date.now() - started > 60_000) throw new Error(`postgres did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const created = spawnSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', 'postgres', '-Atc', `create database ${PG_DATABASE}`], { env, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`create database failed: ${created.stderr}`);
  return {
    url: `postgres://${PG_USER}:${password}@127.0.0.1:${port}/${PG_DATABASE}`,
    password,
    port,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        // pg_ctl's fast shutdown (runuser does not pass signals on to postgres); a kill if that fails
        const [stopCommand, stopArgs] = as(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20']);
        spawnSync(stopCommand, stopArgs, { stdio: 'ignore' });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      server.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
