/**
 * The tests, in projects (`npm test` runs them all; `vitest run --project unit` one):
 * - unit: engine/ from its TypeScript sources, worker threads and child processes too (through
 *   test/setup/ts-loader.mjs), no global set-up, seconds: the edit loop, `npm run test:unit`;
 * - integration: the same for engine tests slow by nature (`*.slow.test.ts`: hundreds of thousands
 *   of generated rows, every worker and batch layout, several agent processes at once, models trained for export, the
 *   TypeScript compiler reading the API's names, Arrow IPC files written by apache-arrow);
 * - cli: the built CLI end to end (dist/; a guard fails the run when dist/ is older than the sources);
 * - reference: numbers checked against the independent Python references (builds .venv once);
 * - mlflow: against a real MLflow server started for the run (.venv's mlflow);
 * - postgres: the database sources against a real PostgreSQL server started for the run
 *   (Debian's postgresql binaries: bench/postgres.ts), and TLS against a second one that the
 *   TLS test starts itself (ssl = on, hostssl only);
 * - fuzz: the CSV fuzz harness for a fixed number of inputs.
 * A test file belongs to the project of what it needs: `inject('pythonPath')` -> reference,
 * `inject('mlflowUri')` -> mlflow, `inject('postgresUrl')` -> postgres (test/engine/architecture.test.ts
 * checks that none is misplaced).
 */
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { TEST_LEDGER_HOME } from './test/setup/home.js';

/** Test files that use the Python references (`inject('pythonPath')`) but no MLflow server. */
export const REFERENCE_TESTS = [
  'test/reference/**/*.test.ts',
  'test/engine/drift/parity.test.ts',
  'test/engine/drift/compat.test.ts',
  'test/engine/drift/sample-size.test.ts',
  'test/engine/model/forest.test.ts',
  'test/engine/model/metrics.test.ts',
  'test/engine/profile/quantile.test.ts',
  'test/engine/io/parquet.test.ts',
  'test/engine/profile/baseline-columnar.test.ts',
];
/** Test files that talk to the run's MLflow server (`inject('mlflowUri')`). */
export const MLFLOW_TESTS = [
  'test/engine/tracking/faults.test.ts',
  'test/engine/tracking/mlflow.test.ts',
  'test/engine/tracking/slow-servers.test.ts',
  'test/cli/agent-mlflow.test.ts',
  'test/cli/promote-mlflow.test.ts',
  'test/cli/train-tracking.test.ts',
  'test/cli/train-search-mlflow.test.ts',
  'test/cli/runs-mlflow.test.ts',
  'test/cli/abtest-mlflow.test.ts',
  'test/cli/report-mlflow.test.ts',
];
/** Test files that talk to the run's PostgreSQL server (`inject('postgresUrl')`) or start their own (postgres-tls: a TLS-only server). */
export const POSTGRES_TESTS = ['test/engine/sources/postgres.test.ts', 'test/engine/sources/postgres-tls.test.ts'];
/** Engine tests that run the built CLI to measure it as shipped (memory, time). */
const BUILT_CLI_TESTS = ['test/engine/io/line-limit.test.ts', 'test/engine/model/train-memory.test.ts'];
const FUZZ_TESTS = ['test/fuzz/**/*.test.ts'];
const SLOW_TESTS = ['test/engine/**/*.slow.test.ts'];

const LOADER = ['--import', './test/setup/ts-loader.mjs'];
const DIST_GUARD = 'test/setup/dist-guard.ts';

function project(name: string, include: string[], exclude: string[], globalSetup: string[], isolate = true): TestProjectInlineConfiguration {
  // the projects that check dist/ is fresh run the built CLI (test/helpers.ts cliArgs), the others the sources
  const cli = globalSetup.includes(DIST_GUARD) ? 'dist' : 'sources';
  return { extends: true, test: { name, include, exclude, globalSetup, isolate, execArgv: LOADER, env: { DRIFTCATCHER_TEST_CLI: cli } } };
}

export default defineConfig({
  test: {
    // runs recorded by CLI tests go to a temp ledger, never to a developer's MLflow server
    env: {
      DRIFTCATCHER_HOME: TEST_LEDGER_HOME,
      MLFLOW_TRACKING_URI: '',
      MLFLOW_TRACKING_TOKEN: '',
      MLFLOW_TRACKING_USERNAME: '',
      MLFLOW_TRACKING_PASSWORD: '',
      DRIFTCATCHER_EXPERIMENT_PREFIX: '',
    },
    reporters: ['default', './test/setup/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // the machine has 2 cores; the engine's own tests start worker threads
    maxWorkers: 2,
    projects: [
      // unit files share their fork's module cache (isolate: false): half the run is loading the engine
      // otherwise; a unit test leaves process.env and globals as it found them
      project('unit', ['test/engine/**/*.test.ts'], [...REFERENCE_TESTS, ...MLFLOW_TESTS, ...POSTGRES_TESTS, ...BUILT_CLI_TESTS, ...SLOW_TESTS], [], false),
      project('integration', SLOW_TESTS, [], []),
      project('cli', ['test/cli/**/*.test.ts', ...BUILT_CLI_TESTS], MLFLOW_TESTS, [DIST_GUARD, 'test/setup/warm-ts.ts', 'test/setup/global-home.ts']),
      project('reference', REFERENCE_TESTS, [], ['test/setup/warm-ts.ts', 'test/setup/global-python.ts', 'test/setup/global-home.ts']),
      project('mlflow', MLFLOW_TESTS, [], [DIST_GUARD, 'test/setup/warm-ts.ts', 'test/setup/global-python.ts', 'test/setup/global-mlflow.ts', 'test/setup/global-home.ts']),
      project('postgres', POSTGRES_TESTS, [], ['test/setup/global-postgres.ts', 'test/setup/global-home.ts']),
      project('fuzz', FUZZ_TESTS, [], []),
    ],
  },
});
