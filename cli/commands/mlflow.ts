import { Command } from 'commander';
import type { LedgerStatus, SyncSummary } from '../../engine/tracking/index.js';
import type { TrackingError } from '../../engine/util/index.js';
import { addTrackingOptions, trackingOptions, type TrackingFlags } from '../options.js';
import { printJson, table } from '../format.js';

const EXIT_SERVER = 3;

export function registerMlflow(program: Command): void {
  const mlflow = program.command('mlflow').description('the local run ledger and the MLflow server: send queued runs, list them');

  addTrackingOptions(
    mlflow
      .command('sync')
      .description('send every queued run of the ledger to the MLflow server, each exactly once, then the queued alias moves (models promote)')
      .argument('[runs...]', 'ledger run ids (default: every queued run, and the queued alias moves)')
      .option('--json', 'print the summary as JSON')
      .addHelpText(
        'after',
        '\nExit status: 0 when everything queued was sent (or nothing was queued, or another driftcatcher process is sending it);\n' +
          '3 when anything stays queued: the server could not be reached or answered too slowly (DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS\n' +
          'per request with its retries, 20 s), refused the credentials, or rejected a run. What stays queued is sent by the next sync.',
      ),
    { experiment: false },
  ).action(async (ids: string[], flags: TrackingFlags & { json?: boolean }) => {
    const { syncQueued } = await import('../../engine/tracking/index.js');
    const summary = await syncQueued({ ...trackingOptions(flags), ids: ids.length ? ids : undefined });
    if (flags.json) printJson(syncDocument(summary));
    else if (summary.runs.length === 0 && summary.aliases.length === 0) process.stdout.write(`nothing to send: no queued runs\n`);
    else {
      const lines: string[] = [];
      if (summary.runs.length) {
        const rows = summary.runs.map((r) => [r.id, r.run_name, r.state, r.state === 'sent' ? (r.url ?? r.mlflow_run_id ?? '') : cut(r.reason ?? '', 100)]);
        lines.push(table(['run', 'name', 'state', 'MLflow run / reason'], rows), '');
      }
      if (summary.aliases.length) {
        const rows = summary.aliases.map((a) => [a.id, `${a.registered_model} ${a.alias} -> v${a.local_version}`, a.state, a.state === 'sent' ? `version ${a.mlflow_version}` : cut(a.reason ?? '', 100)]);
        lines.push(table(['alias move', 'promotion', 'state', 'MLflow version / reason'], rows), '');
      }
      const aliases = summary.aliases.length ? `; alias moves: ${summary.aliases.filter((a) => a.state === 'sent').length} sent, ${summary.aliasesQueued} still queued` : '';
      lines.push(`${summary.sent} sent to ${summary.server}, ${summary.queued} still queued${aliases}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    const failure = summary.stoppedBy ?? summary.errors[0];
    if (summary.queued > 0 || summary.aliasesQueued > 0) {
      const what = [summary.queued > 0 ? `${summary.queued} run(s)` : '', summary.aliasesQueued > 0 ? `${summary.aliasesQueued} alias move(s)` : ''].filter(Boolean).join(' and ');
      const why = failure ? failure.message : (summary.runs.find((r) => r.state === 'queued')?.reason ?? summary.aliases.find((a) => a.state === 'queued')?.reason ?? 'not sent');
      process.stderr.write(`driftcatcher: ${why}; ${what} still queued\n`);
      process.exitCode = EXIT_SERVER;
    }
  });

  addTrackingOptions(mlflow.command('status').description('list the runs of the ledger not yet sent to MLflow').option('--json', 'print the status as JSON'), {
    experiment: false,
  }).action(async (flags: TrackingFlags & { json?: boolean }) => {
    const { ledgerStatus } = await import('../../engine/tracking/index.js');
    const status = await ledgerStatus(trackingOptions(flags));
    if (flags.json) {
      printJson(statusDocument(status));
      return;
    }
    const aliases = status.aliases.length ? `, ${status.aliases.length} alias move(s) queued` : '';
    const lines = [`ledger ${status.ledgerDir}: ${status.total} run(s), ${status.sent} sent, ${status.queued.length} queued${aliases}; server ${status.server ?? 'none (set MLFLOW_TRACKING_URI or pass --tracking-uri)'}`];
    if (status.queued.length) {
      const rows = status.queued.map((r) => [r.id, r.started.replace('T', ' ').slice(0, 19), r.experiment, r.run_name, String(r.attempts), cut(r.last_error ?? '', 80)]);
      lines.push('', table(['run', 'started (UTC)', 'experiment', 'name', 'tries', 'last error'], rows, [false, false, false, false, true, false]));
    }
    if (status.aliases.length) {
      const rows = status.aliases.map((a) => [a.id, a.created.replace('T', ' ').slice(0, 19), `${a.registered_model} ${a.alias} -> v${a.local_version}`, String(a.attempts), cut(a.last_error ?? '', 80)]);
      lines.push('', table(['alias move', 'promoted (UTC)', 'promotion', 'tries', 'waiting for'], rows, [false, false, false, true, false]));
    }
    process.stdout.write(lines.join('\n') + '\n');
  });
}

/** The `mlflow sync --json` document: snake_case keys, as every command's JSON; errors as their code, failure and one-line message. */
function syncDocument(summary: SyncSummary) {
  return {
    backend: summary.backend,
    server: summary.server,
    runs: summary.runs,
    sent: summary.sent,
    queued: summary.queued,
    aliases: summary.aliases,
    aliases_queued: summary.aliasesQueued,
    stopped_by: summary.stoppedBy ? errorDocument(summary.stoppedBy) : null,
    errors: summary.errors.map(errorDocument),
  };
}

function errorDocument(err: TrackingError) {
  return { code: err.code, failure: err.failure, status: err.status ?? null, mlflow_code: err.mlflowCode ?? null, endpoint: err.endpoint ?? null, message: err.message };
}

/** The `mlflow status --json` document. */
function statusDocument(status: LedgerStatus) {
  return { ledger_dir: status.ledgerDir, server: status.server, total: status.total, sent: status.sent, queued: status.queued, aliases: status.aliases };
}

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
