/**
 * Headless Chromium for the report tests: Debian's `chromium` package (found on PATH, at
 * /usr/bin/chromium, or at $CHROMIUM_PATH), driven by playwright-core through `executablePath`
 * (playwright's own browser downloads are never used). Without a browser the tests skip with a
 * message, unless $CI is set: there it is a failure (.ci/run installs chromium).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

/** Where the tests keep what they make to look at (screenshots): git-ignored. */
export const ARTIFACT_DIR = join(ROOT, 'test-artifacts');

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  return join(ARTIFACT_DIR, name);
}

/** The Chromium binary, or undefined. */
export function findChromium(): string | undefined {
  const env = process.env['CHROMIUM_PATH'];
  if (env && existsSync(env)) return env;
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** The browser to use, or why the tests skip; in CI a missing browser throws. */
export function chromiumOrSkip(): { executablePath?: string; skip?: string } {
  const executablePath = findChromium();
  if (executablePath) return { executablePath };
  if (process.env['CI']) throw new Error('chromium is not installed, and CI is set: install it (apt-get install -y chromium; .ci/run does)');
  const skip = 'chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): the browser tests of the HTML report are skipped';
  console.warn(`SKIPPED: ${skip}`);
  return { skip };
}

export async function launchChromium(executablePath: string) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
