/**
 * The HTML reports (docs/REPORT.md): drift checks and scans, monitoring, score histories. Plots
 * are vega-lite specs rendered to static SVG in Node (plots.ts), loaded on first use.
 */
export { renderDriftHtml, renderScanHtml, type DriftHtmlOptions } from './drift.js';
export { renderMonitorHtml } from './monitor.js';
export { renderHistoryHtml } from './history.js';
export { escapeHtml } from './page.js';
export { readDriftSource, parseDriftJson, type DriftSource } from './source.js';
