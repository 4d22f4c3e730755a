/**
 * The page every HTML report is laid out in: one self-contained file (styles and a small script
 * inline, plots as inline SVG, no URL to fetch: a Content-Security-Policy forbids any), light and
 * dark after `prefers-color-scheme`. The script sorts tables (click a header), filters rows and
 * feature sections by name (and drifted only), and toggles the plots between shares and counts.
 */

/** Text as HTML: markup characters as entities, control characters shown as `\uXXXX`. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A number for a table cell: 4 decimals, NaN and infinities as words. */
export function cellNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-';
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** A sort key for a number (non-finite values sort last ascending). */
export function sortKey(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  return String(value);
}

export interface Column {
  title: string;
  /** sorted as numbers */
  numeric?: boolean;
}

export interface Cell {
  /** the cell's HTML (already escaped) */
  html: string;
  /** what it sorts by (default: its text) */
  sort?: string;
}

/** A table whose headers sort it; `filterable` rows carry `data-name` (what the filter matches) and `data-drifted`. */
export function sortableTable(id: string, columns: Column[], rows: Array<{ cells: Cell[]; name?: string; drifted?: boolean }>): string {
  const head = columns.map((c, i) => `<th data-col="${i}"${c.numeric ? ' data-numeric' : ''} tabindex="0" role="columnheader" aria-sort="none">${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map((r) => {
      const attrs = `${r.name !== undefined ? ` data-name="${escapeHtml(r.name.toLowerCase())}"` : ''}${r.drifted !== undefined ? ` data-drifted="${r.drifted}"` : ''}`;
      const cells = r.cells.map((c, i) => `<td${columns[i]?.numeric ? ' class="num"' : ''}${c.sort !== undefined ? ` data-sort="${escapeHtml(c.sort)}"` : ''}>${c.html}</td>`).join('');
      return `<tr${attrs}>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="sortable" id="${id}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** A list of settings as `key: value` pairs. */
export function settingsList(entries: Array<[string, string]>): string {
  return `<dl class="settings">${entries.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

/** Nested settings flattened to `a.b` keys, values as text. */
export function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  const text = Array.isArray(value) ? value.join(', ') : typeof value === 'number' ? (Number.isFinite(value) ? String(value) : String(value)) : String(value);
  return [[prefix, text]];
}

/** The verdict badge (retrain red, alert amber, else green). */
export function badge(action: string): string {
  const kind = action === 'retrain' || action === 'drifted' || action === 'degraded' ? 'bad' : action === 'alert' ? 'warn' : 'ok';
  return `<span class="badge ${kind}">${escapeHtml(action)}</span>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2330;--muted:#5d6778;--line:#d9dde5;--card:#f6f7f9;--bad:#c62828;--warn:#b26a00;--ok:#2e7d32;--expected:#8c96a8;--actual:#e4572e}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--fg:#e3e6eb;--muted:#9aa3b2;--line:#2f3540;--card:#1c2027;--bad:#ef5350;--warn:#ffb74d;--ok:#66bb6a}}
*{box-sizing:border-box}body{margin:0 auto;max-width:1200px;padding:16px 24px 48px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:0 0 4px;word-break:break-all}
.muted{color:var(--muted)}.badge{display:inline-block;padding:1px 10px;border-radius:10px;font-weight:600;color:#fff;text-transform:uppercase;font-size:12px}
.badge.bad{background:var(--bad)}.badge.warn{background:var(--warn)}.badge.ok{background:var(--ok)}
.verdict{font-size:16px;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.note{border-left:3px solid var(--warn);padding:4px 10px;margin:8px 0;background:var(--card)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;white-space:nowrap;background:var(--card);position:sticky;top:0}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th[data-numeric]{text-align:right}tr.drifted td:first-child{box-shadow:inset 3px 0 var(--bad)}
.yes{color:var(--bad);font-weight:600}.flag{display:inline-block;border:1px solid var(--warn);color:var(--warn);border-radius:3px;padding:0 4px;margin:0 2px 2px 0;font-size:11px}
.controls{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:8px 0}.controls input[type=search]{padding:4px 8px;min-width:240px;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:4px}
.settings{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:2px 16px;margin:0}.settings div{display:flex;gap:8px}.settings dt{color:var(--muted)}.settings dd{margin:0;word-break:break-all}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(390px,1fr));gap:12px}.feature{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.feature.drifted{border-color:var(--bad)}.feature svg{display:block;max-width:100%;height:auto}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
body:not([data-mode=count]) .mode-count,body[data-mode=count] .mode-share{display:none}
[hidden]{display:none!important}details summary{cursor:pointer;margin-bottom:6px}pre{white-space:pre-wrap;background:var(--card);padding:10px;border-radius:6px;border:1px solid var(--line)}
`;

const SCRIPT = `
(function(){
function key(row,col,numeric){var c=row.children[col];var v=c?(c.getAttribute('data-sort')!==null?c.getAttribute('data-sort'):c.textContent):'';if(!numeric)return v.toLowerCase();var n=parseFloat(v);return isNaN(n)?null:n}
document.querySelectorAll('table.sortable').forEach(function(table){
 table.querySelectorAll('th').forEach(function(th){
  function sort(){var col=+th.getAttribute('data-col'),numeric=th.hasAttribute('data-numeric');var dir=th.getAttribute('aria-sort')==='ascending'?'descending':'ascending';
   table.querySelectorAll('th').forEach(function(o){o.setAttribute('aria-sort','none')});th.setAttribute('aria-sort',dir);
   var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);var sign=dir==='ascending'?1:-1;
   rows.sort(function(a,b){var x=key(a,col,numeric),y=key(b,col,numeric);if(x===y)return 0;if(x===null)return 1;if(y===null)return -1;return x<y?-sign:sign});
   rows.forEach(function(r){body.appendChild(r)})}
  th.addEventListener('click',sort);th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort()}})})});
var search=document.getElementById('filter'),only=document.getElementById('drifted-only');
function filter(){var q=search?search.value.trim().toLowerCase():'',d=only&&only.checked;
 document.querySelectorAll('[data-name]').forEach(function(el){var show=el.getAttribute('data-name').indexOf(q)>=0&&(!d||el.getAttribute('data-drifted')==='true');el.hidden=!show});
 var count=document.getElementById('shown');if(count)count.textContent=String(document.querySelectorAll('#features tbody tr:not([hidden])').length)}
if(search)search.addEventListener('input',filter);if(only)only.addEventListener('change',filter);
document.querySelectorAll('input[name=mode]').forEach(function(r){r.addEventListener('change',function(){document.body.setAttribute('data-mode',r.value)})});
})();
`;

/** The whole document. */
export function htmlPage(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    `<meta name="generator" content="driftcatcher">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head>`,
    `<body data-mode="share">`,
    body,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
