/**
 * Settings: every option that can also come from the environment or from the working directory's
 * config file (driftcatcher.toml, or driftcatcher.json), with precedence flag > environment > file >
 * default, resolved here and nowhere else:
 * - `SETTINGS` is the table (docs/CONFIG.md prints it): file key, environment variable, flag, type,
 *   whether it is a secret, and its default, taken from the area that owns it (DRIFT_DEFAULTS,
 *   AGENT_DEFAULTS, TRACKING_DEFAULTS, SCHEDULE_DEFAULTS), never restated;
 * - `applySettings` runs before every command's action (program.ts's preAction hook): an option of
 *   the command whose flag is a setting's and that the command line did not give is set from the
 *   environment, else from the file, parsed by the option's own parser (so choices and ranges are
 *   checked the same way), and commander records where it came from (`env`, `config`); options
 *   left alone keep their default, which the engine's `resolve*Options()` fill in;
 * - `settingValue` gives the settings that no option of a command carries (the reports folder)
 *   the same precedence; `describeSettings` is `config show`.
 * Secrets (tokens, passwords, webhook URLs) come from the environment or a flag only: the file
 * refuses them, and nothing here prints one (`redact`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { InputError, UsageError } from '../engine/util/index.js';
import { DRIFT_DEFAULTS } from '../engine/drift/index.js';
import { AGENT_DEFAULTS, SCHEDULE_DEFAULTS } from '../engine/agent/index.js';
import { safeUri, TRACKING_DEFAULTS } from '../engine/tracking/index.js';

export type SettingSource = 'flag' | 'env' | 'file' | 'default';
type SettingType = 'number' | 'integer' | 'boolean' | 'string';

export interface Setting {
  /** the key in the config file, `section.name` */
  key: string;
  /** the environment variable, if any */
  env?: string;
  /** the flags that carry it (in every command that has one of them; `--no-` forms included) */
  flags?: readonly string[];
  type: SettingType;
  /** tokens, passwords, webhook URLs: never printed, not taken from the file */
  secret?: boolean;
  /** read from the environment by the engine itself, not a key of the file (tracking's HTTP knobs) */
  envOnly?: boolean;
  /** the default as `config show` and docs/CONFIG.md print it */
  defaultText: string;
  /** the default value, for settings no flag carries (`settingValue`) */
  defaultValue?: unknown;
  description: string;
}

/** Defaults of the settings this module owns (the window of a reference built from production data). */
export const CONFIG_DEFAULTS = {
  /** `--reference-days`: days of production data a reference window covers */
  referenceWindowDays: 30,
  /** the config files looked for in the working directory, in this order (two of them: an error) */
  files: ['driftcatcher.toml', 'driftcatcher.json'],
} as const;

const methodThresholds = () => Object.entries(DRIFT_DEFAULTS.thresholds).map(([id, t]) => `${id} ${t}`).join(', ');

