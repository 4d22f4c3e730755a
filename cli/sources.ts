/** The options of the commands that read production data (`--from <source>`), spelt once. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SOURCE_DEFAULTS, SSL_MODES, parseDuration, parseInstant, type SourceOptions } from '../engine/sources/index.js';
import { integer, maxLineBytesOption } from './options.js';

export const SOURCE_SYNTAX_HELP = 'postgres://user@host:5432/db (or postgres: with the PG* variables), duckdb:file.duckdb[?table=name], duckdb:files/*.parquet, logs:dir/';

export interface SourceFlags {
  from?: string;
  table?: string;
  timeColumn: string;
  featuresField: string;
  predictedColumn: string;
  probabilityColumn: string;
  modelVersionColumn: string;
  exclude?: string[];
  sslmode?: string;
  sslRootCert?: string;
  maxRows?: number;
  maxLineBytes?: number;
  until?: Date;
}

export function durationArg(name: string) {
  return (text: string): number => {
    try {
      return parseDuration(text);
    } catch {
      throw new InvalidArgumentError(`${name} must be a duration such as 30m, 12h, 1d or 2w, got "${text}"`);
    }
  };
}

export function instantArg(name: string) {
  return (text: string): Date => {
    try {
      return parseInstant(text);
    } catch {
      throw new InvalidArgumentError(`${name} must be an ISO 8601 date or time (2026-03-01, 2026-03-01T12:00:00Z, 2026-03-01T14:00:00+02:00; no offset: UTC), got "${text}"`);
    }
  };
}

/** `--from` and what a source reads (`required`: --from is the command's input; `until`: the command takes --until, default yes). */
export function addSourceOptions(command: Command, { required, until = true }: { required: boolean; until?: boolean }): Command {
  const from = `production data: ${SOURCE_SYNTAX_HELP}`;
  (required ? command.requiredOption('--from <source>', from) : command.option('--from <source>', `${from} (instead of a data file)`));
  command
    .option('--table <name>', `database table or view, schema.table allowed (default ${SOURCE_DEFAULTS.table}; duckdb: also ?table=)`)
    .option('--time-column <name>', 'the timestamp column (log field) windows select on', SOURCE_DEFAULTS.timeColumn)
    .option('--features-field <name>', 'logs: the field holding the features object (lines without it: the other top-level fields are the features)', SOURCE_DEFAULTS.featuresField)
    .option('--predicted-column <name>', "the model's predicted class column (log field), not a feature", SOURCE_DEFAULTS.predictionColumn)
    .option('--probability-column <name>', "the model's probability column (log field), not a feature", SOURCE_DEFAULTS.probabilityColumn)
    .option('--model-version-column <name>', 'the model version column (log field), not a feature', SOURCE_DEFAULTS.modelVersionColumn)
    .addOption(new Option('--sslmode <mode>', 'PostgreSQL TLS (default: the URL\'s sslmode, else $PGSSLMODE, else prefer: TLS, unverified, when the server offers it)').choices([...SSL_MODES]))
    .option('--ssl-root-cert <ca.pem>', 'PostgreSQL TLS: the CA certificate the server\'s must chain to (default: the URL\'s sslrootcert, else $PGSSLROOTCERT)')
    .option('--max-rows <n>', `the most rows a reference pulls from the source (default ${SOURCE_DEFAULTS.maxRows})`, integer('--max-rows', 1));
  // logs: the line limit (check also has it for its CSV input)
  if (!command.options.some((option) => option.long === '--max-line-bytes')) command.addOption(maxLineBytesOption());
  return until ? command.option('--until <time>', 'the end of the window, excluded (ISO 8601; no offset: UTC; default: now)', instantArg('--until')) : command;
}

/** The engine's source options; `label`: the label column (--label where the command has it). */
export function sourceOptions(flags: SourceFlags, label: string | undefined, exclude?: string[]): SourceOptions {
  return {
    table: flags.table,
    timeColumn: flags.timeColumn,
    featuresField: flags.featuresField,
    labelColumn: label,
    predictionColumn: flags.predictedColumn,
    probabilityColumn: flags.probabilityColumn,
    modelVersionColumn: flags.modelVersionColumn,
    exclude: exclude ?? flags.exclude,
    sslmode: flags.sslmode,
    sslRootCert: flags.sslRootCert,
    maxRows: flags.maxRows,
    maxLineBytes: flags.maxLineBytes,
  };
}
