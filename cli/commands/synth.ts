import { Command, Option } from 'commander';
import type { DriftKind } from '../../engine/synth/index.js';
// the defaults `--help` shows; synthesize.js loads its writers (and apache-arrow) only when it writes
import { SYNTH_DEFAULTS } from '../../engine/synth/index.js';
import { integer, number } from '../options.js';
import { printJson } from '../format.js';

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('generate CICIDS2017-shaped flow data (exact 79-column header), streamed to disk')
    .requiredOption('-o, --out <file>', 'output: .csv or .arrow (Arrow IPC file)')
    .option('--rows <n>', 'rows to write', integer('--rows', 0), SYNTH_DEFAULTS.rows)
    .option('--seed <n>', 'PRNG seed: the same seed gives the same file', integer('--seed', 0), SYNTH_DEFAULTS.seed)
    .addOption(new Option('--drift <kind>', 'shift chosen features').choices(['none', 'mild', 'severe']).default('none'))
    .option('--attack-share <x>', 'share of DDoS rows', number('--attack-share'), SYNTH_DEFAULTS.attackShare)
    .option('--json', 'print the result as JSON')
    .action(async (flags: { out: string; rows: number; seed: number; drift: DriftKind; attackShare: number; json?: boolean }) => {
      const { synthesize } = await import('../../engine/synth/index.js');
      const started = performance.now();
      const result = await synthesize({ out: flags.out, rows: flags.rows, seed: flags.seed, drift: flags.drift, attackShare: flags.attackShare });
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) printJson({ ...result, seconds });
      else {
        const shifted = result.drifted_features.length ? `; shifted: ${result.drifted_features.join(', ')}` : '';
        process.stdout.write(`wrote ${result.file}: ${result.rows} rows, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s${shifted}\n`);
      }
    });
}
