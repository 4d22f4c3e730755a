/**
 * A module tracer for start-up tests: `node --import ./module-trace.mjs ...` with
 * DC_MODULE_TRACE=<file> appends, one per line, the URL of every module the process resolves
 * through the ESM loader (static and dynamic imports, also of CommonJS packages) and, when the
 * thread exits, the path of every module in the CommonJS cache (what `require` loaded, which ESM
 * hooks do not see). Worker threads inherit `--import`, so their imports are traced too (not
 * their CommonJS cache: a terminated worker gets no exit event).
 *
 * The same file is both the preload (registers itself) and the hooks module (`?hooks`).
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const traceFile = process.env['DC_MODULE_TRACE'];

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (traceFile) appendFileSync(traceFile, `${resolved.url}\n`);
  return resolved;
}

if (!import.meta.url.endsWith('?hooks') && traceFile) {
  register(`${import.meta.url}?hooks`);
  const requireCache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(traceFile, Object.keys(requireCache).map((path) => `${path}\n`).join('')));
}
