import { Command } from 'commander';
import { writeHtmlReport } from '../render.js';

export function registerReport(program: Command): void {
  program
      .command('report')
      .description("the HTML report of a drift check or scan: from its JSON (`check --json`, `scan --json`) or from a run of the local ledger (its drift_report.json artifact)")
      .argument('<run-id|drift.json>', 'a ledger run id (or the MLflow run id of a ledger run), or a drift report JSON file')
      .requiredOption('-o, --output <report.html>', 'the HTML file to write')
      .option('--baseline <profile.json>', "the baseline profile: bin labels from its edges and categories (else bin 1, bin 2, ...)")
      .option('--ledger-dir <dir>', 'the local run ledger (default: $DRIFTCATCHER_HOME, else ./.driftcatcher)')
      .action(async (ref: string, flags: { output: string; baseline?: string; ledgerDir?: string }) => {
    const { readDriftSource, renderDriftHtml, renderScanHtml } = await import('../../engine/report/index.js');
    const source = await readDriftSource(ref, { ledgerDir: flags.ledgerDir });
    const profile = flags.baseline ? await (await import('../../engine/profile/index.js')).loadProfile(flags.baseline) : undefined;
    const html = source.kind === 'scan' ? await renderScanHtml(source.scan, { profile }) : await renderDriftHtml(source.report, { profile });
    await writeHtmlReport(flags.output, html);
      });
}
