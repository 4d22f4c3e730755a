import { Command } from 'commander';
import { addAlertOptions, addTrackingOptions, methodOption, referenceDaysOption, thresholdOption } from '../options.js';
import { printJson, table } from '../format.js';
import { describeSettings } from '../settings.js';

/**
 * `config show`: every setting (cli/settings.ts), its value and where it came from. It takes the
 * settings' flags, so that a flag's precedence shows too; secrets are redacted.
 */
export function registerConfig(program: Command): void {
  const config = program.command('config').description('settings: flag > environment > driftcatcher.toml (or .json) in the working directory > default (docs/CONFIG.md)');
  addAlertOptions(addTrackingOptions(config
    .command('show')
    .description('print every setting, its value and where it came from (flag, env, file, default); secrets redacted')
    .addOption(methodOption())
    .addOption(thresholdOption())
    .addOption(referenceDaysOption()), { experiment: false }), ['drift', 'training'])
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const shown = await describeSettings(command);
      if (flags.json) return printJson({ file: shown.file, settings: shown.settings });
      const text = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
      process.stdout.write(`config file: ${shown.file ?? 'none (driftcatcher.toml or driftcatcher.json in the working directory)'}\n\n`);
      // a default that is no single value (the method's threshold) is shown as its text, in parentheses
      process.stdout.write(table(['setting', 'value', 'source', 'env', 'flag'], shown.settings.map((s) => [s.key, s.value === null ? `(${s.default})` : text(s.value), s.source, s.env ?? '', s.flag ?? ''])) + '\n');
    });
}
