/**
 * The CSV fuzz harness: mutates the real CICIDS2017 extracts (test/fixtures/cicids2017), runs
 * the real readers on each input and checks what they answer against the independent reference
 * reader (./reference-csv.ts):
 *
 * - `readTable` (CsvBatchStream, small random batches): rows, feature names, label name, every
 *   value bit for bit (NaN as NaN), the labels, and per-column non-finite and coerced counts;
 * - `checkDrift` against a baseline of the unmutated extract, on the main thread (workers 0) with
 *   small byte ranges, so that range cuts, the WASM scanner and the JS fallback all run: rows,
 *   per-feature finite and non-finite counts, and each feature's bin proportions, binned here
 *   from the reference values (default binning: the number of edges <= v, non-finite apart);
 * - every error: a DriftCatcherError with code DC_ERR_INPUT or DC_ERR_SCHEMA, the kind, line and
 *   column the reference names, and a message of one line, without control characters, of
 *   bounded length;
 * - time and memory per input: each reader call within a time bound, the process's peak RSS
 *   growing by no more than a bound over one input.
 *
 * Inputs are made from (seed, iteration) alone, so a finding reproduces with the same seed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftCatcherError } from '../../engine/util/errors.js';
import { IO_DEFAULTS, readTable } from '../../engine/io/index.js';
import { createBaseline } from '../../engine/profile/index.js';
import { checkDrift } from '../../engine/drift/index.js';
import type { Profile } from '../../engine/profile/types.js';
import { ReferenceError, referenceRead, scanRoles, tableRoles, type ErrorKind, type ReferenceTable } from './reference-csv.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** test/fixtures/cicids2017, from test/fuzz or from dist/test/fuzz */
function fixturesDir(): string {
  for (let dir = here; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'cicids2017');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('fuzz: cannot find test/fixtures/cicids2017');
  }
}

/** The text columns of the flows extract, left out of the features. */
const FLOWS_TEXT_COLUMNS = ['Flow ID', 'Source IP', 'Destination IP', 'Timestamp'];

export interface FuzzOptions {
  /** stop after this many seconds (default 20) */
  seconds?: number;
  /** or after this many inputs */
  iterations?: number;
  seed?: number;
  /** where to save the inputs of findings (default: not saved) */
  findingsDir?: string;
  /** a reader call slower than this is a finding (default 10 s; the machine may be busy) */
  maxSecondsPerCall?: number;
  /** peak RSS growing more than this over one input is a finding (default 400 MiB) */
  maxRssGrowthMiB?: number;
  log?: (line: string) => void;
}

export interface Finding {
  seed: number;
  iteration: number;
  path: 'readTable' | 'checkDrift' | 'limits';
  problem: string;
  mutations: string[];
  /** where the input was saved, when findingsDir is set */
  input?: string;
}

export interface FuzzSummary {
  seed: number;
  inputs: number;
  findings: Finding[];
  /** how the inputs ended: ok, or the reference's error kind */
  outcomes: Record<string, number>;
  seconds: number;
  peakRssMiB: number;
}

// ---------------------------------------------------------------------------------------------
// Random numbers and mutations
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, seedable, good enough for choosing mutations */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

const INTERESTING_BYTES = [0x2c, 0x22, 0x0a, 0x0d, 0x00, 0x20, 0x09, 0x65, 0x45, 0x2d, 0x2b, 0x2e, 0x30, 0x39, 0x96, 0xff, 0xc3, 0xef, 0xbb, 0xbf, 0x1b, 0x7f, 0x9b, 0x61, 0x49, 0x4e];
const CELLS = [
  '', ' ', 'inf', '-inf', '+inf', 'Infinity', '-Infinity', 'INFINITY', 'infinit', 'NaN', 'nan', '-nan', 'NAN ', ' 7 ', '\t8\t', '1e5', '-2.5E-3', '1e', '1e+', '.5', '1.', '.',
  '-', '+', '+3', '-0', '0x10', '1_000', '1,5', '12345678901234567890', '0.1234567890123456789', '9007199254740993', '123456789012345678', '1e308', '1e309', '-1e400',
  '5e-324', '2e-400', '1e99999999999', '00000000000000000012', '"1.5"', '"1""2"', '"1"2', '" 3 "', '""', '"', '"a,b"', '"multi\nline"', '"x\r\ny"', 'abc', 'BENIGN',
  'Web Attack \x96 Brute Force', '\ufeffBENIGN', '\x1b[31m', 'é', '€', '\x00', '1\r2', '1 2',
];

