/**
 * The ledger home of the test run: every CLI run a test starts records its runs here (not in the
 * repository's .driftcatcher/). Computed the same way in vitest.config.ts and in the global
 * teardown, which both run in vitest's main process.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_LEDGER_HOME = join(tmpdir(), `driftcatcher-test-home-${process.pid}`);
