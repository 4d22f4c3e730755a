/**
 * The HTML page of `monitor`: the text report (production metrics beside the champion's, or,
 * without labels, the predictions' drift) and the prediction drift plot when there is one.
 */
import type { PerformanceReport, PredictionMonitorReport } from '../../monitor/index.js';
import { renderPerformance, renderPredictionMonitor } from '../performance.js';
import { badge, escapeHtml, htmlPage } from './page.js';
import { predictionSection } from './drift.js';

export async function renderMonitorHtml(result: PerformanceReport | PredictionMonitorReport): Promise<string> {
  const title = `driftcatcher monitor: ${result.file}`;
  const labelled = 'metrics' in result;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<div class="verdict" id="verdict">Status: ${badge(result.status)} &nbsp; recommended action: ${escapeHtml(result.action === 'wait' || result.action === 'none' ? 'none' : result.action)} <span class="muted">(${escapeHtml(result.timestamp)})</span></div>`,
    `<h2>${labelled ? 'Performance' : 'Predictions'}</h2>`,
    `<pre>${escapeHtml(labelled ? renderPerformance(result) : renderPredictionMonitor(result))}</pre>`,
    labelled ? '' : await predictionSection(result.prediction_drift),
  ].join('\n');
  return htmlPage(title, body);
}
