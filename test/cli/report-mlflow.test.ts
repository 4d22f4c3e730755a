/**
 * MLflow as its users see it: a drift check with `--html` recorded on a real `mlflow server`
 * (MLflow 3, started by test/setup/global-mlflow.ts). Read back with MLflow's own Python client:
 * the HTML report is the run's `drift_report.html` artifact, byte for byte, and the note names it.
 * Then the run's page in MLflow's UI, opened in headless Chromium: it shows the run's name, a
 * `drift/` metric, the dataset inputs and the description; the screenshot is kept in
 * test-artifacts/mlflow-run.png.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { FLOWS_299, HEAD_9998, cli, tempDir } from '../helpers.js';
import { waitForMlflow } from '../setup/mlflow.js';
import { artifactPath, chromiumOrSkip, launchChromium } from '../setup/browser.js';
import { readback, unique, type ReadbackRun } from '../engine/tracking/support.js';

const python = inject('pythonPath');
const uri = inject('mlflowUri');
const browserSetup = chromiumOrSkip();
const dir = tempDir('dc-report-mlflow-');
const prefix = unique('report_');
const htmlFile = join(dir, 'report.html');
let run: ReadbackRun;
let experimentId: string;
let browser: Browser | undefined;

beforeAll(async () => {
  await waitForMlflow(uri, inject('mlflowLog'));
  const checked = cli(['check', '--baseline', HEAD_9998, FLOWS_299, '--html', htmlFile, '--ledger-dir', join(dir, 'ledger')], { env: { MLFLOW_TRACKING_URI: uri, DRIFTCATCHER_EXPERIMENT_PREFIX: prefix } });
  expect(checked.code, checked.stderr).toBe(0);
  expect(checked.stderr).toMatch(/logged to MLflow/);
  const experiment = readback(python, uri, { experiments: [`${prefix}drift_monitoring`] }).experiments[`${prefix}drift_monitoring`]!;
  experimentId = experiment.experiment_id;
  run = experiment.runs[0]!;
  if (browserSetup.executablePath) browser = await launchChromium(browserSetup.executablePath);
});

afterAll(async () => {
  await browser?.close();
});

describe('the HTML report on the MLflow server', () => {
  it('is the run artifact drift_report.html, byte for byte, beside drift_report.json; the note names it', () => {
    expect(Object.keys(run.artifacts).sort()).toEqual(['drift_feature_psi.json', 'drift_report.html', 'drift_report.json']);
    expect(Buffer.from(run.artifacts['drift_report.html']!, 'base64').equals(readFileSync(htmlFile))).toBe(true);
    const json = JSON.parse(Buffer.from(run.artifacts['drift_report.json']!, 'base64').toString('utf8')) as { features: unknown[]; overall_score: number };
    expect(json.features).toHaveLength(Number(run.metrics['total_features']![0]!.value));
    expect(json.overall_score).toBe(run.metrics['overall_score']![0]!.value);
    expect(run.tags['mlflow.note.content']).toContain('drift_report.html');
  });
});

describe.skipIf(browserSetup.skip !== undefined)("the run's page in MLflow's UI, in Chromium", () => {
  it('shows the run name, a drift/ metric, the dataset inputs and the description; screenshot kept', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(`${uri}/#/experiments/${experimentId}/runs/${run.run_id}`, { waitUntil: 'load', timeout: 90_000 });
      await page.getByText(run.run_name).first().waitFor({ timeout: 90_000 });
      await page.getByText(/drift\//).first().waitFor({ timeout: 60_000 });
      // the description: the note's verdict line
      expect(await page.locator('body').innerText()).toContain(`Verdict: ${run.tags['action_recommended']}`);
      await page.screenshot({ path: artifactPath('mlflow-run.png') });
      // the datasets, as the UI's dataset widget shows them (name and digest): the baseline, then the batch behind "+1"
      const dataset = (context: string) => run.inputs.datasets.find((d) => d.tags['mlflow.data.context'] === context)!;
      const [reference, production] = [dataset('reference'), dataset('production')];
      expect(production.name).toBe(basename(FLOWS_299));
      await page.getByText(`${reference.name} (${reference.digest})`).first().waitFor({ timeout: 30_000 });
      const more = page.getByText('+1', { exact: true });
      if ((await more.count()) > 0) await more.first().click();
      await page.getByText(`${production.name} (${production.digest})`).first().waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
    }
  });
});