function asBytes(text: string): Uint8Array {
  // code points below 256 as single bytes (so \x96 stays one invalid byte), others as UTF-8
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x100) out.push(code);
    else out.push(...Buffer.from(ch, 'utf8'));
  }
  return Uint8Array.from(out);
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** Start offsets of the lines of `bytes` (after each LF), the first one 0. */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && i + 1 < bytes.length) starts.push(i + 1);
  return starts;
}

/** The byte range [start, end) of a random cell of a random line (header when line 0). */
function randomCell(random: Random, bytes: Uint8Array, dataOnly: boolean): [number, number] {
  const starts = lineStarts(bytes);
  const line = dataOnly && starts.length > 1 ? 1 + int(random, starts.length - 1) : int(random, starts.length);
  const lineStart = starts[line]!;
  let lineEnd = bytes.indexOf(0x0a, lineStart);
  if (lineEnd < 0) lineEnd = bytes.length;
  if (lineEnd > lineStart && bytes[lineEnd - 1] === 0x0d) lineEnd--;
  const cuts = [lineStart - 1];
  for (let i = lineStart; i < lineEnd; i++) if (bytes[i] === 0x2c) cuts.push(i);
  cuts.push(lineEnd);
  // the last cell (the label, in the extracts) one time in five
  const c = random() < 0.2 ? cuts.length - 2 : int(random, cuts.length - 1);
  return [cuts[c]! + 1, cuts[c + 1]!];
}

type Mutation = (random: Random, bytes: Uint8Array, limit: number) => [string, Uint8Array];

