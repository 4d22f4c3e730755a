/** The CLI with no tracking server configured: runs go to the local ledger, `mlflow status` lists them. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD_9998, SAMPLE_10, cli, tempDir } from '../helpers.js';

describe('the CLI with no server configured', () => {
  it('check records the run in the ledger, says so on stderr, succeeds; mlflow status lists it queued', () => {
    const dir = tempDir('dc-cli-ledger-');
    const profile = join(dir, 'profile.json');
    expect(cli(['baseline', HEAD_9998, '-o', profile]).code).toBe(0);
    const ledgerDir = join(dir, 'ledger');
    const check = cli(['check', '--baseline', profile, SAMPLE_10, '--json', '--workers', '0', '--ledger-dir', ledgerDir]);
    expect(check.code, check.stderr).toBe(0);
    expect(() => JSON.parse(check.stdout)).not.toThrow();
    expect(check.stderr).toMatch(/run drift_check_\d{8}_\d{6} recorded in .*; no tracking server set/);
    const runs = readdirSync(join(ledgerDir, 'runs'));
    expect(runs).toHaveLength(1);
    expect(existsSync(join(ledgerDir, 'runs', runs[0]!, 'artifacts', 'drift_feature_psi.json'))).toBe(true);
    // --no-record: nothing recorded, nothing said about recording (10 rows: only the small-sample warning)
    const quiet = cli(['check', '--baseline', profile, SAMPLE_10, '--workers', '0', '--ledger-dir', ledgerDir, '--no-record']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toMatch(/^driftcatcher: warning: sample too small for the verdict to mean anything: [^\n]*\n$/);
    expect(readdirSync(join(ledgerDir, 'runs'))).toHaveLength(1);

    const status = cli(['mlflow', 'status', '--json', '--ledger-dir', ledgerDir]);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as { queued: { id: string; experiment: string }[]; server: string | null };
    expect(Object.keys(parsed)).toEqual(['ledger_dir', 'server', 'total', 'sent', 'queued', 'aliases']);
    expect(parsed).toMatchObject({ ledger_dir: ledgerDir, server: null, total: 1, sent: 0, aliases: [] });
    expect(parsed.queued).toEqual([expect.objectContaining({ id: runs[0], experiment: 'drift_monitoring' })]);

    // sync needs a server: bad usage, one line, exit 2
    const sync = cli(['mlflow', 'sync', '--ledger-dir', ledgerDir]);
    expect(sync.code).toBe(2);
    expect(sync.stderr.trim().split('\n')).toHaveLength(1);
    expect(sync.stderr).toMatch(/^driftcatcher: --tracking-uri: no MLflow server to send to: set MLFLOW_TRACKING_URI\n$/);

    // a server that refuses the connection: the run stays queued, exit 3, the summary in snake_case
    const refused = cli(['mlflow', 'sync', '--json', '--ledger-dir', ledgerDir, '--tracking-uri', 'http://alice:s3cret-pw@127.0.0.1:9'], {
      env: { DRIFTCATCHER_MLFLOW_BACKOFF_MS: '10', DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS: '2000' },
    });
    expect(refused.code, refused.stderr).toBe(3);
    const summary = JSON.parse(refused.stdout) as Record<string, unknown> & { runs: { id: string; state: string }[] };
    expect(Object.keys(summary)).toEqual(['backend', 'server', 'runs', 'sent', 'queued', 'aliases', 'aliases_queued', 'stopped_by', 'errors']);
    expect(summary).toMatchObject({ backend: 'MLflow', server: 'http://127.0.0.1:9', sent: 0, queued: 1, aliases_queued: 0, errors: [] });
    expect(summary.runs).toEqual([expect.objectContaining({ id: runs[0], state: 'queued' })]);
    expect(summary['stopped_by']).toMatchObject({ code: 'DC_ERR_TRACKING_HTTP', failure: 'unreachable', message: expect.stringMatching(/^MLflow server http:\/\/127\.0\.0\.1:9 cannot be reached for GET \S+ \(ECONNREFUSED\)$/) });
    expect(refused.stdout + refused.stderr).not.toMatch(/s3cret-pw|alice/);
  });
});
