import { Command, Option } from 'commander';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';
import { renderPerformance, renderPredictionMonitor } from '../../engine/report/index.js';
import { addTrackingOptions, htmlOption, number, trackingOptions, type TrackingFlags } from '../options.js';
import { fixed, printJson, style, table } from '../format.js';
import { smallSampleWarning, writeHtmlReport, htmlReportPath } from '../render.js';
import { UsageError } from '../../engine/util/index.js';
import { DAY_MS, SOURCE_DEFAULTS, windowEnding, type SourceMonitorOptions } from '../../engine/sources/index.js';
import type { PerformanceReport } from '../../engine/monitor/index.js';
import { addSourceOptions, durationArg, sourceOptions, type SourceFlags } from '../sources.js';

interface MonitorFlags {
  minAccuracy: number;
  minPrecision: number;
  minRecall: number;
  maxFpr: number;
  maxFnr: number;
  registry?: string;
  name: string;
  history?: string;
  failOn?: 'degraded' | 'drifted';
  json?: boolean;
  html?: string;
}

type MonitorSourceFlags = MonitorFlags & TrackingFlags & SourceFlags & { label: string; window: number; chunk?: number };

export function registerMonitor(program: Command): void {
  addSourceOptions(addTrackingOptions(program
    .command('monitor')
    .description('performance of a model in production from labelled predictions (y_true, y_pred[, y_prob]): metrics, degradation, the champion\'s training metrics; without y_true (labels not known yet): prediction drift of y_prob and the predicted positive rate against the champion\'s prediction profile')
    .argument('[predictions]', 'predictions CSV (as `driftcatcher predict` writes it) or JSON-lines log (.jsonl); or --from')
    .option('--min-accuracy <x>', 'degraded when accuracy is below this', number('--min-accuracy'), 0.9)
    .option('--min-precision <x>', 'degraded when precision is below this', number('--min-precision'), 0.85)
    .option('--min-recall <x>', 'degraded when recall is below this', number('--min-recall'), 0.85)
    .option('--max-fpr <x>', 'degraded when the false-positive rate is above this', number('--max-fpr'), 0.1)
    .option('--max-fnr <x>', 'degraded when the false-negative rate is above this', number('--max-fnr'), 0.05)
    .option('--registry <dir>', 'model registry whose champion to compare with (default: ./models when it exists; without labels: the model whose prediction profile is the reference, also DIR@alias, DIR@version or a version folder)')
    .option('--name <model>', 'registered model name', REGISTRY_DEFAULTS.registeredModel)
    .option('--history <file>', 'performance history, JSON lines (default: performance_history.jsonl beside the ledger)')
    .addOption(new Option('--fail-on <status>', 'exit 1 when the model is degraded (labelled predictions) or its predictions drifted (without labels)').choices(['degraded', 'drifted']))
    .option('--json', 'print one JSON object on stdout')
    .addOption(htmlOption())), { required: false })
    .option('--label <name>', `with --from: the true label column (log field); rows where it is NULL or absent are not labelled yet and left out (default ${SOURCE_DEFAULTS.labelColumn})`, SOURCE_DEFAULTS.labelColumn)
    .option('--window <duration>', 'with --from: the window monitored, [until - window, until) UTC (30m, 12h, 1d, 2w)', durationArg('--window'), DAY_MS)
    .option('--chunk <duration>', 'with --from: one performance per chunk of the window (e.g. --window 30d --chunk 1d), a history', durationArg('--chunk'))
    .action(async (file: string | undefined, flags: MonitorSourceFlags) => {
      if (flags.from !== undefined) return monitorFromSource(file, flags);
      if (file === undefined) throw new UsageError('give the predictions file, or --from <source>');
      for (const [given, flag] of [[flags.chunk, '--chunk'], [flags.until, '--until'], [flags.maxLineBytes, '--max-line-bytes']] as const) {
        if (given !== undefined) throw new UsageError(`${flag} goes with --from <source>`);
      }
      const { monitorAnyPredictions } = await import('../../engine/monitor/index.js');
      const { recordPredictionMonitor } = await import('../../engine/report/index.js');
      const result = await monitorAnyPredictions(file, {
        thresholds: { minAccuracy: flags.minAccuracy, minPrecision: flags.minPrecision, minRecall: flags.minRecall, maxFalsePositiveRate: flags.maxFpr, maxFalseNegativeRate: flags.maxFnr },
        registry: flags.registry,
        registeredModel: flags.name,
      });
      const htmlPath = await htmlReportPath(flags.html, file);
      if (htmlPath) await writeHtmlReport(htmlPath, await (await import('../../engine/report/index.js')).renderMonitorHtml(result));
      if (!('metrics' in result)) {
        // no labels yet: the predictions' drift against the champion's prediction profile
        if (flags.json) printJson(result);
        else process.stdout.write(renderPredictionMonitor(result, style) + '\n');
        process.stderr.write(smallSampleWarning('prediction drift', result.small_sample));
        process.exitCode = flags.failOn === 'drifted' && result.status === 'drifted' ? 1 : 0;
        if (flags.record === false) return;
        const recorded = await recordPredictionMonitor(result, trackingOptions(flags));
        process.stderr.write(`driftcatcher: ${recorded.message}\n`);
        return;
      }
      const report = result;
      if (flags.json) printJson(report);
      else process.stdout.write(renderPerformance(report, style) + '\n');
      await finishPerformance(report, flags);
    });
}

