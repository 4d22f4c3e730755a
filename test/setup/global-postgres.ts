/**
 * vitest globalSetup of the `postgres` project: one real PostgreSQL server for the run
 * (bench/postgres.ts, which the sources benchmark shares), its URL handed to the tests: `inject('postgresUrl')` and its
 * password `inject('postgresPassword')` (the tests check it never shows). Stopped after the run.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../bench/postgres.js';
import { testsSelected } from './selected.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!(await testsSelected(project, 'postgresUrl'))) {
    // a run of other tests only: no server
    project.provide('postgresUrl', '');
    project.provide('postgresPassword', '');
    return async () => {};
  }
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  project.provide('postgresPassword', server.password);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://driftcatcher:<password>@127.0.0.1:<port>/drift */
    postgresUrl: string;
    postgresPassword: string;
  }
}
