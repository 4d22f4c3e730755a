/**
 * `npm run bench -- report [bench/results/compare-*.json]`: the tables of one `compare` run as
 * Markdown (what docs/BENCHMARKS.md holds), from the given results file or the newest one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../engine/util/paths.js';
import { sig, type CompareResults, type ContenderSummary } from './compare.js';

function newestResults(): string {
  const dir = join(packageRoot(), 'bench', 'results');
  const files = readdirSync(dir).filter((f) => f.startsWith('compare-') && f.endsWith('.json')).sort();
  if (!files.length) throw new Error('bench report: no bench/results/compare-*.json: run `npm run bench` first');
  return join(dir, files[files.length - 1]!);
}

const f = (value: number, digits: number) => value.toFixed(digits);

function ratio(c: ContenderSummary): string {
  if (c.ratio_to_driftcatcher === undefined) return '-';
  const r = c.ratio_to_driftcatcher;
  return `${f(r, r >= 10 ? 0 : 2)}x`;
}

function agreement(c: ContenderSummary): string {
  if (c.psi_delta === undefined) return '-';
  if (c.agrees === true) return `yes (${c.psi_delta.toExponential(1)})`;
  if (typeof c.agrees === 'string') return `no, by design (${c.psi_delta.toExponential(1)})*`;
  return `**NO** (${c.psi_delta.toExponential(1)})`;
}

function markdownTable(header: string[], rows: string[][], align: string[]): string {
  return [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function renderMarkdown(results: CompareResults): string {
  const out: string[] = [];
  for (const size of results.sizes) {
    out.push(
      `### ${size.rows.toLocaleString('en-US')} rows (CSV ${f(size.files.csv_bytes / 1e6, 0)} MB, Arrow IPC ${f(size.files.arrow_bytes / 1e6, 0)} MB)`,
      '',
      `${results.options.reps} repetitions, contenders in a rotated order each time. Compat reference (untimed \`${size.reference.command}\`): overall PSI ${size.reference.overall_psi.toPrecision(17)} over ${size.reference.n_features} features.`,
      '',
    );
    const rows = size.contenders.map((c) =>
      c.wall
        ? [
            c.label + (c.note ? ` (${c.note})` : ''),
            f(c.wall.median, 2),
            `${f(c.wall.min, 2)}–${f(c.wall.max, 2)}`,
            c.in_process_median_s === undefined ? '-' : f(c.in_process_median_s, 2),
            f(c.cpu_median_s!, 2),
            sig(c.rows_per_s! / 1e6),
            sig(c.csv_mb_per_s!),
            c.input === 'arrow' ? `${sig(c.input_mb_per_s!)} (Arrow)` : sig(c.input_mb_per_s!),
            f(c.max_rss_mb!, 0),
            ratio(c),
            c.overall_psi === undefined ? '-' : c.overall_psi.toPrecision(12),
            agreement(c),
          ]
        : [c.label, 'failed', c.error ?? '', '', '', '', '', '', '', '', '', ''],
    );
    out.push(
      markdownTable(
        ['contender', 'median s', 'min–max s', 'in-process s', 'CPU s', 'M rows/s', 'CSV MB/s', 'input MB/s', 'peak RSS MB', 'time / dc 2 workers', 'overall PSI', 'PSI = compat (1e-9)'],
        rows,
        ['---', ...Array(11).fill('---:')],
      ),
      '',
    );
  }
  const b = results.binning;
  out.push(
    '### Binning kernel',
    '',
    `${b.kernel}, one thread, ${b.values.toLocaleString('en-US')} values over 10 bins, ${b.reps} repetitions: ${f(b.g_values_per_s, 3)} G values/s median (${f(b.median_s * 1000, 2)} ms a pass), ${f(b.g_values_per_s_best, 3)} G values/s best.`,
    '',
  );
  out.push('### Targets', '');
  out.push(markdownTable(['target', 'measured', 'met'], results.targets.map((t) => [t.target, t.measured, t.met === null ? 'not run' : t.met ? 'yes' : '**no**']), ['---', '---', '---']), '');
  const m = results.machine;
  out.push(
    '### Machine and versions',
    '',
    `${m.cpus} cores, ${m.model}, ${m.memory_gib} GiB, ${m.os}; shared with other work: load average ${m.loadavg_start.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min) at the start, ${m.loadavg_end.map((l) => l.toFixed(2)).join(' / ')} at the end. ` +
      `Run ${results.started} to ${results.finished}, driftcatcher at ${results.git}.`,
    '',
    markdownTable(['component', 'version'], Object.entries(results.versions).map(([k, v]) => [k, v]), ['---', '---']),
    '',
  );
  return out.join('\n');
}

export async function benchReport(args: string[]): Promise<void> {
  const file = args[0] ?? newestResults();
  const results = JSON.parse(readFileSync(file, 'utf8')) as CompareResults;
  if (results.kind !== 'compare') throw new Error(`bench report: ${file} is not a compare result`);
  process.stdout.write(renderMarkdown(results) + '\n');
}
