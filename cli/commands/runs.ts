import { Command } from 'commander';
import type { CleanupResult, RunsListing, RunsSummary, TrackedRun } from '../../engine/tracking/index.js';
import type { HistoryResult } from '../../engine/report/index.js';
import { addTrackingOptions, integer, list, trackingOptions, type TrackingFlags } from '../options.js';
import { fixed, printJson, style, table } from '../format.js';
import { writeHtmlReport } from '../render.js';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';

const SOURCE_NOTE = 'Reads the MLflow server when one is set (--tracking-uri, $MLFLOW_TRACKING_URI), else the local ledger.';

interface QueryFlags extends TrackingFlags {
  filter?: string;
  since?: string;
  json?: boolean;
}

function withExperiment(command: Command, required = false): Command {
  return required ? command.requiredOption('--experiment <name>', 'the experiment') : command.option('--experiment <name>', 'only this experiment (default: every experiment)');
}

function withQuery(command: Command): Command {
  return command
    .option('--filter <text>', 'MLflow search filter, e.g. "metrics.overall_score > 0.2 AND tags.action_recommended = \'retrain\'" (sent to the server as is; on the ledger evaluated the same way, see docs/RUNS.md)')
    .option('--since <when>', 'only runs started since then: a duration back from now (30m, 12h, 7d, 2w) or an ISO date');
}

