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
    expect(parsed.server).toBeNull();
    expect(parsed.queued).toEqual([expect.objectContaining({ id: runs[0], experiment: 'drift_monitoring' })]);

    // sync needs a server: bad usage, one line, exit 2
    const sync = cli(['mlflow', 'sync', '--ledger-dir', ledgerDir]);
    expect(sync.code).toBe(2);
    expect(sync.stderr.trim().split('\n')).toHaveLength(1);
    expect(sync.stderr).toMatch(/no MLflow server to send to/);
  });
});
