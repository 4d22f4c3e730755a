/**
 * The HTML drift report of a check or a scan (and of `monitor`): the verdict and the rule that
 * gave it, the settings actually used, a sortable and filterable table of every feature (method,
 * score, threshold, drifted, data-quality flags), per feature a plot of the baseline's against
 * the batch's distribution on the profile's bins (shares or counts, a toggle), the data-quality
 * section and prediction drift when present; for a scan, one row per file before the combined
 * view. Only the report's summaries go in (shares per bin), never rows: the file's size depends
 * on features and bins, not on the data's size.
 */
import { basename } from 'node:path';
import type { DriftReport, FeatureDrift, PredictionDrift, ScanReport } from '../../drift/index.js';
import type { FeatureProfile, Profile } from '../../profile/index.js';
import { breachLine, renderPredictionDrift, skippedFeaturesNote, verdictReason } from '../drift.js';
import { badge, cellNumber, escapeHtml, flatten, htmlPage, settingsList, sortKey, sortableTable, type Cell } from './page.js';
import { binPlots, SIDE_COLOURS, type BinSeries } from './plots.js';

export interface DriftHtmlOptions {
  /** the baseline profile: bin labels from its edges and categories (else `bin 1`, `bin 2`, ...), and counts from its sizes */
  profile?: Profile;
  /** the page's title (default: what was checked) */
  title?: string;
  /** when the report was made (default: now), shown under the title */
  now?: Date;
}

const THRESHOLD_SIDE = { distance: '>', p_value: '<' } as const;

/** The HTML report of one check. */
export async function renderDriftHtml(report: DriftReport, options: DriftHtmlOptions = {}): Promise<string> {
  const title = options.title ?? `driftcatcher check: ${report.current.files.map((f) => basename(f)).join(', ') || 'batch'}`;
  const body = [header(title, report, options.now), await reportSections(report, options.profile)].join('\n');
  return htmlPage(title, body);
}

/** The HTML report of a scan: the per-file table, then the combined view. */
export async function renderScanHtml(scan: ScanReport, options: DriftHtmlOptions = {}): Promise<string> {
  const title = options.title ?? `driftcatcher scan: ${scan.files.length} file(s)`;
  const combined = scan.combined;
  const rows = [...scan.files.map((r) => ({ name: r.current.files[0] ?? '', r })), { name: 'combined', r: combined }].map(({ name, r }) => ({
    cells: [
      { html: name === 'combined' ? '<strong>combined</strong>' : escapeHtml(name) },
      { html: String(r.current.rows), sort: String(r.current.rows) },
      { html: cellNumber(r.overall_score), sort: sortKey(r.overall_score) },
      { html: `${r.n_drifted_features}/${r.total_features}`, sort: String(r.n_drifted_features) },
      { html: badge(r.action), sort: r.action },
      { html: escapeHtml(r.features.filter((f) => f.drifted).slice(0, 3).map((f) => f.name).join(', ')) },
    ],
  }));
  const files = [
    '<h2>Files</h2>',
    `<p class="muted">${scan.files.length} file(s), ${combined.current.rows} rows in ${scan.seconds.toFixed(2)} s on ${scan.workers === 0 ? 'the main thread' : `${scan.workers} worker thread(s)`}, kernel ${escapeHtml(scan.kernel)}. The sections below are for all files combined (their counts summed).</p>`,
    sortableTable('files', [{ title: 'file' }, { title: 'rows', numeric: true }, { title: `overall ${combined.method}`, numeric: true }, { title: 'drifted', numeric: true }, { title: 'verdict' }, { title: 'top drifted' }], rows),
  ].join('\n');
  const body = [header(title, combined, options.now), files, await reportSections(combined, options.profile)].join('\n');
  return htmlPage(title, body);
}

/** Title, verdict and why. */
function header(title: string, report: DriftReport, now = new Date()): string {
  const s = report.settings;
  const overall = s.method === 'auto' ? 'auto (drifted share)' : `${s.method} (${s.aggregation})`;
  const notes = [report.small_sample?.message, skippedFeaturesNote(report)].filter((n): n is string => n !== undefined);
  return [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="muted">made ${escapeHtml(now.toISOString())} by driftcatcher; baseline ${escapeHtml(report.baseline.file)} (${report.baseline.rows} rows, profile ${escapeHtml(report.baseline.id.slice(0, 12))}); batch ${report.current.rows} rows</p>`,
    `<div class="verdict" id="verdict">Verdict: ${badge(report.action)} &nbsp; overall ${escapeHtml(overall)} <strong>${cellNumber(report.overall_score)}</strong>, drifted features <strong>${report.n_drifted_features}/${report.total_features}</strong><br><span id="reason">${escapeHtml(verdictReason(report))}</span></div>`,
    ...notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`),
  ].join('\n');
}

