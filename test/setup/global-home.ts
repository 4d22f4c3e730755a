/** vitest globalSetup: removes the run's ledger home (test/setup/home.ts) when the run ends. */
import { rmSync } from 'node:fs';
import { TEST_LEDGER_HOME } from './home.js';

export default function setup(): () => void {
  return () => rmSync(TEST_LEDGER_HOME, { recursive: true, force: true });
}
