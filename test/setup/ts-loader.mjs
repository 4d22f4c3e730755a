// `--import` this module to run driftcatcher's TypeScript sources directly in Node 20 (which cannot
// strip types itself): vitest passes it to its test processes (vitest.config.ts `execArgv`), and the
// worker threads the engine starts there inherit it, so the unit tests run the scan and training
// workers from engine/**/*.ts, never a compiled dist/ that may be out of date.
import { register } from 'node:module';

register(new URL('./ts-hooks.mjs', import.meta.url));
