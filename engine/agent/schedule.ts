/**
 * Scheduled checks outside the agent's own watch: a GitHub Actions workflow (`ciWorkflow`, what
 * `driftcatcher init ci` writes) and a crontab line (`cronLine`, `installCronLine`: what
 * `driftcatcher init cron [--install]` prints or adds). Both run one `driftcatcher check` of a data
 * file against a baseline; the webhook on drift comes from ALERT_ON_DRIFT + ALERT_WEBHOOK_URL
 * (a repository secret in CI), so no secret is ever written into a template or a crontab.
 */
import { spawnSync } from 'node:child_process';
import { UsageError } from '../util/index.js';

export const SCHEDULE_DEFAULTS = {
  /** `--every`: daily at 06:00 (the machine's time zone for cron; UTC on GitHub Actions) */
  every: 'daily',
  baseline: 'baseline.json',
  data: 'data/latest.csv',
  /** the CI workflow's file and the folder its report artifact holds */
  workflowFile: '.github/workflows/driftcatcher.yml',
  reportsDir: 'driftcatcher-reports',
  /** the repository secret the workflow reads the webhook from */
  webhookSecret: 'DRIFTCATCHER_WEBHOOK_URL',
  nodeVersion: '20',
  /** what marks driftcatcher's crontab line (after it, the working directory it runs in) */
  cronMarker: '# driftcatcher init cron:',
} as const;

const NAMED: Record<string, string> = { hourly: '0 * * * *', daily: '0 6 * * *' };
// a cron field: numbers, ranges, steps, lists, `*`, and month/weekday names
const FIELD = /^(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/[0-9]+)?(?:,(?:\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:\/[0-9]+)?)*$/;

/** `daily`, `hourly` or a five-field cron expression -> the cron expression (the message names `every`). */
export function cronSchedule(every: string): string {
  const named = NAMED[every.trim().toLowerCase()];
  if (named) return named;
  const fields = every.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f) => FIELD.test(f))) {
    throw new UsageError(`must be daily, hourly or a cron expression of five fields (minute hour day month weekday, e.g. "30 2 * * 1-5"), got ${JSON.stringify(every)}`, { option: 'every' });
  }
  return fields.join(' ');
}

export interface CheckCommand {
  baseline?: string;
  data?: string;
}

export interface WorkflowOptions extends CheckCommand {
  every?: string;
  nodeVersion?: string;
  /** the npm package spec installed in the job (default: driftcatcher at this version) */
  packageSpec: string;
}

/** A YAML scalar in double quotes (JSON's escapes are YAML's). */
const yamlString = (text: string) => JSON.stringify(text);

/**
 * The workflow: daily (or `every`) and on demand, Node from setup-node, driftcatcher from npm, one
 * check of the data against the baseline whose report goes to $DRIFTCATCHER_REPORTS_DIR and up as
 * an artifact; on drift the check posts to the webhook of the repository secret.
 */
export function ciWorkflow(options: WorkflowOptions): string {
  const d = SCHEDULE_DEFAULTS;
  const cron = cronSchedule(options.every ?? d.every);
  return `# The driftcatcher check, daily and on demand (written by \`driftcatcher init ci\`).
# It checks DRIFTCATCHER_DATA against the baseline profile DRIFTCATCHER_BASELINE, keeps the
# report as the "driftcatcher-report" artifact and, on drift (verdict alert or retrain), posts to
# the webhook in the repository secret ${d.webhookSecret} (Settings > Secrets and variables >
# Actions). Settings: driftcatcher.toml in the repository, or the env: below (docs/CONFIG.md).
name: driftcatcher

on:
  schedule:
    - cron: ${yamlString(cron)}
  workflow_dispatch: {}

permissions:
  contents: read

jobs:
  drift-check:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      DRIFTCATCHER_BASELINE: ${yamlString(options.baseline ?? d.baseline)}
      DRIFTCATCHER_DATA: ${yamlString(options.data ?? d.data)}
      DRIFTCATCHER_REPORTS_DIR: ${yamlString(d.reportsDir)}
    steps:
      - name: Check out the repository
        uses: actions/checkout@v4
      - name: Set up Node.js
        uses: actions/setup-node@v4
        with:
          node-version: ${yamlString(options.nodeVersion ?? d.nodeVersion)}
      - name: Install driftcatcher
        run: npm install --no-save --no-audit --no-fund ${options.packageSpec}
      - name: Check the data for drift
        env:
          ALERT_ON_DRIFT: "true"
          ALERT_WEBHOOK_URL: \${{ secrets.${d.webhookSecret} }}
        run: |
          mkdir -p "$DRIFTCATCHER_REPORTS_DIR"
          npx driftcatcher check --baseline "$DRIFTCATCHER_BASELINE" "$DRIFTCATCHER_DATA" --json > "$DRIFTCATCHER_REPORTS_DIR/drift-report.json"
      - name: Upload the report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: driftcatcher-report
          path: \${{ env.DRIFTCATCHER_REPORTS_DIR }}
          if-no-files-found: warn
`;
}