const MUTATIONS: Mutation[] = [
  (random, bytes) => {
    const at = int(random, bytes.length);
    const value = random() < 0.5 ? pick(random, INTERESTING_BYTES) : int(random, 256);
    const out = bytes.slice();
    out[at] = value;
    return [`flip byte ${at} to 0x${value.toString(16)}`, out];
  },
  (random, bytes) => {
    const at = int(random, bytes.length + 1);
    const insert = Uint8Array.from({ length: 1 + int(random, 6) }, () => pick(random, INTERESTING_BYTES));
    return [`insert ${insert.length} bytes at ${at}`, splice(bytes, at, 0, insert)];
  },
  (random, bytes) => {
    const at = int(random, bytes.length);
    const remove = Math.min(bytes.length - at, 1 + int(random, 40));
    return [`delete ${remove} bytes at ${at}`, splice(bytes, at, remove, new Uint8Array(0))];
  },
  (random, bytes) => {
    const [start, end] = randomCell(random, bytes, random() < 0.9);
    const cell = pick(random, CELLS);
    return [`cell ${start} = ${JSON.stringify(cell)}`, splice(bytes, start, end - start, asBytes(cell))];
  },
  (random, bytes) => {
    const [start, end] = randomCell(random, bytes, true);
    const quoted = `"${Buffer.from(bytes.subarray(start, end)).toString('latin1').replace(/"/g, '""')}"`;
    return [`quote cell ${start}`, splice(bytes, start, end - start, asBytes(quoted))];
  },
  (random, bytes) => {
    const at = int(random, bytes.length + 1);
    const run = new Uint8Array(1 + int(random, random() < 0.8 ? 300 : 20000)).fill(pick(random, INTERESTING_BYTES));
    return [`run of ${run.length} x 0x${run[0]!.toString(16)} at ${at}`, splice(bytes, at, 0, run)];
  },
  (random, bytes) => {
    const text = Buffer.from(bytes).toString('latin1');
    const crlf = text.includes('\r\n');
    return [crlf ? 'CRLF -> LF' : 'LF -> CRLF', asBytes(crlf ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n'))];
  },
  (random, bytes) => {
    const starts = lineStarts(bytes);
    const at = starts[int(random, starts.length)]! - 1;
    if (at < 0) return ['no line end to change', bytes];
    const change = pick(random, ['', '\r', '\r\r\n', '\n\n', '\r\n\r\n', '\n\r']);
    return [`line end at ${at} -> ${JSON.stringify(change)}`, splice(bytes, at, 1, asBytes(change))];
  },
  (random, bytes, limit) => {
    // a cell grown so that its line is just below, at or just over the line limit
    const [start, end] = randomCell(random, bytes, random() < 0.8);
    let lineStart = start;
    while (lineStart > 0 && bytes[lineStart - 1] !== 0x0a) lineStart--;
    let lineEnd = bytes.indexOf(0x0a, start);
    if (lineEnd < 0) lineEnd = bytes.length;
    if (lineEnd > lineStart && bytes[lineEnd - 1] === 0x0d) lineEnd--;
    const target = limit + pick(random, [-2, -1, 0, 0, 1, 1, 2, 3, 100]);
    const grow = Math.max(0, target - (lineEnd - lineStart));
    const fill = pick(random, [0x37, 0x78, 0x20, 0x2e, 0x00]);
    return [`cell ${start} grown by ${grow} x 0x${fill.toString(16)} (line ${target - limit >= 0 ? '+' : ''}${target - limit} of the limit)`, splice(bytes, end, 0, new Uint8Array(grow).fill(fill))];
  },
  (random, bytes) => {
    const at = int(random, bytes.length + 1);
    return [`truncate at ${at}`, bytes.slice(0, at)];
  },
  (random, bytes) => {
    // a comma removed or added: a row (or the header) with one field less or more
    const starts = lineStarts(bytes);
    const line = int(random, starts.length);
    const lineStart = starts[line]!;
    const lineEnd = line + 1 < starts.length ? starts[line + 1]! : bytes.length;
    const commas: number[] = [];
    for (let i = lineStart; i < lineEnd; i++) if (bytes[i] === 0x2c) commas.push(i);
    if (random() < 0.5 && commas.length > 0) {
      const at = pick(random, commas);
      return [`comma at ${at} removed`, splice(bytes, at, 1, new Uint8Array(0))];
    }
    const at = lineStart + int(random, Math.max(1, lineEnd - lineStart));
    return [`comma inserted at ${at}`, splice(bytes, at, 0, Uint8Array.of(0x2c))];
  },
  (random, bytes) => {
    const at = int(random, bytes.length + 1);
    const invalid = pick(random, [[0x96], [0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8]]);
    return [`non-UTF-8 bytes ${invalid.map((b) => b.toString(16)).join(' ')} at ${at}`, splice(bytes, at, 0, Uint8Array.from(invalid))];
  },
  (random, bytes) => {
    // header mutations: a name repeated, blanked, padded, quoted; a BOM; blank lines before it
    const headerEnd = Math.max(0, bytes.indexOf(0x0a));
    const header = Buffer.from(bytes.subarray(0, headerEnd)).toString('latin1');
    const names = header.replace(/\r$/, '').split(',');
    const i = int(random, names.length);
    const kind = int(random, 8);
    if (kind === 0) names[i] = names[int(random, names.length)]!;
    else if (kind === 1) names[i] = '';
    else if (kind === 2) names[i] = `  ${names[i]}\t`;
    else if (kind === 3) names[i] = `"${names[i]!.replace(/"/g, '""')},x"`;
    else if (kind === 4) names[i] = `${names[i]!.trim()}.1`;
    else if (kind === 5) names[i] = 'Label';
    let text = names.join(',') + (header.endsWith('\r') ? '\r' : '');
    if (kind === 6) text = '\ufeff' + text;
    if (kind === 7) text = pick(random, ['\n', '\r\n', '\n\r\n\n']) + text;
    return [`header mutation ${kind} at name ${i}`, splice(bytes, 0, headerEnd, asBytes(text))];
  },
];

/** A random slice of an extract: the header and some consecutive data lines (or all of them). */
function sliceOf(random: Random, bytes: Uint8Array): Uint8Array {
  if (random() < 0.15) return bytes;
  const starts = lineStarts(bytes);
  if (starts.length < 3) return bytes;
  const from = 1 + int(random, starts.length - 1);
  const count = 1 + int(random, pick(random, [3, 30, 300]));
  const to = from + count < starts.length ? starts[from + count]! : bytes.length;
  return Uint8Array.from([...bytes.subarray(0, starts[1]!), ...bytes.subarray(starts[from]!, to)]);
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const KIND_PATTERN: Record<ErrorKind, RegExp> = {
  empty: /^empty file, expected a header line$/,
  'line-limit': /^(header line|line) longer than \d+ bytes/,
  'not-a-number': /^expected a number, got "/,
  ragged: /^expected (\d+) fields, found (\d+)$/,
  unclosed: /^quoted field is not closed before the end of the file$/,
  'no-data': /^no data rows( after the header)?$/,
  schema: /not found|is missing from this file/,
};

function sameBits(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

/** What is wrong with an error the engine threw, given the reference's (undefined: nothing). */
function checkError(err: unknown, expected: ReferenceError | undefined, file: string): string | undefined {
  if (!(err instanceof DriftCatcherError)) return `not a DriftCatcherError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  if (err.code !== 'DC_ERR_INPUT' && err.code !== 'DC_ERR_SCHEMA') return `code ${err.code}: ${err.message}`;
  if (CONTROL.test(err.message)) return `control characters in the message: ${JSON.stringify(err.message.slice(0, 300))}`;
  if (err.message.length > 1300 + file.length) return `message of ${err.message.length} characters`;
  if (!expected) return `unexpected error: ${err.message}`;
  const wantCode = expected.kind === 'schema' ? 'DC_ERR_SCHEMA' : 'DC_ERR_INPUT';
  if (err.code !== wantCode || !KIND_PATTERN[expected.kind].test(err.detail)) return `expected ${expected.message}, got ${err.code}: ${err.message}`;
  if (expected.line !== undefined && err.line !== expected.line) return `expected ${expected.message}, got line ${String(err.line)}: ${err.message}`;
  if (expected.column !== undefined && err.column !== expected.column) return `expected ${expected.message}, got column ${JSON.stringify(err.column)}: ${err.message}`;
  if (expected.fields) {
    const [, want, found] = KIND_PATTERN.ragged.exec(err.detail)!;
    if (Number(want) !== expected.fields.expected || Number(found) !== expected.fields.found) return `expected ${expected.message} (${expected.fields.found} of ${expected.fields.expected} fields), got ${err.message}`;
  }
  return undefined;
}

type RefOutcome = { table: ReferenceTable } | { error: ReferenceError };

function reference(bytes: Uint8Array, options: Parameters<typeof referenceRead>[1]): RefOutcome {
  try {
    return { table: referenceRead(bytes, options) };
  } catch (err) {
    if (err instanceof ReferenceError) return { error: err };
    throw err;
  }
}

function compareTable(read: Awaited<ReturnType<typeof readTable>>, ref: ReferenceTable): string | undefined {
  if (read.rows !== ref.rows) return `rows ${read.rows}, reference ${ref.rows}`;
  const refFeatures = [...ref.features.keys()];
  if (JSON.stringify(read.featureNames) !== JSON.stringify(refFeatures)) return `features ${JSON.stringify(read.featureNames).slice(0, 300)}, reference ${JSON.stringify(refFeatures).slice(0, 300)}`;
  if (read.labelName !== ref.labelName) return `label column ${String(read.labelName)}, reference ${String(ref.labelName)}`;
  for (const name of refFeatures) {
    const values = read.table.getChild(name)!.toArray() as Float64Array;
    const want = ref.features.get(name)!;
    for (let i = 0; i < want.length; i++) {
      if (!sameBits(values[i]!, want[i]!)) return `column "${name}" row ${i}: ${values[i]}, reference ${want[i]}`;
    }
    const q = read.quality.get(name)!;
    const c = ref.counts.get(name)!;
    if (q.nan !== c.nan || q.posInf !== c.posInf || q.negInf !== c.negInf || q.coerced !== c.coerced) return `column "${name}" counts ${JSON.stringify(q)}, reference ${JSON.stringify(c)}`;
  }
  if (ref.labelName !== undefined) {
    const labels = read.table.getChild(ref.labelName)!;
    for (let i = 0; i < ref.labels.length; i++) {
      if (labels.get(i) !== ref.labels[i]) return `label row ${i}: ${JSON.stringify(labels.get(i))}, reference ${JSON.stringify(ref.labels[i])}`;
    }
  }
  return undefined;
}

function compareScan(report: Awaited<ReturnType<typeof checkDrift>>, ref: ReferenceTable, profile: Profile, epsilon: number): string | undefined {
  if (report.current.rows !== ref.rows) return `scan rows ${report.current.rows}, reference ${ref.rows}`;
  let nonFinite = 0;
  for (const feature of profile.features) {
    const got = report.features.find((f) => f.name === feature.name)!;
    const values = ref.features.get(feature.name)!;
    // default binning: bin j holds the finite values with j edges <= v; the last slot the rest
    const counts = new Array<number>(feature.edges.length + 2).fill(0);
    for (const v of values) {
      if (!Number.isFinite(v)) counts[feature.edges.length + 1]!++;
      else counts[feature.edges.filter((edge) => edge <= v).length]!++;
    }
    const missing = counts[feature.edges.length + 1]!;
    nonFinite += missing;
    if (got.count !== values.length || got.non_finite !== missing) return `scan "${feature.name}": ${got.count - got.non_finite} finite and ${got.non_finite} not, reference ${values.length - missing} and ${missing}`;
    const actual = counts.map((c) => (values.length > 0 ? c / values.length : 0)).map((p) => (p === 0 ? epsilon : p));
    if (actual.some((p, j) => !sameBits(p, got.actual[j]!))) return `scan "${feature.name}" bins ${JSON.stringify(got.actual)}, reference ${JSON.stringify(actual)}`;
  }
  if (report.current.non_finite_values !== nonFinite) return `scan non-finite values ${report.current.non_finite_values}, reference ${nonFinite}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------------------------

interface Seed {
  name: string;
  bytes: Uint8Array;
  exclude?: string[];
  profile: Profile;
}

async function loadSeeds(): Promise<Seed[]> {
  const dir = fixturesDir();
  const seeds: Seed[] = [];
  for (const name of ['friday-ddos-sample-10.csv', 'friday-ddos-flows-299.csv', 'friday-ddos-head-9998.csv']) {
    const file = path.join(dir, name);
    const exclude = name.includes('flows') ? FLOWS_TEXT_COLUMNS : undefined;
    const profile = await createBaseline(file, exclude ? { exclude } : {});
    seeds.push({ name, bytes: new Uint8Array(fs.readFileSync(file)), ...(exclude ? { exclude } : {}), profile });
  }
  return seeds;
}

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzSummary> {
  const seed = options.seed ?? 1;
  const seconds = options.seconds ?? 20;
  const maxSecondsPerCall = options.maxSecondsPerCall ?? 10;
  const maxRssGrowthMiB = options.maxRssGrowthMiB ?? 400;
  const log = options.log ?? (() => {});
  const seeds = await loadSeeds();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'driftcatcher-fuzz-'));
  const findings: Finding[] = [];
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  let lastLog = started;
  let inputs = 0;
  try {
    for (let iteration = 0; ; iteration++) {
      if (options.iterations !== undefined ? iteration >= options.iterations : performance.now() - started > seconds * 1000) break;
      const random = rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b)) >>> 0);
      const source = pick(random, seeds);
      // the default limit, or one a little over the extracts' headers (1.4 kB; rows are 300 to
      // 600 bytes), which the grown-cell mutation then probes byte by byte (64: every line is over)
      const limit = random() < 0.5 ? IO_DEFAULTS.maxLineBytes : pick(random, [64, 1500, 1500, 2000, 4096]);
      let bytes = sliceOf(random, source.bytes);
      const mutations: string[] = [];
      const count = 1 + int(random, 4);
      for (let m = 0; m < count; m++) {
        const [what, mutated] = pick(random, MUTATIONS)(random, bytes, limit);
        mutations.push(what);
        bytes = mutated;
      }
      const coerce = random() < 0.2;
      // batches of one row only for small inputs: each batch costs Arrow objects per column
      const batchRows = bytes.length < 20_000 ? pick(random, [1, 7, 100, 65536]) : pick(random, [7, 100, 65536]);
      // small ranges, but not more than about 2,000 of them (each range is a task with a fixed cost)
      const rangeBytes = Math.max(pick(random, [64, 300, 4096, 65536]), Math.ceil(bytes.length / 2000));
      const file = path.join(work, `input-${iteration}.csv`);
      fs.writeFileSync(file, bytes);
      inputs++;

      const problems: Array<[Finding['path'], string]> = [];
      const timed = async <T>(what: Finding['path'], run: () => Promise<T>): Promise<{ value?: T; error?: unknown }> => {
        const rssBefore = peakRssMiB();
        const t0 = performance.now();
        let outcome: { value?: T; error?: unknown };
        try {
          outcome = { value: await run() };
        } catch (error) {
          outcome = { error };
        }
        const took = (performance.now() - t0) / 1000;
        if (took > maxSecondsPerCall) problems.push(['limits', `${what} took ${took.toFixed(1)} s for ${bytes.length} bytes`]);
        const growth = peakRssMiB() - rssBefore;
        if (growth > maxRssGrowthMiB) problems.push(['limits', `${what} grew the peak RSS by ${growth.toFixed(0)} MiB for ${bytes.length} bytes`]);
        return outcome;
      };

      // readTable
      const tableOptions = { ...(source.exclude ? { exclude: source.exclude } : {}), coerce, batchRows, maxLineBytes: limit };
      const refTable = reference(bytes, { maxLineBytes: limit, coerce, roles: tableRoles(tableOptions) });
      const kind = 'error' in refTable ? refTable.error.kind : 'ok';
      outcomes[kind] = (outcomes[kind] ?? 0) + 1;
      const read = await timed('readTable', () => readTable(file, tableOptions));
      if ('error' in read) {
        const problem = checkError(read.error, 'error' in refTable ? refTable.error : undefined, file);
        if (problem) problems.push(['readTable', problem]);
      } else if ('error' in refTable) {
        problems.push(['readTable', `read ${read.value!.rows} rows, reference: ${refTable.error.message}`]);
      } else {
        const problem = compareTable(read.value!, refTable.table);
        if (problem) problems.push(['readTable', problem]);
      }

      // checkDrift: the parallel scan path on the main thread, small ranges
      const featureNames = source.profile.features.map((f) => f.name);
      const refScan = reference(bytes, { maxLineBytes: limit, roles: scanRoles(featureNames) });
      const scan = await timed('checkDrift', () => checkDrift(source.profile, file, { workers: 0, rangeBytes, maxLineBytes: limit }));
      if ('error' in scan) {
        const problem = checkError(scan.error, 'error' in refScan ? refScan.error : undefined, file);
        if (problem) problems.push(['checkDrift', problem]);
      } else if ('error' in refScan) {
        problems.push(['checkDrift', `scanned ${scan.value!.current.rows} rows, reference: ${refScan.error.message}`]);
      } else {
        const problem = compareScan(scan.value!, refScan.table, source.profile, scan.value!.settings.epsilon);
        if (problem) problems.push(['checkDrift', problem]);
      }

      for (const [where, problem] of problems) {
        const finding: Finding = { seed, iteration, path: where, problem, mutations: [`${source.name} limit ${limit} coerce ${coerce} batchRows ${batchRows} rangeBytes ${rangeBytes}`, ...mutations] };
        if (options.findingsDir) {
          fs.mkdirSync(options.findingsDir, { recursive: true });
          finding.input = path.join(options.findingsDir, `seed${seed}-input${iteration}.csv`);
          fs.writeFileSync(finding.input, bytes);
        }
        findings.push(finding);
        log(`finding: seed ${seed} input ${iteration} ${where}: ${JSON.stringify(problem).slice(1, -1)} [${finding.mutations.join('; ')}]`);
      }
      fs.rmSync(file);
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        log(`${inputs} inputs, ${findings.length} findings, ${((lastLog - started) / 1000).toFixed(0)} s, peak RSS ${peakRssMiB().toFixed(0)} MiB`);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { seed, inputs, findings, outcomes, seconds: (performance.now() - started) / 1000, peakRssMiB: peakRssMiB() };
}
