import { Command } from 'commander';
import { addTrackingOptions, trackingOptions, type TrackingFlags } from '../options.js';
import { printJson, table } from '../format.js';

const EXIT_SERVER = 3;

export function registerMlflow(program: Command): void {
  const mlflow = program.command('mlflow').description('the local run ledger and the MLflow server: send queued runs, list them');

  addTrackingOptions(
    mlflow
      .command('sync')
      .description('send every queued run of the ledger to the MLflow server, each exactly once')
      .argument('[runs...]', 'ledger run ids (default: every queued run)')
      .option('--json', 'print the summary as JSON'),
    { experiment: false },
  ).action(async (ids: string[], flags: TrackingFlags & { json?: boolean }) => {
    const { syncQueued } = await import('../../engine/tracking/index.js');
    const summary = await syncQueued({ ...trackingOptions(flags), ids: ids.length ? ids : undefined });
    if (flags.json) printJson(summary);
    else if (summary.runs.length === 0) process.stdout.write(`nothing to send: no queued runs\n`);
    else {
      const rows = summary.runs.map((r) => [r.id, r.run_name, r.state, r.state === 'sent' ? (r.url ?? r.mlflow_run_id ?? '') : cut(r.reason ?? '', 100)]);
      process.stdout.write(`${table(['run', 'name', 'state', 'MLflow run / reason'], rows)}\n\n${summary.sent} sent to ${summary.server}, ${summary.queued} still queued\n`);
    }
    const failure = summary.stoppedBy ?? summary.errors[0];
    if (summary.queued > 0) {
      process.stderr.write(`driftcatcher: ${failure ? failure.message : 'some runs are still queued'}; ${summary.queued} run(s) still queued\n`);
      process.exitCode = EXIT_SERVER;
    }
  });

  addTrackingOptions(mlflow.command('status').description('list the runs of the ledger not yet sent to MLflow').option('--json', 'print the status as JSON'), {
    experiment: false,
  }).action(async (flags: TrackingFlags & { json?: boolean }) => {
    const { ledgerStatus } = await import('../../engine/tracking/index.js');
    const status = await ledgerStatus(trackingOptions(flags));
    if (flags.json) {
      printJson(status);
      return;
    }
    const lines = [`ledger ${status.ledgerDir}: ${status.total} run(s), ${status.sent} sent, ${status.queued.length} queued; server ${status.server ?? 'none (set MLFLOW_TRACKING_URI or pass --tracking-uri)'}`];
    if (status.queued.length) {
      const rows = status.queued.map((r) => [r.id, r.started.replace('T', ' ').slice(0, 19), r.experiment, r.run_name, String(r.attempts), cut(r.last_error ?? '', 80)]);
      lines.push('', table(['run', 'started (UTC)', 'experiment', 'name', 'tries', 'last error'], rows, [false, false, false, false, true, false]));
    }
    process.stdout.write(lines.join('\n') + '\n');
  });
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
