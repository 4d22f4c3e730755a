/**
 * undici, loaded on first use, not at import: a command that records to the local ledger only
 * (no tracking server) never pays the ~0.1 s it takes to load.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let undiciModule: typeof import('undici') | undefined;

export function undici(): typeof import('undici') {
  undiciModule ??= require('undici') as typeof import('undici');
  return undiciModule;
}