/** The small-sample warning, the exit code, the history line and the run of a performance report. */
async function finishPerformance(report: PerformanceReport, flags: MonitorFlags & TrackingFlags): Promise<void> {
  process.stderr.write(smallSampleWarning(null, report.small_sample));
  process.exitCode = Math.max(Number(process.exitCode ?? 0), flags.failOn === 'degraded' && report.status === 'degraded' ? 1 : 0);
  if (flags.record === false) return;
  const { appendHistory } = await import('../../engine/monitor/index.js');
  const { defaultHistoryFile, recordPerformance } = await import('../../engine/report/index.js');
  await appendHistory(flags.history ?? (await defaultHistoryFile({ ledgerDir: flags.ledgerDir })), report);
  const recorded = await recordPerformance(report, trackingOptions(flags));
  process.stderr.write(`driftcatcher: ${recorded.message}\n`);
}

/** `monitor --from <source>`: the performance of the labelled rows of the latest window (or of each chunk of it). */
async function monitorFromSource(file: string | undefined, flags: MonitorSourceFlags): Promise<void> {
  if (file !== undefined) throw new UsageError('give --from <source> or the predictions file, not both');
  if (flags.failOn === 'drifted') throw new UsageError('--fail-on drifted is for predictions without labels; with --from, monitor reads the labelled rows (--fail-on degraded)');
  const window = windowEnding(flags.until ?? new Date(), flags.window);
  const options: SourceMonitorOptions = {
    ...sourceOptions(flags, flags.label),
    thresholds: { minAccuracy: flags.minAccuracy, minPrecision: flags.minPrecision, minRecall: flags.minRecall, maxFalsePositiveRate: flags.maxFpr, maxFalseNegativeRate: flags.maxFnr },
    registry: flags.registry,
    registeredModel: flags.name,
  };
  const sources = await import('../../engine/sources/index.js');
  const source = await sources.openSource(flags.from!, options);
  try {
    if (flags.chunk === undefined) {
      const { report, unlabelled_rows } = await sources.monitorSourceWindow(source, window, options);
      if (flags.json) printJson({ window: sources.windowJson(window), unlabelled_rows, ...report });
      else process.stdout.write(`window ${sources.windowText(window)} UTC: ${report.rows} labelled rows of ${source.description}${unlabelled_rows > 0 ? ` (${unlabelled_rows} without a label left out)` : ''}\n${renderPerformance(report, style)}\n`);
      const htmlPath = await htmlReportPath(flags.html, 'window');
      if (htmlPath) await writeHtmlReport(htmlPath, await (await import('../../engine/report/index.js')).renderMonitorHtml(report));
      await finishPerformance(report, flags);
      return;
    }
    if (flags.html !== undefined) throw new UsageError('--html writes the report of one window: leave out --chunk');
    const chunks = await sources.monitorSourceChunks(source, window, flags.chunk, options);
    if (flags.json) printJson({ source: source.description, window: sources.windowJson(window), chunks });
    else {
      const rows = chunks.map((c) => [c.window.from, c.window.until, String(c.report ? c.report.rows : 0), String(c.unlabelled_rows), c.report ? fixed(c.report.metrics.accuracy) : '-', c.report ? fixed(c.report.metrics.f1_score) : '-', c.report ? c.report.status : 'no labels']);
      process.stdout.write(`${chunks.length} chunks of ${source.description}, [from, until) UTC:\n${table(['from', 'until', 'labelled', 'unlabelled', 'accuracy', 'f1', 'status'], rows, [false, false, true, true, true, true, false])}\n`);
    }
    for (const chunk of chunks) if (chunk.report) await finishPerformance(chunk.report, flags);
  } finally {
    await source.close();
  }
}
