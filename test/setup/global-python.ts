/**
 * vitest globalSetup: builds (once) the venv of the numpy reference and hands its python to the
 * tests: `inject('pythonPath')`.
 */
import type { TestProject } from 'vitest/node';
import { ensurePython } from './python.js';

export default async function setup(project: TestProject): Promise<void> {
  project.provide('pythonPath', ensurePython());
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** the reference venv's python interpreter (absolute path) */
    pythonPath: string;
  }
}
