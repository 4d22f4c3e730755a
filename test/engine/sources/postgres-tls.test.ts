/**
 * PostgreSQL over TLS against a real TLS server: a second server (bench/postgres.ts with `tls`)
 * that has `ssl = on` with a certificate for 127.0.0.1 and localhost signed by a throw-away CA made
 * here with openssl, and takes TCP connections over TLS only (`hostssl`). verify-full with that CA
 * connects and the session is TLS (pg_stat_ssl); another CA, a host name the certificate does not
 * name, and sslmode=disable fail in one line; the password is in no output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../../bench/postgres.js';
import { openSource } from '../../../engine/sources/index.js';
import { cli, tempDir } from '../../helpers.js';
import { insertStatements, predictionRows, START_MS, DAY } from './dataset.js';

const dir = tempDir('dc-postgres-tls-');
const file = (name: string) => join(dir, name);

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8', cwd: dir });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed (openssl is part of the base image: .ci/run installs nothing for it): ${result.error?.message ?? result.stderr}`);
}

/** A CA (key, self-signed certificate) named `name`; with `server`, a server certificate for 127.0.0.1 and localhost signed by it. */
function makeCa(name: string, server: boolean): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=driftcatcher test CA ${name}`, '-keyout', file(`${name}-ca.key`), '-out', file(`${name}-ca.crt`)]);
  if (!server) return;
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')]);
  const ext = file('server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file(`${name}-ca.crt`), '-CAkey', file(`${name}-ca.key`), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', file('server.crt')]);
}

let server: PostgresServer;
const until = new Date(START_MS + 60 * DAY).toISOString();
const rows = predictionRows();
const all = { from: new Date(START_MS), until: new Date(START_MS + 60 * DAY) };

beforeAll(async () => {
  makeCa('good', true);
  makeCa('other', false);
  server = await startPostgres({ tls: { certFile: file('server.crt'), keyFile: file('server.key') } });
  const client = new pg.Client({ connectionString: server.url, ssl: { ca: readFileSync(file('good-ca.crt'), 'utf8') } });
  await client.connect();
  for (const sql of insertStatements(rows)) await client.query(sql);
  // one row (now) when the session that reads the view is TLS, none when it is not: the server's own view of the connection
  await client.query(`CREATE VIEW session_tls AS SELECT now() AS "timestamp", 1 AS "tls" FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl`);
  await client.end();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** The rows of session_tls the source's own connection sees: 1 when its session is TLS. */
async function tlsRows(url: string, options: Parameters<typeof openSource>[1] = {}): Promise<number> {
  const source = await openSource(url, { ...options, table: 'session_tls' });
  try {
    return await source.countRows({ from: new Date(Date.now() - DAY), until: new Date(Date.now() + DAY) });
  } finally {
    await source.close();
  }
}

describe('PostgreSQL over TLS', () => {
  it('verify-full with the CA connects (URL parameters, options, host name), and the session really is TLS', async () => {
    const ca = file('good-ca.crt');
    expect(await tlsRows(`${server.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`)).toBe(1);
    expect(await tlsRows(server.url, { sslmode: 'verify-full', sslRootCert: ca })).toBe(1);
    expect(await tlsRows(server.url.replace('127.0.0.1', 'localhost'), { sslmode: 'verify-full', sslRootCert: ca })).toBe(1);
    // require: encrypted, the certificate not checked
    expect(await tlsRows(server.url, { sslmode: 'require' })).toBe(1);
    // prefer (the default, as libpq) takes TLS when the server has it; allow falls back to TLS when the server takes nothing else
    expect(await tlsRows(server.url)).toBe(1);
    expect(await tlsRows(`${server.url}?sslmode=allow`)).toBe(1);
    const source = await openSource(server.url, { sslmode: 'verify-full', sslRootCert: ca });
    try {
      expect(await source.countRows(all)).toBe(rows.times.length);
    } finally {
      await source.close();
    }
  });

  it('the CLI over TLS with $PGSSLMODE and $PGSSLROOTCERT, the password in no output', () => {
    const parsed = new URL(server.url);
    const env = { PGHOST: parsed.hostname, PGPORT: parsed.port, PGUSER: parsed.username, PGPASSWORD: server.password, PGDATABASE: parsed.pathname.slice(1), PGSSLMODE: 'verify-full', PGSSLROOTCERT: file('good-ca.crt') };
    const out = file('tls-session.json');
    const viaEnv = cli(['reference', 'create', '--from', 'postgres:', '--table', 'session_tls', '--days', '2', '--until', new Date(Date.now() + DAY).toISOString(), '-o', out], { env });
    expect(viaEnv.stderr).toBe('');
    expect(viaEnv.code).toBe(0);
    // the one row of session_tls: the CLI's session was TLS
    expect(viaEnv.stdout).toMatch(/\b1 rows?\b/);
    const checked = cli(['check', '--from', server.url, '--sslmode', 'verify-full', '--ssl-root-cert', file('good-ca.crt'), '--window', '3d', '--until', until, '--reference-days', '30', '--json', '--no-record']);
    expect(checked.code, checked.stderr).toBe(0);
    const report = JSON.parse(checked.stdout);
    expect(report.window.from).toBe('2026-02-27T00:00:00.000Z');
    expect(report.current.rows).toBeGreaterThan(0);
    for (const text of [viaEnv.stdout, viaEnv.stderr, checked.stdout, checked.stderr]) expect(text).not.toContain(server.password);
  });

  it('another CA, sslmode=disable against a TLS-only server, a missing CA file: one line without the password', () => {
    const cases: [string[], RegExp][] = [
      [['--from', server.url, '--sslmode', 'verify-full', '--ssl-root-cert', file('other-ca.crt')], /cannot connect: .*\(sslmode verify-full: the server's certificate does not chain to the CA in .*other-ca\.crt\)$/m],
      [['--from', `${server.url}?sslmode=verify-ca&sslrootcert=${encodeURIComponent(file('other-ca.crt'))}`], /cannot connect: .*\(sslmode verify-ca: the server's certificate does not chain to the CA in .*other-ca\.crt\)$/m],
      [['--from', server.url, '--sslmode', 'disable'], /cannot connect: no pg_hba\.conf entry .*no encryption \(the server takes TLS connections only: --sslmode require, verify-ca or verify-full\)$/m],
      [['--from', `${server.url}?sslmode=disable`], /cannot connect: no pg_hba\.conf entry .*no encryption \(the server takes TLS connections only: --sslmode require, verify-ca or verify-full\)$/m],
      [['--from', server.url, '--sslmode', 'verify-full', '--ssl-root-cert', file('missing-ca.crt')], /cannot read the CA file .*missing-ca\.crt/],
    ];
    for (const [args, pattern] of cases) {
      const result = cli(['reference', 'create', ...args, '--days', '30', '--until', until, '-o', file('never.json')]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toContain(server.password);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    }
  });
});
