/**
 * PostgreSQL through `pg` (loaded when a postgres source is opened). The connection: a
 * `postgres://` URL, or the libpq variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (pg
 * reads them for what the URL leaves out); TLS from `sslmode` (option, URL parameter or
 * $PGSSLMODE: disable; prefer (the default) = TLS without verification, plain when the server has
 * no TLS, as libpq; allow = plain, TLS when the server takes TLS only; require = encrypted without
 * verification, or with `sslrootcert` verified as verify-ca; verify-ca; verify-full) and the CA
 * file (option, `sslrootcert` parameter or $PGSSLROOTCERT). The session's time zone is UTC. The
 * password is never printed: errors carry the URL with it masked.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { InputError } from '../util/index.js';
import { quoteIdent, POSTGRES } from './sql.js';
import { redactSecrets, type ResolvedSourceOptions } from './options.js';
import type { SqlBackend } from './sql-source.js';
import type { RowBatch, SourceColumn } from './types.js';

/** type OIDs: numbers (int2, int4, int8, float4, float8, numeric) */
const NUMERIC_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const BOOL_OID = 16;
const FETCH_ROWS = 50_000;

type PgClient = import('pg').Client;

export async function openPostgres(url: string | null, options: ResolvedSourceOptions): Promise<SqlBackend> {
  const secrets = [process.env['PGPASSWORD'] ?? '', passwordOf(url)].filter((s) => s.length > 0);
  const redact = (text: string) => redactSecrets(text, secrets);
  const { connectionString, sslmode, sslrootcert } = splitTls(url, redact);
  const where = connectionString ? redact(connectionString) : `postgres:${process.env['PGHOST'] ? ` host ${process.env['PGHOST']}` : ''}${process.env['PGDATABASE'] ? ` database ${process.env['PGDATABASE']}` : ''}`;
  const description = `${where} table ${options.table}`;
  const mode = options.sslmode ?? sslmode ?? process.env['PGSSLMODE'] ?? 'prefer';
  const caFile = options.sslRootCert ?? sslrootcert ?? process.env['PGSSLROOTCERT'];
  const ssl = await tlsOptions(mode, caFile, description);
  const pg = (await import('pg')).default;
  const parseArray = (text: string) => (text === '{}' ? [] : text.slice(1, -1).split(',').map(Number));
  const newClient = (tls: false | ConnectionOptions): PgClient => new pg.Client({
    ...(connectionString ? { connectionString } : {}),
    ssl: tls,
    connectionTimeoutMillis: 15_000,
    application_name: 'driftcatcher',
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === 701 || oid === 700 || oid === 20 || oid === 21 || oid === 23 || oid === 1700) return (v: string) => Number(v);
        if (oid === 1016 || oid === 1022) return parseArray;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  const fail = (what: string, err: unknown): InputError => new InputError(`${description}: ${what}: ${redact(err instanceof Error ? err.message : String(err))}`);
  // libpq's fallbacks: prefer tries TLS (unverified) first and plain when the server has no TLS; allow plain first and TLS when the server takes TLS only
  const unverified: ConnectionOptions = { rejectUnauthorized: false };
  const attempts: { tls: false | ConnectionOptions; retry?: RegExp }[] =
    mode === 'prefer' ? [{ tls: unverified, retry: /does not support SSL/ }, { tls: false }] : mode === 'allow' ? [{ tls: false, retry: /no encryption/ }, { tls: unverified }] : [{ tls: ssl }];
  let client!: PgClient;
  for (const attempt of attempts) {
    client = newClient(attempt.tls);
    // pg emits 'error' on an idle client whose server went away: the next query reports it
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query("SET TIME ZONE 'UTC'");
      break;
    } catch (err) {
      await client.end().catch(() => {});
      if (attempt.retry?.test(err instanceof Error ? err.message : String(err))) continue;
      throw new InputError(`${description}: cannot connect: ${redact(err instanceof Error ? err.message : String(err))}${tlsHint(err, mode, caFile)}`);
    }
  }
  const relation = quoteIdent(options.table, true);
  const query = async (sql: string, rowMode?: 'array'): Promise<{ rows: unknown[] }> => {
    try {
      return rowMode ? await client.query({ text: sql, rowMode }) : await client.query(sql);
    } catch (err) {
      throw fail('query failed', err);
    }
  };
  return {
    kind: 'postgres',
    dialect: POSTGRES,
    description,
    relation,
    tableName: options.table,
    async describe(): Promise<SourceColumn[]> {
      let result;
      try {
        result = await client.query(`SELECT * FROM ${relation} LIMIT 0`);
      } catch (err) {
        throw fail(`no table ${JSON.stringify(options.table)}`, err);
      }
      return result.fields.map((f) => ({ name: f.name, numeric: NUMERIC_OIDS.has(f.dataTypeID), ...(f.dataTypeID === BOOL_OID ? { boolean: true } : {}) }));
    },
    async one(sql: string) {
      const result = await query(sql);
      return result.rows[0] as Record<string, unknown>;
    },
    async all(sql: string) {
      return (await query(sql)).rows as Record<string, unknown>[];
    },
    async *stream(sql: string, nColumns: number): AsyncIterable<RowBatch> {
      // a cursor in a read-only transaction: FETCH_ROWS rows in memory at a time
      await query('BEGIN READ ONLY');
      let done = false;
      try {
        await query(`DECLARE driftcatcher_rows NO SCROLL CURSOR FOR ${sql}`);
        for (;;) {
          const result = await query(`FETCH ${FETCH_ROWS} FROM driftcatcher_rows`, 'array');
          const rows = result.rows as unknown as (number | null)[][];
          if (rows.length === 0) break;
          const columns = Array.from({ length: nColumns }, () => new Float64Array(rows.length));
          for (let r = 0; r < rows.length; r++) {
            const row = rows[r]!;
            for (let c = 0; c < nColumns; c++) columns[c]![r] = row[c] ?? NaN;
          }
          yield { rows: rows.length, columns };
        }
        await query('COMMIT');
        done = true;
      } finally {
        if (!done) await client.query('ROLLBACK').catch(() => {});
      }
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

/** What a failed connection's TLS error means for the user's settings ('' for other errors). */
function tlsHint(err: unknown, mode: string, caFile: string | undefined): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return ` (sslmode ${mode}: the server's certificate does not name this host)`;
  if (typeof code === 'string' && /CERT|SIGNATURE|ISSUER/.test(code)) return ` (sslmode ${mode}: the server's certificate does not chain to ${caFile ? `the CA in ${caFile}` : "Node's trusted CAs (give the CA with --ssl-root-cert)"})`;
  if (/no encryption/.test(message) && !ssl(mode)) return ` (the server takes TLS connections only: --sslmode require, verify-ca or verify-full)`;
  if (/does not support SSL/.test(message)) return ` (sslmode ${mode} needs TLS, which the server does not offer)`;
  return '';
}

function ssl(mode: string): boolean {
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

function passwordOf(url: string | null): string {
  if (!url) return '';
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** The URL without its TLS parameters (handled here, not by pg's own reading of them), and those parameters. */
function splitTls(url: string | null, redact: (s: string) => string): { connectionString: string | null; sslmode?: string; sslrootcert?: string } {
  if (!url) return { connectionString: null };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${redact(url)}: not a valid postgres:// URL`);
  }
  const sslmode = parsed.searchParams.get('sslmode') ?? undefined;
  const sslrootcert = parsed.searchParams.get('sslrootcert') ?? undefined;
  parsed.searchParams.delete('sslmode');
  parsed.searchParams.delete('sslrootcert');
  return { connectionString: parsed.toString(), sslmode, sslrootcert };
}

async function tlsOptions(mode: string, caFile: string | undefined, description: string): Promise<false | ConnectionOptions> {
  const ca = async () => {
    if (!caFile) return undefined;
    try {
      return await readFile(caFile, 'utf8');
    } catch {
      throw new InputError(`${description}: cannot read the CA file ${caFile} (--ssl-root-cert, sslrootcert, $PGSSLROOTCERT)`);
    }
  };
  switch (mode) {
    case 'disable':
    case 'prefer':
    case 'allow':
      // prefer and allow: openPostgres tries both ways
      return false;
    case 'require': {
      const cert = await ca();
      // libpq: require with a root certificate verifies the chain (as verify-ca)
      return cert ? { ca: cert, rejectUnauthorized: true, checkServerIdentity: () => undefined } : { rejectUnauthorized: false };
    }
    case 'verify-ca':
      return { ca: await ca(), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca: await ca(), rejectUnauthorized: true };
    default:
      throw new InputError(`${description}: sslmode must be disable, prefer, require, verify-ca or verify-full, got ${JSON.stringify(mode)}`);
  }
}
