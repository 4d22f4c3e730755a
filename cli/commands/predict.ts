import { Command } from 'commander';
import { fixed, printJson } from '../format.js';

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict a file with a trained model: writes y_pred, y_prob (and y_true when the file has labels)')
    .requiredOption('--model <dir>', 'model: a registry folder (champion, else the latest; DIR@alias or DIR@version for another), a version folder or a model.json')
    .argument('<data>', 'data to predict: CSV, Arrow IPC or Parquet')
    .requiredOption('-o, --out <predictions.csv>', 'where to write the predictions')
    .option('--coerce', 'read non-numeric text in feature columns as NaN instead of failing')
    .option('--json', 'print the result as JSON')
    .action(async (data: string, flags: { model: string; out: string; coerce?: boolean; json?: boolean }) => {
      const { predictFile } = await import('../../engine/model/index.js');
      const result = await predictFile({ model: flags.model, data, out: flags.out, coerce: flags.coerce });
      if (flags.json) printJson(result);
      else {
        const version = result.model.version !== null ? ` v${result.model.version}` : '';
        const metrics = result.metrics ? `; accuracy ${fixed(result.metrics.accuracy)}, roc_auc ${fixed(result.metrics.roc_auc)}` : '';
        process.stdout.write(`wrote ${result.out}: ${result.rows} rows, ${result.predicted_positive} predicted positive (y_pred = 1; ${result.model.model_type}${version}), ${result.filled_values} non-finite values filled${metrics}\n`);
      }
    });
}
