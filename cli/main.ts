#!/usr/bin/env node
/**
 * The driftcatcher command line. Each command group lives in cli/commands; this file wires them
 * up and turns errors into one line on stderr and an exit status:
 * 0 ok, 1 drift found under --fail-on, 2 bad usage or input, 3 internal or server error.
 *
 * Start-up loads commander, the command definitions and the engine's entry points whose defaults
 * `--help` shows (our own small modules, about 145 of them: ~0.1 s of start-up); no heavy package:
 * apache-arrow, TensorFlow.js, undici, piscina, hyparquet(-writer) and the WASM kernels load when a command
 * uses them (a CSV scan never loads apache-arrow, TensorFlow.js or undici). test/cli/startup.test.ts
 * checks it.
 * The command tree itself is built in cli/program.ts.
 */
import { CommanderError } from 'commander';
import { fileSystemError, isDriftCatcherError } from '../engine/util/index.js';
import { buildProgram, unprefixed } from './program.js';
import { flagOf } from './options.js';

const EXIT_USAGE = 2;
const EXIT_INTERNAL = 3;

function exitCodeOf(err: unknown): number {
  if (isDriftCatcherError(err)) return err.code === 'DC_ERR_INTERNAL' || err.code === 'DC_ERR_TRACKING_HTTP' ? EXIT_INTERNAL : EXIT_USAGE;
  return EXIT_INTERNAL;
}

function oneLine(err: unknown): string {
  if (isDriftCatcherError(err)) return unprefixed(err.option !== undefined ? err.messageNaming(flagOf(err.option)) : err.message);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return `internal error: ${unprefixed(err.message)}${code ? ` (${code})` : ''} (run with --debug for details)`;
  }
  return `internal error: ${unprefixed(String(err))}`;
}

async function main(argv: string[]): Promise<void> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and --version end with code 0; everything else commander rejects is bad usage
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    // a file-system failure the user can fix (a folder where a file goes, no permission, a full
    // disk) that no engine write turned into an InputError yet: exit 2 with the path, not "internal"
    const typed = isDriftCatcherError(err) ? err : (fileSystemError(err) ?? err);
    process.stderr.write(`driftcatcher: ${oneLine(typed)}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = exitCodeOf(typed);
  }
}

// a reader that goes away early (`driftcatcher check ... --json | head`): the rest of the output
// is dropped, the command still finishes its work (records, reports), and no stack trace; any
// other failure to write the output (EIO, a full disk behind a redirect) does the same, exit 3
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    stream.write = (() => true) as typeof stream.write;
    if (err.code !== 'EPIPE') process.exitCode = EXIT_INTERNAL;
  });
}

await main(process.argv);
