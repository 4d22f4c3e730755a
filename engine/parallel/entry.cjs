'use strict';
// The file every Piscina pool starts (engine/parallel/piscina.ts), CommonJS on purpose. Piscina
// loads its worker file with require() first and falls back to import(); Node 20's require() of an
// ES module can abort the whole process (a v8 "IsGraphAsync" fatal error, seen once in CI when the
// command exited while a worker thread was still loading its modules). This file has nothing to
// load synchronously: it imports the real worker module (an ES module; its URL is the last entry of
// the thread's process.argv, put there by startPiscina) with import(), once per thread, and hands
// each task to that module's default export.
const target = process.argv[process.argv.length - 1];
const handler = import(target).then((module) => module.default);
// a failed import is reported by the first task that awaits it, as that task's error
handler.catch(() => {});

module.exports = async function runTask(task) {
  return (await handler)(task);
};
