/**
 * The HTML history of a score over runs (the runs dashboard's `runs history --html`): per series
 * (a feature, or a metric) its values over time with the threshold as a dashed line, and a
 * sortable table of each series' latest value, runs and how often it passed the threshold.
 */
import type { ScoreHistory } from '../history.js';
import { badge, cellNumber, escapeHtml, htmlPage, sortKey, sortableTable } from './page.js';
import { historyPlots } from './plots.js';

/** The history page: a table of the series, then one plot per series. */
export async function renderHistoryHtml(h: ScoreHistory): Promise<string> {
  const series = h.series.map((s) => ({ name: s.name, points: [...s.points].sort((a, b) => a.time - b.time) }));
  const beyond = (v: number) => h.threshold !== undefined && (h.scoreKind === 'p_value' ? v < h.threshold : v > h.threshold);
  const svgs = await historyPlots(series.map((s) => ({ points: s.points, threshold: h.threshold })), h.metric);
  const rows = series.map((s, i) => {
    const last = s.points[s.points.length - 1];
    const over = s.points.filter((p) => beyond(p.value)).length;
    return {
      name: s.name,
      drifted: last !== undefined && beyond(last.value),
      cells: [
        { html: `<a href="#s-${i}">${escapeHtml(s.name)}</a>`, sort: s.name.toLowerCase() },
        { html: String(s.points.length), sort: String(s.points.length) },
        { html: cellNumber(last?.value), sort: sortKey(last?.value) },
        { html: last ? escapeHtml(new Date(last.time).toISOString()) : '-', sort: last ? String(last.time) : '' },
        { html: last ? escapeHtml(last.runId) : '-' },
        { html: h.threshold === undefined ? '-' : String(over), sort: String(over) },
        { html: last && h.threshold !== undefined ? badge(beyond(last.value) ? 'drifted' : 'ok') : '-' },
      ],
    };
  });
  const threshold = h.threshold === undefined ? 'no threshold' : `threshold ${h.threshold} (dashed; ${h.scoreKind === 'p_value' ? 'below' : 'above'} it is beyond)`;
  const sections = series.map((s, i) => {
    const last = rows[i]!;
    return `<section class="feature${last.drifted ? ' drifted' : ''}" id="s-${i}" data-name="${escapeHtml(s.name.toLowerCase())}" data-drifted="${last.drifted}"><h3>${escapeHtml(s.name)}</h3><div class="muted">${s.points.length} run(s)</div><figure style="margin:0">${svgs[i]}</figure></section>`;
  });
  const body = [
    `<h1>${escapeHtml(h.title)}</h1>`,
    `<p class="muted">${escapeHtml(h.metric)} over time, ${series.length} series; ${escapeHtml(threshold)}</p>`,
    `<div class="controls"><input type="search" id="filter" placeholder="filter by name" aria-label="filter by name"><label><input type="checkbox" id="drifted-only"> beyond the threshold at the last run</label><span class="muted"><span id="shown">${series.length}</span> of ${series.length} shown</span></div>`,
    sortableTable('features', [{ title: 'series' }, { title: 'runs', numeric: true }, { title: 'last value', numeric: true }, { title: 'last run at' }, { title: 'last run' }, { title: 'runs beyond', numeric: true }, { title: 'last verdict' }], rows),
    `<div class="plots" id="plots">${sections.join('\n')}</div>`,
  ].join('\n');
  return htmlPage(h.title, body);
}
