import { Command, Option } from 'commander';
import { REGISTRY_DEFAULTS } from '../../engine/model/index.js';
import { renderPerformance, renderPredictionMonitor } from '../../engine/report/index.js';
import { addTrackingOptions, htmlOption, number, trackingOptions, type TrackingFlags } from '../options.js';
import { printJson, style } from '../format.js';
import { smallSampleWarning, writeHtmlReport, htmlReportPath } from '../render.js';

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

export function registerMonitor(program: Command): void {
  addTrackingOptions(program
    .command('monitor')
    .description('performance of a model in production from labelled predictions (y_true, y_pred[, y_prob]): metrics, degradation, the champion\'s training metrics; without y_true (labels not known yet): prediction drift of y_prob and the predicted positive rate against the champion\'s prediction profile')
    .argument('<predictions>', 'predictions CSV (as `driftcatcher predict` writes it) or JSON-lines log (.jsonl)')
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
    .addOption(htmlOption()))
    .action(async (file: string, flags: MonitorFlags & TrackingFlags) => {
      const { appendHistory, monitorAnyPredictions } = await import('../../engine/monitor/index.js');
      const { defaultHistoryFile, recordPerformance, recordPredictionMonitor } = await import('../../engine/report/index.js');
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
      process.stderr.write(smallSampleWarning(null, report.small_sample));
      process.exitCode = flags.failOn === 'degraded' && report.status === 'degraded' ? 1 : 0;
      if (flags.record === false) return;
      await appendHistory(flags.history ?? (await defaultHistoryFile({ ledgerDir: flags.ledgerDir })), report);
      const recorded = await recordPerformance(report, trackingOptions(flags));
      process.stderr.write(`driftcatcher: ${recorded.message}\n`);
    });
}