/** Settings, features table, plots, quality, prediction drift. */
async function reportSections(report: DriftReport, profile?: Profile): Promise<string> {
  const s = report.settings;
  const gt = THRESHOLD_SIDE[s.score_kind];
  const byName = new Map((profile?.features ?? []).map((f) => [f.name, f]));
  const series = report.features.map((f) => binSeries(f, report, byName.get(f.name)));
  const [shares, counts] = [await binPlots(series.map((x) => x.share), 'share'), await binPlots(series.map((x) => x.count), 'count')];
  const pValues = report.features.some((f) => f.p_value !== undefined);
  const rows = report.features.map((f, i) => {
    const threshold = s.thresholds[f.method] ?? s.threshold;
    const flags = qualityFlags(f);
    const cells: Cell[] = [
      { html: String(i + 1), sort: String(i + 1) },
      { html: `<a href="#f-${i}">${escapeHtml(f.name)}</a>`, sort: f.name.toLowerCase() },
      { html: escapeHtml(f.method) },
      { html: cellNumber(f.score), sort: sortKey(f.score) },
      ...(pValues ? [{ html: cellNumber(f.p_value), sort: sortKey(f.p_value) }] : []),
      { html: `${gt} ${threshold}`, sort: String(threshold) },
      { html: f.drifted ? '<span class="yes">yes</span>' : 'no', sort: f.drifted ? '1' : '0' },
      { html: flags.map((q) => `<span class="flag">${escapeHtml(q)}</span>`).join('') || '<span class="muted">-</span>', sort: String(flags.length) },
      { html: String(f.count), sort: String(f.count) },
    ];
    return { cells, name: f.name, drifted: f.drifted };
  });
  const columns = [
    { title: '#', numeric: true },
    { title: 'feature' },
    { title: 'method' },
    { title: 'score', numeric: true },
    ...(pValues ? [{ title: 'p-value', numeric: true }] : []),
    { title: 'threshold', numeric: true },
    { title: 'drifted', numeric: true },
    { title: 'quality', numeric: true },
    { title: 'values', numeric: true },
  ];
  const legend = `<span class="legend"><span style="background:${SIDE_COLOURS.expected}"></span>expected (baseline)<span style="background:${SIDE_COLOURS.actual}"></span>actual (batch)</span>`;
  const plots = report.features.map((f, i) => {
    const sub = `${escapeHtml(f.method)} ${cellNumber(f.score)}${f.drifted ? ' <span class="yes">drifted</span>' : ''}`;
    return `<section class="feature${f.drifted ? ' drifted' : ''}" id="f-${i}" data-name="${escapeHtml(f.name.toLowerCase())}" data-drifted="${f.drifted}"><h3>${escapeHtml(f.name)}</h3><div class="muted">${sub}</div><figure class="mode-share" style="margin:0">${shares[i]}</figure><figure class="mode-count" style="margin:0">${counts[i]}</figure></section>`;
  });
  return [
    '<h2>Settings</h2>',
    `<details id="settings"><summary>${escapeHtml(settingsSummary(report))} <span class="muted">(every setting used)</span></summary>`,
    settingsList([...flatten(s), ['baseline.id', report.baseline.id], ['baseline.file', report.baseline.file], ['baseline.rows', String(report.baseline.rows)], ['current.files', report.current.files.join(', ')], ['current.rows', String(report.current.rows)], ['current.non_finite_values', String(report.current.non_finite_values)]]),
    '</details>',
    '<h2>Features</h2>',
    `<div class="controls"><input type="search" id="filter" placeholder="filter features by name" aria-label="filter features by name"><label><input type="checkbox" id="drifted-only"> drifted only</label><span class="muted"><span id="shown">${report.features.length}</span> of ${report.features.length} shown; click a header to sort</span></div>`,
    sortableTable('features', columns, rows),
    '<h2>Distributions</h2>',
    `<div class="controls"><span>y axis:</span><label><input type="radio" name="mode" value="share" checked> share</label><label><input type="radio" name="mode" value="count"> count</label>${legend}</div>`,
    `<p class="muted">Each feature on the bins it was scored on (${escapeHtml(s.binning)}${profile ? '' : '; bin edges are in the baseline profile'}); shares as the method saw them (zero shares replaced by epsilon ${s.epsilon}); counts are share &times; size.</p>`,
    `<div class="plots" id="plots">${plots.join('\n')}</div>`,
    qualitySection(report),
    report.prediction_drift ? await predictionSection(report.prediction_drift) : '',
  ].join('\n');
}

/** The settings line of the text report, shortened: semantics, method, threshold(s), bins, epsilon, aggregation, policy. */
function settingsSummary(report: DriftReport): string {
  const s = report.settings;
  const gt = THRESHOLD_SIDE[s.score_kind];
  const threshold = s.method === 'auto' ? `thresholds ${Object.entries(s.thresholds).map(([id, t]) => `${id} ${t}`).join(', ')}` : `threshold ${s.threshold}`;
  return `${s.semantics}, ${s.method}, ${threshold}, ${s.bins} bins, epsilon ${s.epsilon}, ${s.aggregation}${s.correction !== 'none' ? `, correction ${s.correction}` : ''}; retrain if overall ${gt} ${s.policy.retrain_overall} or drifted > ${s.policy.retrain_drifted_features}, alert if overall ${gt} ${s.policy.alert_overall} or any drifted`;
}

