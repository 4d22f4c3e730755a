/**
 * The performance report kind: its text (production metrics beside the champion's training ones,
 * the violations, the status), the default history file beside the ledger, and the report area
 * staying cheap to import (engine/monitor and engine/model load only when a function needs them).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monitorPredictions } from '../../../engine/monitor/index.js';
import { defaultHistoryFile, renderPerformance } from '../../../engine/report/index.js';
import { ROOT, tempDir } from '../../helpers.js';

const dir = tempDir('dc-report-performance-');

describe('the performance report', () => {
  it('renders the metrics, the confusion matrix, each violation and the status', async () => {
    const file = join(dir, 'predictions.csv');
    // 6 positives (4 found), 4 negatives (1 false alarm): tp 4, fn 2, tn 3, fp 1
    writeFileSync(file, 'y_true,y_pred\n' + ['1,1', '1,1', '1,1', '1,1', '1,0', '1,0', '0,0', '0,0', '0,0', '0,1'].join('\n') + '\n');
    // no registry in the working directory: no champion to compare with
    const cwd = process.cwd();
    process.chdir(dir);
    const report = await monitorPredictions(file).finally(() => process.chdir(cwd));
    const lines = renderPerformance(report).split('\n');
    expect(lines[0]).toBe(`${file}: 10 predictions, 6 labelled positive (y_true = 1), 5 predicted positive (y_pred = 1)`);
    const row = (name: string) => lines.find((l) => l.startsWith(name))!.trim().split(/\s+/);
    expect(row('accuracy')).toEqual(['accuracy', (7 / 10).toFixed(4), '-']);
    expect(row('precision')).toEqual(['precision', (4 / 5).toFixed(4), '-']);
    expect(row('recall')).toEqual(['recall', (4 / 6).toFixed(4), '-']);
    expect(row('false_positive_rate')).toEqual(['false_positive_rate', (1 / 4).toFixed(4), '-']);
    expect(row('roc_auc')).toEqual(['roc_auc', '-', '-']);
    expect(lines).toContain('confusion matrix (rows: true 0/1, columns: predicted 0/1): [[3, 1], [2, 4]]');
    expect(lines).toContain(`accuracy ${(0.7).toFixed(4)} is below 0.9`);
    expect(lines.at(-1)).toBe('status: degraded; recommended action: retrain');
  });

  it('puts the history beside the ledger', async () => {
    expect(await defaultHistoryFile({ ledgerDir: join(dir, 'ledger') })).toBe(join(dir, 'ledger', 'performance_history.jsonl'));
  });

  it('importing engine/report loads neither engine/monitor nor engine/model', () => {
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test', 'setup', 'ts-loader.mjs'), '--import', join(ROOT, 'test', 'cli', 'module-trace.mjs'), '--input-type=module', '-e', `await import(${JSON.stringify(join(ROOT, 'engine', 'report', 'index.ts'))});`], {
      env: { ...process.env, DC_MODULE_TRACE: trace },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const engine = readFileSync(trace, 'utf8').split('\n').filter((url) => url.includes('/engine/'));
    expect(engine.some((url) => url.includes('/engine/report/drift.'))).toBe(true);
    expect(engine.filter((url) => /\/engine\/(monitor|model)\//.test(url))).toEqual([]);
  });
});
