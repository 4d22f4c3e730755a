/**
 * vitest globalSetup: starts one MLflow tracking server for the whole run (in the background, so
 * that the other tests go on meanwhile) and hands its URI to the tests: `inject('mlflowUri')`;
 * the tests that use it first `await waitForMlflow(uri)`. Stopped after the run, its temp
 * folder removed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensurePython } from './python.js';
import { freePort, startMlflowServer } from './mlflow.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!(await mlflowTestsSelected(project))) {
    // a run of other tests only (`vitest run test/engine/io`): no server, no CPU spent on it
    project.provide('mlflowUri', '');
    project.provide('mlflowLog', '');
    return async () => {};
  }
  const python = ensurePython();
  const dir = mkdtempSync(join(tmpdir(), 'dc-mlflow-'));
  const server = startMlflowServer(python, dir, await freePort());
  project.provide('mlflowUri', server.uri);
  project.provide('mlflowLog', server.logFile);
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

/** True unless the run is filtered to test files none of which uses the server (`inject('mlflowUri')`). */
async function mlflowTestsSelected(project: TestProject): Promise<boolean> {
  const vitest = project.vitest as unknown as { filenamePattern?: string[]; config: { watch?: boolean } };
  if (vitest.config.watch || !vitest.filenamePattern?.length) return true;
  const { testFiles } = await project.globTestFiles(vitest.filenamePattern);
  return testFiles.some((file) => readFileSync(file, 'utf8').includes("'mlflowUri'"));
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's MLflow server (wait for it with waitForMlflow) */
    mlflowUri: string;
    /** its log file */
    mlflowLog: string;
  }
}
