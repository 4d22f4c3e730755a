/**
 * `npm run fuzz -- --seconds N [--seed S] [--iterations N] [--findings DIR]`: the CSV fuzz
 * harness (./harness.ts) from the command line, in this process. It is compiled with the engine
 * into dist/ by test/fuzz/tsconfig.json (the same way bench/ runs from dist/bench) and prints one
 * line per finding and a summary; the exit status is 1 when there were findings. The inputs of
 * findings are saved under --findings (default .tmp/fuzz-findings, ignored by git).
 */
import { runFuzz } from './harness.js';

function parseArgs(argv: string[]): { seconds: number; seed: number; iterations?: number; findingsDir: string } {
  const args = { seconds: 60, seed: Date.now() % 1_000_000, findingsDir: '.tmp/fuzz-findings' } as { seconds: number; seed: number; iterations?: number; findingsDir: string };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const number = Number(value);
    if (flag === '--findings' && value) args.findingsDir = value;
    else if ((flag === '--seconds' || flag === '--seed' || flag === '--iterations') && value !== undefined && Number.isInteger(number) && number >= 0) {
      if (flag === '--seconds') args.seconds = number;
      else if (flag === '--seed') args.seed = number;
      else args.iterations = number;
    } else {
      process.stderr.write(`fuzz: unknown or bad argument ${flag}${value !== undefined ? ` ${value}` : ''}\nusage: npm run fuzz -- --seconds N [--seed S] [--iterations N] [--findings DIR]\n`);
      process.exit(2);
    }
    i++;
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
process.stderr.write(`fuzz: seed ${args.seed}, ${args.iterations !== undefined ? `${args.iterations} inputs` : `${args.seconds} s`}\n`);
const summary = await runFuzz({ ...args, log: (line) => process.stderr.write(`fuzz: ${line}\n`) });
process.stdout.write(
  `fuzz: seed ${summary.seed}: ${summary.inputs} inputs in ${summary.seconds.toFixed(0)} s, ${summary.findings.length} findings, peak RSS ${summary.peakRssMiB.toFixed(0)} MiB\n` +
    `fuzz: reference outcomes ${JSON.stringify(summary.outcomes)}\n`,
);
process.exitCode = summary.findings.length > 0 ? 1 : 0;