/** While a server is paged through: a count on stderr, only when it is a terminal; `done` clears it. */
function pagingProgress(): { onProgress?: (fetched: number) => void; done(): void } {
  if (!process.stderr.isTTY) return { done() {} };
  let shown = false;
  return {
    onProgress(fetched) {
      shown = true;
      process.stderr.write(`\rdriftcatcher: read ${fetched} run(s)...`);
    },
    done() {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

async function withProgress<T>(work: (onProgress: ((fetched: number) => void) | undefined) => Promise<T>): Promise<T> {
  const progress = pagingProgress();
  try {
    return await work(progress.onProgress);
  } finally {
    progress.done();
  }
}

const when = (time: number | null | undefined) => (time === null || time === undefined || !Number.isFinite(time) ? '' : new Date(time).toISOString().replace('T', ' ').slice(0, 19));
const from = (result: { source: string; where: string }) => `${result.source === 'mlflow' ? 'MLflow server' : 'ledger'} ${result.where}`;

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('the runs dashboard: summary, list, export, cleanup and score history of recorded runs (MLflow server or the local ledger)');

  addTrackingOptions(withExperiment(runs.command('summary').description(`experiments, their run counts, last run and latest verdicts. ${SOURCE_NOTE}`)), { experiment: false })
    .option('--json', 'print the summary as JSON')
    .action(async (flags: QueryFlags & { experiment?: string }) => {
      const { summarizeRuns } = await import('../../engine/tracking/index.js');
      const summary = await withProgress((onProgress) => summarizeRuns({ ...trackingOptions(flags), experiment: flags.experiment, onProgress }));
      if (flags.json) return printJson(summary);
      process.stdout.write(summaryText(summary) + '\n');
    });

  addTrackingOptions(withQuery(withExperiment(runs.command('list').description(`runs, newest first. ${SOURCE_NOTE}`))), { experiment: false })
    .option('--limit <n>', 'most runs shown', integer('--limit', 1), 50)
    .option('--json', 'print the runs as JSON (every metric, param and tag)')
    .action(async (flags: QueryFlags & { experiment?: string; limit: number }) => {
      const { listRuns } = await import('../../engine/tracking/index.js');
      const listing = await withProgress((onProgress) => listRuns({ ...trackingOptions(flags), experiment: flags.experiment, filter: flags.filter, since: flags.since, limit: flags.limit, onProgress }));
      if (flags.json) return printJson(listing);
      process.stdout.write(listText(listing, flags.limit) + '\n');
    });

  addTrackingOptions(withQuery(withExperiment(runs.command('export').description(`one row per run of an experiment (run fields, metrics.*, params.*, tags.*) to CSV or Parquet, by the file's extension. ${SOURCE_NOTE}`), true)), {
    experiment: false,
  })
    .requiredOption('-o, --output <file>', 'the file to write: runs.csv or runs.parquet (written to a temp file, then renamed)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: QueryFlags & { experiment: string; output: string }) => {
      const { exportRuns } = await import('../../engine/tracking/index.js');
      const result = await withProgress((onProgress) => exportRuns({ ...trackingOptions(flags), experiment: flags.experiment, output: flags.output, filter: flags.filter, since: flags.since, onProgress }));
      if (flags.json) return printJson(result);
      process.stdout.write(`wrote ${result.file}: ${result.rows} run(s) of ${flags.experiment}, ${result.columns.length} columns (${result.format}) from the ${from(result)}\n`);
    });

  addTrackingOptions(
    withExperiment(
      runs
        .command('cleanup')
        .description(`delete the runs of an experiment beyond the newest --keep-last, on the server (runs/delete: MLflow's deleted stage, purged by \`mlflow gc\`) and in the ledger; never a run that produced a registered model version (on the server or in the local registry). ${SOURCE_NOTE}`),
      true,
    ),
    { experiment: false },
  )
    .requiredOption('--keep-last <n>', 'the newest runs kept', integer('--keep-last', 0))
    .option('--dry-run', 'say what would be deleted, delete nothing')
    .option('--registry <dir>', 'the local model registry whose versions\' runs are kept', REGISTRY_DEFAULTS.registry)
    .option('--json', 'print the result as JSON')
    .action(async (flags: TrackingFlags & { experiment: string; keepLast: number; dryRun?: boolean; registry: string; json?: boolean }) => {
      const { cleanupRuns } = await import('../../engine/tracking/index.js');
      const result = await withProgress((onProgress) =>
        cleanupRuns({ ...trackingOptions(flags), experiment: flags.experiment, keepLast: flags.keepLast, dryRun: flags.dryRun, registry: flags.registry, onProgress }),
      );
      if (flags.json) return printJson(result);
      process.stdout.write(cleanupText(result) + '\n');
    });

  addTrackingOptions(
    withExperiment(runs.command('history').description(`a text sparkline per feature or metric: its score over the runs of an experiment, with the threshold. ${SOURCE_NOTE}`)),
    { experiment: false },
  )
    .option('--feature <names>', 'features whose drift score (metric drift/<feature>) to follow, comma-separated or repeated', list)
    .option('--metric <keys>', 'metric keys to follow (e.g. overall_score), comma-separated or repeated', list)
    .option('--since <when>', 'only runs started since then: a duration back from now (30m, 12h, 7d, 2w) or an ISO date')
    .option('--limit <n>', 'only the newest n runs', integer('--limit', 1))
    .option('--width <n>', 'most points a sparkline shows (the newest)', integer('--width', 1, 1000), 60)
    .option('--json', 'print the history as JSON: title, metric, threshold, series of { name, points: [{ time, run_id, value }] }')
    .option('--html <file>', 'also write the history as an HTML page: one plot per series with the threshold line, a sortable table')
    .addHelpText('after', '\nThe experiment defaults to the drift checks\' (drift_monitoring after $DRIFTCATCHER_EXPERIMENT_PREFIX). A feature\'s threshold is the checks\' `threshold` param; an overall score\'s, the alert level (policy_alert_overall).')
    .action(async (flags: TrackingFlags & { experiment?: string; feature?: string[]; metric?: string[]; since?: string; limit?: number; width: number; json?: boolean; html?: string }) => {
      const { scoreHistory, renderScoreHistory, renderHistoryHtml } = await import('../../engine/report/index.js');
      const { UsageError } = await import('../../engine/util/index.js');
      if (!flags.feature?.length && !flags.metric?.length) throw new UsageError('give --feature or --metric');
      if (flags.feature?.length && flags.metric?.length) throw new UsageError('give --feature or --metric, not both');
      const result = await withProgress((onProgress) =>
        scoreHistory({ ...trackingOptions(flags), experiment: flags.experiment, features: flags.feature, metrics: flags.metric, since: flags.since, limit: flags.limit, onProgress }),
      );
      if (flags.html) await writeHtmlReport(flags.html, await renderHistoryHtml(result.history));
      if (flags.json) return printJson(historyDocument(result));
      process.stdout.write(`${renderScoreHistory(result.history, { width: flags.width, style })}\nfrom the ${from(result)}\n`);
    });
}

/** The `runs history --json` document: the ScoreHistory with snake_case keys (`run_id`), as every command's JSON. */
function historyDocument(result: HistoryResult) {
  const { title, metric, threshold, series } = result.history;
  return {
    source: result.source,
    where: result.where,
    experiment: result.experiment,
    history: { title, metric, threshold: threshold ?? null, series: series.map((s) => ({ name: s.name, points: s.points.map((p) => ({ time: p.time, run_id: p.runId, value: p.value })) })) },
  };
}

function verdictText(verdict: string | null | undefined): string {
  if (!verdict) return '';
  return verdict === 'retrain' ? style.red(verdict) : verdict === 'alert' ? style.yellow(verdict) : verdict;
}

function summaryText(summary: RunsSummary): string {
  if (summary.experiments.length === 0) return `no runs in the ${from(summary)}`;
  const rows = summary.experiments.map((e) => [
    e.name,
    String(e.runs),
    when(e.last_run?.start_time),
    e.last_run?.run_name ?? '',
    verdictText(e.latest_verdict),
    e.recent_verdicts.map(verdictText).join(' '),
  ]);
  const total = summary.experiments.reduce((n, e) => n + e.runs, 0);
  return [table(['experiment', 'runs', 'last run (UTC)', 'last run name', 'latest verdict', 'recent verdicts (newest first)'], rows, [false, true]), '', `${total} run(s) in ${summary.experiments.length} experiment(s), ${from(summary)}`].join('\n');
}

function listText(listing: RunsListing, limit: number): string {
  if (listing.runs.length === 0) return `no matching runs in the ${from(listing)}`;
  const score = (r: TrackedRun) => (Object.hasOwn(r.metrics, 'overall_score') ? fixed(r.metrics['overall_score']!, 4) : '');
  const rows = listing.runs.map((r) => [r.run_id, r.experiment, r.run_name, when(r.start_time), r.status, verdictText(r.tags['action_recommended']), score(r)]);
  const more = listing.runs.length === limit ? ` (the newest ${limit}: --limit for more)` : '';
  return [table(['run', 'experiment', 'name', 'started (UTC)', 'status', 'verdict', 'overall_score'], rows, [false, false, false, false, false, false, true]), '', `${listing.runs.length} run(s)${more}, ${from(listing)}`].join('\n');
}

function cleanupText(result: CleanupResult): string {
  const lines: string[] = [];
  const verb = result.dry_run ? 'would delete' : 'deleted';
  if (result.deleted.length) {
    lines.push(table(['run', 'name', 'started (UTC)'], result.deleted.map((r) => [r.run_id, r.run_name, when(r.start_time)])), '');
  }
  if (result.protected.length) {
    lines.push(table(['kept run', 'name', 'why'], result.protected.map((r) => [r.run_id, r.run_name, r.reason])), '');
  }
  if (result.skipped.length) {
    lines.push(table(['skipped run', 'name', 'why'], result.skipped.map((r) => [r.run_id, r.run_name, r.reason])), '');
  }
  const ledger = result.source === 'mlflow' && !result.dry_run ? `, ${result.ledger_removed.length} ledger cop${result.ledger_removed.length === 1 ? 'y' : 'ies'} removed` : '';
  lines.push(
    `${result.experiment}: ${result.total} run(s); kept the newest ${result.kept}, ${result.protected.length} more for registered model versions; ${verb} ${result.deleted.length}${ledger}${result.skipped.length ? `, skipped ${result.skipped.length}` : ''} (${from(result)})`,
  );
  return lines.join('\n');
}