export const SETTINGS: readonly Setting[] = [
  { key: 'drift.method', flags: ['--method'], type: 'string', defaultText: DRIFT_DEFAULTS.method, description: 'drift method of check, scan and the agent' },
  { key: 'drift.threshold', env: 'DRIFT_THRESHOLD', flags: ['--threshold'], type: 'number', defaultText: `the method's (${methodThresholds()})`, description: 'per-feature drift threshold' },
  { key: 'reference.window_days', env: 'REFERENCE_WINDOW_DAYS', flags: ['--reference-days'], type: 'integer', defaultText: String(CONFIG_DEFAULTS.referenceWindowDays), defaultValue: CONFIG_DEFAULTS.referenceWindowDays, description: 'days of production data a reference window covers' },
  { key: 'alert.on_drift', env: 'ALERT_ON_DRIFT', flags: ['--alert-on-drift', '--no-alert-on-drift'], type: 'boolean', defaultText: 'false', defaultValue: false, description: '`check` posts the verdict to the webhook when it is alert or retrain' },
  { key: 'alert.on_training', env: 'ALERT_ON_TRAINING', flags: ['--alert-on-training', '--no-alert-on-training'], type: 'boolean', defaultText: 'false', defaultValue: false, description: '`train` posts the new version and its test metrics to the webhook' },
  { key: 'alert.webhook_url', env: 'ALERT_WEBHOOK_URL', flags: ['--webhook-url'], type: 'string', secret: true, defaultText: 'none (alerts are only logged)', description: 'the webhook alerts go to (Slack, Discord or any JSON receiver)' },
  { key: 'alert.format', flags: ['--alert-format'], type: 'string', defaultText: AGENT_DEFAULTS.alertFormat, description: 'webhook payload: slack, discord or generic' },
  { key: 'reports.dir', env: 'DRIFTCATCHER_REPORTS_DIR', type: 'string', defaultText: SCHEDULE_DEFAULTS.reportsDir, defaultValue: SCHEDULE_DEFAULTS.reportsDir, description: 'folder HTML reports are written to' },
  { key: 'tracking.uri', env: 'MLFLOW_TRACKING_URI', flags: ['--tracking-uri'], type: 'string', defaultText: 'none (runs stay in the local ledger)', description: 'MLflow tracking server, http(s)://host:port (credentials in it are never printed)' },
  { key: 'tracking.ledger_dir', env: 'DRIFTCATCHER_HOME', flags: ['--ledger-dir'], type: 'string', defaultText: `./${TRACKING_DEFAULTS.ledgerDirName}`, description: 'the local run ledger (and the agent\'s state under agent/)' },
  { key: 'tracking.experiment_prefix', env: 'DRIFTCATCHER_EXPERIMENT_PREFIX', envOnly: true, type: 'string', defaultText: `"${TRACKING_DEFAULTS.experimentPrefix}"`, description: 'put before the default experiment names, e.g. prod/' },
  { key: 'tracking.username', env: 'MLFLOW_TRACKING_USERNAME', envOnly: true, type: 'string', defaultText: 'none', description: 'MLflow Basic auth user (with the password)' },
  { key: 'tracking.password', env: 'MLFLOW_TRACKING_PASSWORD', envOnly: true, secret: true, type: 'string', defaultText: 'none', description: 'MLflow Basic auth password' },
  { key: 'tracking.token', env: 'MLFLOW_TRACKING_TOKEN', envOnly: true, secret: true, type: 'string', defaultText: 'none', description: 'MLflow Bearer token (username + password come first)' },
  { key: 'tracking.insecure_tls', env: 'MLFLOW_TRACKING_INSECURE_TLS', envOnly: true, type: 'boolean', defaultText: 'false', description: 'do not verify the server\'s TLS certificate' },
  { key: 'tracking.server_cert_path', env: 'MLFLOW_TRACKING_SERVER_CERT_PATH', envOnly: true, type: 'string', defaultText: 'none (the system CAs)', description: 'PEM file of the CA that signed the server\'s certificate' },
  { key: 'tracking.request_timeout_s', env: 'MLFLOW_HTTP_REQUEST_TIMEOUT', envOnly: true, type: 'number', defaultText: String(TRACKING_DEFAULTS.requestTimeoutMs / 1000), description: 'seconds each MLflow request may take' },
  { key: 'tracking.max_retries', env: 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', envOnly: true, type: 'integer', defaultText: String(TRACKING_DEFAULTS.retry.maxRetries), description: 'retries of an MLflow request (connection errors, 408/429/5xx)' },
  { key: 'tracking.backoff_ms', env: 'DRIFTCATCHER_MLFLOW_BACKOFF_MS', envOnly: true, type: 'number', defaultText: String(TRACKING_DEFAULTS.retry.firstDelayMs), description: 'first back-off between MLflow retries, doubling' },
  { key: 'tracking.retry_total_ms', env: 'DRIFTCATCHER_MLFLOW_RETRY_TOTAL_MS', envOnly: true, type: 'number', defaultText: String(TRACKING_DEFAULTS.retry.totalMs), description: 'longest time one MLflow request with its retries may take' },
  { key: 'alert.backoff_ms', env: 'DRIFTCATCHER_ALERT_BACKOFF_MS', envOnly: true, type: 'number', defaultText: String(AGENT_DEFAULTS.alertBackoffMs), description: 'first back-off between webhook retries, doubling' },
  { key: 'engine.kernel', env: 'DRIFTCATCHER_KERNEL', envOnly: true, type: 'string', defaultText: 'the fastest that loads (wasm-simd, wasm, js)', description: 'force the histogram and tree kernels (js: the plain-TypeScript oracle)' },
];

const FILE_KEYS = new Map(SETTINGS.filter((s) => !s.envOnly).map((s) => [s.key, s]));

// ---------------------------------------------------------------------------------------------
// the config file

export interface ConfigFile {
  /** the path as shown in messages (relative to the working directory) */
  path: string;
  values: Map<string, { value: unknown; line: number | undefined }>;
}

/** The config file of `cwd` (driftcatcher.toml or driftcatcher.json), checked; null when there is none. */
export async function loadConfigFile(cwd: string = process.cwd()): Promise<ConfigFile | null> {
  const present = CONFIG_DEFAULTS.files.filter((name) => existsSync(join(cwd, name)));
  if (present.length > 1) throw new UsageError(`both ${present.join(' and ')} are in ${cwd}: keep one config file`);
  const name = present[0];
  if (name === undefined) return null;
  let text: string;
  try {
    text = readFileSync(join(cwd, name), 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: name });
  }
  const tree = name.endsWith('.toml') ? await parseToml(name, text) : parseJson(name, text);
  const locate = name.endsWith('.toml') ? tomlLineOf(text) : jsonLineOf(text);
  const values = new Map<string, { value: unknown; line: number | undefined }>();
  for (const [key, value] of flatten(tree, '', name, locate)) {
    const line = locate(key);
    const setting = FILE_KEYS.get(key);
    if (!setting) {
      const envOnly = SETTINGS.find((s) => s.key === key);
      throw new InputError(envOnly ? `${key} is read from the environment only: set $${envOnly.env}` : `unknown key "${key}" (known: ${[...FILE_KEYS.keys()].join(', ')})`, { file: name, line });
    }
    if (setting.secret) throw new InputError(`${key} is a secret: set it in the environment ($${setting.env}) or with ${setting.flags?.[0]}, not in a file`, { file: name, line });
    if (!hasType(value, setting.type)) throw new InputError(`${key} must be ${article(setting.type)}, got ${describe(value)}`, { file: name, line });
    values.set(key, { value, line });
  }
  return { path: name, values };
}

