import { Command } from 'commander';
import { integer, workersArg, workersHelp } from '../options.js';
import { renderDemo } from '../../engine/report/index.js';
import { printJson, style } from '../format.js';
import { writeHtmlReport } from '../render.js';
import { join } from 'node:path';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate a training set and three production batches (no drift, mild, severe), build the baseline and check each')
    .option('--dir <folder>', 'where the generated files go', 'driftcatcher-demo')
    .option('--train-rows <n>', 'training rows', integer('--train-rows', 100), 100_000)
    .option('--batch-rows <n>', 'rows per production batch', integer('--batch-rows', 100), 50_000)
    .option('--workers <n>', workersHelp('worker threads'), workersArg('--workers'))
    .option('--json', 'print the three reports as JSON')
    .option('--html [file]', 'also write the HTML report of the severe batch (default file: report.html in --dir) and print its path at the end')
    .action(async (flags: { dir: string; trainRows: number; batchRows: number; workers?: number; json?: boolean; html?: string | true }) => {
      const { runDemo } = await import('../../engine/demo.js');
      const result = await runDemo({ dir: flags.dir, trainRows: flags.trainRows, batchRows: flags.batchRows, workers: flags.workers, log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`) });
      let htmlFile: string | undefined;
      if (flags.html) {
        const [{ loadProfile }, { renderDriftHtml }] = await Promise.all([import('../../engine/profile/index.js'), import('../../engine/report/index.js')]);
        const severe = result.batches[result.batches.length - 1]!;
        htmlFile = flags.html === true ? join(flags.dir, 'report.html') : flags.html;
        await writeHtmlReport(htmlFile, await renderDriftHtml(severe.report, { profile: await loadProfile(result.profile), title: `driftcatcher demo: the ${severe.drift} batch (${severe.file})` }));
      }
      if (flags.json) {
        printJson(result);
        return;
      }
      const next = `next: driftcatcher check --baseline ${result.profile} ${result.batches[2]!.file}`;
      process.stdout.write(renderDemo(result, { style, next }) + '\n');
      if (htmlFile) process.stdout.write(`HTML report of the ${result.batches[result.batches.length - 1]!.drift} batch: ${htmlFile}\n`);
    });
}