/** The quality signals a feature breaches, by name. */
function qualityFlags(f: FeatureDrift): string[] {
  return f.quality.breaches.map((b) => b.replace(/_/g, ' '));
}

/** The data-quality section: the batch's totals, one row per breach, columns the baseline lacks. */
function qualitySection(report: DriftReport): string {
  const q = report.quality;
  const s = report.settings.quality;
  const totals = `missing ${(100 * q.missing_rate.current).toFixed(2)}% of values (baseline ${(100 * q.missing_rate.reference).toFixed(2)}%), ${(100 * q.out_of_range.share).toFixed(2)}% of finite values outside the training range; limits: missing rate change > ${s.missing_threshold}, out of range > ${s.out_of_range_threshold}, one value >= ${s.constant_threshold}, new categories > ${s.new_category_threshold}`;
  const parts = ['<h2 id="quality">Data quality</h2>', `<p>${q.n_breaches === 0 ? 'No breach.' : `<strong>${q.n_breaches} breach(es)</strong>, ${q.action ? `verdict at least ${escapeHtml(q.action)}` : 'reported only'}.`} <span class="muted">${escapeHtml(totals)}</span></p>`];
  if (q.breaches.length > 0) {
    const rows = q.breaches.map((b) => {
      const [signal, , seen] = breachLine(report, b);
      return { cells: [{ html: escapeHtml(signal ?? b.signal) }, { html: escapeHtml(b.feature) }, { html: escapeHtml(seen ?? '') }] };
    });
    parts.push(sortableTable('breaches', [{ title: 'signal' }, { title: 'feature' }, { title: 'seen' }], rows));
  }
  if (q.columns.only_in_batch.length > 0) parts.push(`<p>Columns in the batch that the baseline lacks (not checked): ${escapeHtml(q.columns.only_in_batch.join(', '))}</p>`);
  return parts.join('\n');
}

/** Prediction drift: its lines and a plot of y_prob on the prediction profile's deciles. */
export async function predictionSection(drift: PredictionDrift): Promise<string> {
  const labels = drift.expected.map((_, i) => (i === drift.expected.length - 1 ? 'missing' : `decile ${i + 1}`));
  const refRows = drift.reference.rows;
  const curRows = drift.current.rows;
  const [share] = await binPlots([{ labels, expected: drift.expected, actual: drift.actual }], 'share');
  const [count] = await binPlots([{ labels, expected: drift.expected.map((x) => x * refRows), actual: drift.actual.map((x) => x * curRows) }], 'count');
  return [
    '<h2 id="prediction-drift">Prediction drift</h2>',
    `<pre>${escapeHtml(renderPredictionDrift(drift))}</pre>`,
    `<section class="feature${drift.drifted ? ' drifted' : ''}" id="prediction-plot"><h3>${escapeHtml(drift.column)}</h3><figure class="mode-share" style="margin:0">${share}</figure><figure class="mode-count" style="margin:0">${count}</figure></section>`,
  ].join('\n');
}

/** A number on an axis label: 3 significant digits. */
function edge(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs >= 1e6 || abs < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** Bin labels from the profile when its bins match the report's (else `bin i`), the missing bin named. */
function binLabels(f: FeatureDrift, report: DriftReport, profile?: FeatureProfile): string[] {
  const n = f.expected.length;
  const compat = report.settings.semantics !== 'default';
  const generic = Array.from({ length: n }, (_, i) => (!compat && i === n - 1 ? 'missing' : `bin ${i + 1}`));
  if (!profile) return generic;
  if (f.categories && profile.categorical && profile.categorical.values.length + 2 === n) return [...profile.categorical.values.map(edge), 'other', 'missing'];
  if (compat && profile.compat.edges.length === n + 1) return profile.compat.edges.slice(0, -1).map((e, i) => `[${edge(e)}, ${edge(profile.compat.edges[i + 1]!)}${i === n - 1 ? ']' : ')'}`);
  const e = profile.edges;
  if (!compat && e.length + 2 === n) return [`< ${edge(e[0]!)}`, ...e.slice(1).map((x, i) => `[${edge(e[i]!)}, ${edge(x)})`), `>= ${edge(e[e.length - 1]!)}`, 'missing'];
  return generic;
}

/** A feature's shares, and its counts (share x size; smoothed zero shares as zero counts). */
function binSeries(f: FeatureDrift, report: DriftReport, profile?: FeatureProfile): { share: BinSeries; count: BinSeries } {
  const labels = binLabels(f, report, profile);
  const eps = report.settings.epsilon;
  const referenceSize = profile ? (report.settings.semantics === 'default' ? profile.count + profile.missing : profile.compat.counts.reduce((a, b) => a + b, 0)) : report.baseline.rows;
  const counted = (shares: number[], size: number) => shares.map((x) => (x <= eps ? 0 : Math.round(x * size)));
  return {
    share: { labels, expected: f.expected, actual: f.actual },
    count: { labels, expected: counted(f.expected, referenceSize), actual: counted(f.actual, f.count) },
  };
}