async function parseToml(file: string, text: string): Promise<unknown> {
  // the TOML parser loads only when there is a TOML file to read
  const { parse } = await import('smol-toml');
  try {
    return parse(text);
  } catch (err) {
    const { line, column, message } = err as { line?: number; column?: number; message?: string };
    const why = String(message ?? err).replace(/^Invalid TOML document:\s*/, '').split('\n')[0];
    throw new InputError(`not valid TOML${column ? ` (column ${column})` : ''}: ${why}`, { file, line });
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new InputError(`not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, { file, line });
  }
}

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && Object.getPrototypeOf(value)?.constructor?.name !== 'TomlDate';

/** `{ drift: { threshold: 0.2 } }` -> `drift.threshold` = 0.2; a table that is no section, or a section given a value, is an error. */
function flatten(tree: unknown, prefix: string, file: string, locate: (key: string) => number | undefined): Array<[string, unknown]> {
  if (!isTable(tree)) throw new InputError(`the config must be a table of sections (${[...new Set([...FILE_KEYS.keys()].map((k) => k.split('.')[0]))].join(', ')}), got ${describe(tree)}`, { file, line: 1 });
  const out: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const isSection = !prefix && [...FILE_KEYS.keys(), ...SETTINGS.map((s) => s.key)].some((k) => k.startsWith(`${key}.`));
    if (isSection && isTable(value)) out.push(...flatten(value, key, file, locate));
    else if (isSection) throw new InputError(`${key} is a section ([${key}]), got ${describe(value)}`, { file, line: locate(key) });
    else out.push([key, value]);
  }
  return out;
}

/** The line a dotted key is set on in a TOML text: `[section]` headers, `key = ` and `section.key = ` lines. */
function tomlLineOf(text: string): (key: string) => number | undefined {
  const lines = text.split(/\r?\n/);
  return (key) => {
    let table = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\s+#.*$/, '').trim();
      const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
      if (header) {
        table = unquote(header[1]!);
        if (table === key) return i + 1;
        continue;
      }
      const assign = /^([^=]+?)\s*=/.exec(line);
      if (assign && (table ? `${table}.${unquote(assign[1]!)}` : unquote(assign[1]!)) === key) return i + 1;
    }
    return undefined;
  };
}

/** The line of a key in a JSON text: its section's `"name":`, then the key's `"name":` after it. */
function jsonLineOf(text: string): (key: string) => number | undefined {
  return (key) => {
    let from = 0;
    for (const part of key.split('.')) {
      const at = text.indexOf(`${JSON.stringify(part)}`, from);
      if (at < 0) return undefined;
      from = at + 1;
    }
    return text.slice(0, from).split('\n').length;
  };
}

const unquote = (dotted: string) => dotted.split('.').map((p) => p.trim().replace(/^["']|["']$/g, '')).join('.');

function hasType(value: unknown, type: SettingType): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'string') return typeof value === 'string';
  if (type === 'integer') return typeof value === 'number' && Number.isInteger(value);
  return typeof value === 'number' && Number.isFinite(value);
}

const article = (type: SettingType) => (type === 'integer' ? 'an integer' : `a ${type}`);

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isTable(value)) return 'a table';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a date';
  const text = JSON.stringify(value);
  return `${article((typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value) as SettingType)} (${text.length > 40 ? `${text.slice(0, 40)}...` : text})`;
}

// ---------------------------------------------------------------------------------------------
// the environment

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** An environment variable's text, when it is set and not blank. */
function envText(setting: Setting, env: NodeJS.ProcessEnv): string | undefined {
  const text = setting.env ? env[setting.env] : undefined;
  return text === undefined || text.trim() === '' ? undefined : text;
}

function envBoolean(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (TRUE.includes(t)) return true;
  if (FALSE.includes(t)) return false;
  throw new UsageError(`${name} must be true or false (1/0, yes/no, on/off), got ${JSON.stringify(text)}`);
}

function envValue(setting: Setting, text: string): unknown {
  const name = setting.env!;
  if (setting.type === 'boolean') return envBoolean(name, text);
  if (setting.type === 'string') return text;
  const value = Number(text);
  if (!Number.isFinite(value) || (setting.type === 'integer' && !Number.isInteger(value))) throw new UsageError(`${name} must be ${article(setting.type)}, got ${JSON.stringify(text)}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// resolution

let loaded: { cwd: string; file: ConfigFile | null } | undefined;

/** The working directory's config file, read once per process (the preAction hook reads it first). */
export async function configFile(cwd: string = process.cwd()): Promise<ConfigFile | null> {
  if (loaded?.cwd !== cwd) loaded = { cwd, file: await loadConfigFile(cwd) };
  return loaded.file;
}

/** A setting's option in a command: its attribute and the options that set it (`--x` and `--no-x`). */
function optionsOf(command: Command, setting: Setting): Option[] {
  return command.options.filter((o) => o.long !== undefined && setting.flags?.includes(o.long));
}

/** Parse a value from the environment or the file with the option's own parser and choices; errors name where it came from. */
function parsedFor(option: Option, setting: Setting, value: unknown, where: string): unknown {
  if (setting.type === 'boolean') return value;
  const text = String(value);
  const choices = (option as Option & { argChoices?: string[] }).argChoices;
  if (choices && !choices.includes(text)) throw new UsageError(`${where}: ${setting.key} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
  const parse = (option as Option & { parseArg?: (value: string, previous: unknown) => unknown }).parseArg;
  if (!parse) return text;
  try {
    return parse(text, undefined);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new UsageError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * Before a command's action: each setting one of its options carries, not given on the command
 * line, from the environment, else from the config file (commander's value source: `env`,
 * `config`). The one place precedence is decided.
 */
export async function applySettings(command: Command, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = await configFile();
  for (const setting of SETTINGS) {
    const options = optionsOf(command, setting);
    if (options.length === 0) continue;
    const attribute = options[0]!.attributeName();
    if (command.getOptionValueSource(attribute) === 'cli') continue;
    // the positive form's parser (`--alert-on-drift`, not `--no-alert-on-drift`)
    const option = options.find((o) => !o.negate) ?? options[0]!;
    const text = envText(setting, env);
    if (text !== undefined) {
      command.setOptionValueWithSource(attribute, parsedFor(option, setting, envValue(setting, text), setting.env!), 'env');
      continue;
    }
    const fromFile = file?.values.get(setting.key);
    if (fromFile) command.setOptionValueWithSource(attribute, parsedFor(option, setting, fromFile.value, fromFile.line ? `${file!.path}:${fromFile.line}` : file!.path), 'config');
  }
}

/** A setting no option carries (the reports folder), or outside a command: environment > file > default. */
export async function settingValue<T = unknown>(key: string, env: NodeJS.ProcessEnv = process.env): Promise<{ value: T; source: SettingSource }> {
  const setting = SETTINGS.find((s) => s.key === key);
  if (!setting) throw new Error(`no setting ${key}`);
  const text = envText(setting, env);
  if (text !== undefined) return { value: envValue(setting, text) as T, source: 'env' };
  const fromFile = (await configFile())?.values.get(key);
  if (fromFile) return { value: fromFile.value as T, source: 'file' };
  return { value: setting.defaultValue as T, source: 'default' };
}

/** `DRIFTCATCHER_REPORTS_DIR`, else the file's `reports.dir`, else ./driftcatcher-reports: where HTML reports go. */
export async function reportsDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await settingValue<string>('reports.dir', env)).value;
}

/** How a setting's value may be printed: secrets redacted, credentials out of URLs. */
export function redact(setting: Setting, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (setting.secret) {
    const text = String(value);
    try {
      const url = new URL(text);
      return `${url.protocol}//${url.host}/<redacted>`;
    } catch {
      return '<redacted>';
    }
  }
  if (setting.key === 'tracking.uri') return safeUri(String(value));
  return value;
}

export interface SettingRow {
  key: string;
  env: string | null;
  flag: string | null;
  /** the value in effect (redacted), null when the default applies and is not a single value */
  value: unknown;
  source: SettingSource;
  default: string;
  secret: boolean;
  description: string;
}

const SOURCES: Record<string, SettingSource> = { cli: 'flag', env: 'env', config: 'file' };

/** Every setting with its value and source, as `command` (config show, with the settings' flags) resolved them. */
export async function describeSettings(command: Command, env: NodeJS.ProcessEnv = process.env): Promise<{ file: string | null; settings: SettingRow[] }> {
  const file = await configFile();
  const flags = command.opts();
  const settings = SETTINGS.map((setting): SettingRow => {
    const row = { key: setting.key, env: setting.env ?? null, flag: setting.flags?.[0] ?? null, default: setting.defaultText, secret: setting.secret === true, description: setting.description };
    const done = (value: unknown, source: SettingSource): SettingRow => ({ key: row.key, value, source, env: row.env, flag: row.flag, default: row.default, secret: row.secret, description: row.description });
    const options = optionsOf(command, setting);
    if (options.length > 0) {
      const attribute = options[0]!.attributeName();
      const source = SOURCES[command.getOptionValueSource(attribute) ?? ''] ?? 'default';
      const value = flags[attribute] as unknown;
      return done(redact(setting, value ?? setting.defaultValue ?? null), source);
    }
    const text = envText(setting, env);
    // the engine reads and checks the environment-only ones itself: shown as they are set
    if (text !== undefined) return done(redact(setting, setting.envOnly ? text : envValue(setting, text)), 'env');
    const fromFile = setting.envOnly ? undefined : file?.values.get(setting.key);
    if (fromFile) return done(redact(setting, fromFile.value), 'file');
    return done(setting.defaultValue ?? null, 'default');
  });
  return { file: file?.path ?? null, settings };
}
