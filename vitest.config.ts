import { defineConfig } from 'vitest/config';
import { TEST_LEDGER_HOME } from './test/setup/home.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the Python venv first (numpy reference, mlflow), then one MLflow server for the whole run
    globalSetup: ['test/setup/global-python.ts', 'test/setup/global-mlflow.ts'],
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
  },
});
