/**
 * `driftcatcher init ci`'s workflow read back by an independent YAML parser (PyYAML, in the test
 * venv through mlflow): it parses, runs on the schedule asked for and on demand, and has the steps
 * the template promises: checkout, setup-node, the npm install of driftcatcher, the check of the
 * data against the baseline with ALERT_ON_DRIFT and the webhook from a repository secret, and the
 * report folder uploaded as an artifact even when the check failed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cli, tempDir } from '../helpers.js';

const dir = tempDir('dc-init-ci-ref-');

/** The workflow file as PyYAML loads it (YAML 1.1 reads the key `on` as true: it comes back as "on"). */
function loadYaml(file: string): any {
  const script = 'import json, sys, yaml\ndoc = yaml.safe_load(open(sys.argv[1]))\nif True in doc: doc["on"] = doc.pop(True)\nprint(json.dumps(doc))';
  const result = spawnSync(inject('pythonPath'), ['-c', script, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`yaml.safe_load failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('init ci: the workflow is valid YAML with the promised steps', () => {
  it.each([
    ['daily', [], '0 6 * * *'],
    ['a cron expression, other files', ['--every', '30 2 * * 1-5', '--baseline', 'models/v3/profile.json', '--data', 'exports/today file.csv', '--node', '22'], '30 2 * * 1-5'],
  ])('%s', (name, args, cron) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
    const made = cli(['init', 'ci', '-o', file, ...args]);
    expect(made.code, made.stderr).toBe(0);
    const doc = loadYaml(file);
    expect(doc.on.schedule).toEqual([{ cron }]);
    expect(doc.on).toHaveProperty('workflow_dispatch');
    const job = doc.jobs['drift-check'];
    const given = (flag: string, fallback: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
    expect(job.env).toMatchObject({ DRIFTCATCHER_BASELINE: given('--baseline', 'baseline.json'), DRIFTCATCHER_DATA: given('--data', 'data/latest.csv'), DRIFTCATCHER_REPORTS_DIR: 'driftcatcher-reports' });
    const steps: any[] = job.steps;
    const uses = steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4').with['node-version']).toBe(given('--node', '20'));
    const install = steps.find((s) => /npm install/.test(s.run ?? ''));
    expect(install.run).toMatch(/npm install .*driftcatcher@\d+\.\d+\.\d+/);
    const check = steps.find((s) => /driftcatcher check/.test(s.run ?? ''));
    expect(check.run).toContain('npx driftcatcher check --baseline "$DRIFTCATCHER_BASELINE" "$DRIFTCATCHER_DATA"');
    expect(check.env).toEqual({ ALERT_ON_DRIFT: 'true', ALERT_WEBHOOK_URL: '${{ secrets.DRIFTCATCHER_WEBHOOK_URL }}' });
    const upload = steps.find((s) => s.uses === 'actions/upload-artifact@v4');
    expect(upload.if).toBe('always()');
    expect(upload.with.path).toBe('${{ env.DRIFTCATCHER_REPORTS_DIR }}');
    // the order: install before the check, the check before the upload
    expect(steps.indexOf(install)).toBeLessThan(steps.indexOf(check));
    expect(steps.indexOf(check)).toBeLessThan(steps.indexOf(upload));
  });
});