/** One word for sh, in single quotes when it needs them. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface CronOptions extends CheckCommand {
  every?: string;
  /** the working directory the line runs in (its driftcatcher.toml applies) */
  cwd: string;
  /** how the line starts driftcatcher: node and the CLI's main script, as absolute paths */
  program: readonly string[];
  /** where the check's output goes (default: cron mails it) */
  log?: string;
}

/** The marker a line ends with: names the working directory, so each folder keeps one line. */
export function cronMarker(cwd: string): string {
  return `${SCHEDULE_DEFAULTS.cronMarker} ${cwd.replace(/[\r\n]/g, ' ')}`;
}

/** The crontab line: schedule, `cd` to the folder, the check, the log, the marker. `%` is escaped (cron reads it as a newline). */
export function cronLine(options: CronOptions): string {
  const d = SCHEDULE_DEFAULTS;
  const words = [...options.program, 'check', '--baseline', options.baseline ?? d.baseline, options.data ?? d.data].map(shellWord);
  const log = options.log ? ` >> ${shellWord(options.log)} 2>&1` : '';
  const line = `${cronSchedule(options.every ?? d.every)} cd ${shellWord(options.cwd)} && ${words.join(' ')}${log} ${cronMarker(options.cwd)}`;
  return line.replace(/%/g, '\\%');
}

export interface CrontabResult {
  /** the line was already there, as it is */
  unchanged: boolean;
  /** an earlier line of the same folder was replaced */
  replaced: boolean;
  /** the crontab's lines after the install */
  lines: number;
}

/**
 * Add `line` to the crontab (`crontab -l`, then `crontab -`), replacing a line with the same marker
 * (the same working directory) rather than adding a second one. `user`: `crontab -u user` (root).
 */
export function installCronLine(line: string, marker: string, options: { user?: string; crontab?: string } = {}): CrontabResult {
  const crontab = options.crontab ?? 'crontab';
  const userArgs = options.user ? ['-u', options.user] : [];
  const listed = spawnSync(crontab, [...userArgs, '-l'], { encoding: 'utf8' });
  if (listed.error) throw new UsageError(`cannot run ${crontab} (${(listed.error as NodeJS.ErrnoException).code ?? listed.error.message}): install cron, or add the line printed without --install yourself`);
  // `crontab -l` exits 1 with "no crontab for <user>" when there is none yet
  if (listed.status !== 0 && !/no crontab/i.test(listed.stderr)) throw new UsageError(`${crontab} -l failed: ${listed.stderr.trim() || `exit status ${listed.status}`}`);
  const current = listed.status === 0 ? listed.stdout.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1) : [];
  const escapedMarker = marker.replace(/%/g, '\\%');
  const ours = (l: string) => l.endsWith(escapedMarker);
  if (current.filter(ours).length === 1 && current.includes(line)) return { unchanged: true, replaced: false, lines: current.length };
  const replaced = current.some(ours);
  const next = [...current.filter((l) => !ours(l)), line];
  const written = spawnSync(crontab, [...userArgs, '-'], { input: next.join('\n') + '\n', encoding: 'utf8' });
  if (written.error || written.status !== 0) throw new UsageError(`${crontab} - refused the new crontab: ${written.stderr?.trim() || written.error?.message || `exit status ${written.status}`}`);
  return { unchanged: false, replaced, lines: next.length };
}
