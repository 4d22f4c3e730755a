/** Whether a run selects a test file that injects `key` (a filtered run of other tests starts no server). */
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** True unless the run is filtered to test files none of which uses `inject('<key>')`. */
export async function testsSelected(project: TestProject, key: string): Promise<boolean> {
  const vitest = project.vitest as unknown as { filenamePattern?: string[]; config: { watch?: boolean } };
  if (vitest.config.watch || !vitest.filenamePattern?.length) return true;
  const { testFiles } = await project.globTestFiles(vitest.filenamePattern);
  return testFiles.some((file) => readFileSync(file, 'utf8').includes(`'${key}'`));
}
