/**
 * hyparquet, loaded on first use and synchronously: a scan unit runs inside a synchronous worker
 * task (engine/scan/tasks.ts), so the decoder is required, not imported (Node 20.19+ loads ES
 * modules with require). Only its page-level functions are used (page headers, decompression, the
 * RLE/bit-packed decoder, page readers for the less common encodings): the page loop, dictionaries
 * and nulls are ours (./decode.ts), so that values go straight into Float64Arrays.
 *
 * Codecs: SNAPPY (hysnappy, WASM) and ZSTD (fzstd) from hyparquet-compressors, GZIP through
 * node:zlib, BROTLI, LZ4 and LZ4_RAW from hyparquet-compressors too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type * as ColumnModule from 'hyparquet/src/column.js';
import type * as DataPageModule from 'hyparquet/src/datapage.js';
import type * as MetadataModule from 'hyparquet/src/metadata.js';
import type * as PlainModule from 'hyparquet/src/plain.js';
import type { Compressors } from 'hyparquet';

export interface ParquetLibrary {
  /** the footer's decoder (loaded on first call: scan workers never need it) */
  parquetMetadata: typeof MetadataModule.parquetMetadata;
  parquetHeader: typeof ColumnModule.parquetHeader;
  decompressPage: typeof DataPageModule.decompressPage;
  readDataPage: typeof DataPageModule.readDataPage;
  readDataPageV2: typeof DataPageModule.readDataPageV2;
  readPlain: typeof PlainModule.readPlain;
  /**
   * each codec's decompressor, loaded when a page of that codec is first met. SNAPPY's returns a
   * view into its WASM memory that the next call overwrites: a page is decoded (copied out)
   * before the next one is decompressed
   */
  compressors: Compressors;
}

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

let library: ParquetLibrary | undefined;

/** The decoder's functions (loaded once per thread). */
export function parquetLibrary(): ParquetLibrary {
  if (library) return library;
  const require = createRequire(import.meta.url);
  const column = require('hyparquet/src/column.js') as typeof ColumnModule;
  const datapage = require('hyparquet/src/datapage.js') as typeof DataPageModule;
  const plain = require('hyparquet/src/plain.js') as typeof PlainModule;
  // snappy and zstd come from hyparquet-compressors' own dependencies, resolved from it; loading
  // its index would also load brotli's dictionary and lz4 for every file
  const fromCompressors = (): NodeRequire => createRequire(require.resolve('hyparquet-compressors'));
  const allCompressors = (): Compressors => (require('hyparquet-compressors') as { compressors: Compressors }).compressors;
  library = {
    parquetMetadata: (...args) => (require('hyparquet/src/metadata.js') as typeof MetadataModule).parquetMetadata(...args),
    parquetHeader: column.parquetHeader,
    decompressPage: datapage.decompressPage,
    readDataPage: datapage.readDataPage,
    readDataPageV2: datapage.readDataPageV2,
    readPlain: plain.readPlain,
    compressors: {
      SNAPPY: lazy(() => snappyInPlace(fromCompressors()) ?? (fromCompressors()('hysnappy') as { snappyUncompressor(): Decompress }).snappyUncompressor()),
      ZSTD: lazy(() => {
        const { decompress } = fromCompressors()('fzstd') as { decompress(input: Uint8Array, output?: Uint8Array): Uint8Array };
        return (input) => decompress(input);
      }),
      GZIP: gunzip,
      BROTLI: lazy(() => allCompressors().BROTLI!),
      LZ4: lazy(() => allCompressors().LZ4!),
      LZ4_RAW: lazy(() => allCompressors().LZ4_RAW!),
    },
  };
  return library;
}

function lazy(load: () => Decompress): Decompress {
  let decompress: Decompress | undefined;
  return (input, outputLength) => (decompress ??= load())(input, outputLength);
}

/** Bytes of hysnappy's WASM memory below its input (clang's data and stack), as hysnappy's own wrapper leaves them. */
const SNAPPY_INPUT_AT = 68_000;

/**
 * hysnappy's WASM decompressor without its wrapper's copy of every page (`slice`: a new
 * ArrayBuffer per page, garbage that held a baseline worker's external memory at up to 100 MB).
 * The page is returned as a view into the WASM memory (at an 8-byte boundary, so that PLAIN
 * doubles are read in place), valid until the next call. Undefined when the module is not where
 * hysnappy 1.1 keeps it (its wrapper is then used).
 */
function snappyInPlace(require: NodeRequire): Decompress | undefined {
  let source: string;
  try {
    source = readFileSync(join(dirname(require.resolve('hysnappy')), 'uncompress.js'), 'utf8');
  } catch {
    return undefined;
  }
  const base64 = /const wasm64 = '([A-Za-z0-9+/=]+)'/.exec(source)?.[1];
  if (!base64) return undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')));
  const { memory, uncompress } = instance.exports as { memory: WebAssembly.Memory; uncompress(input: number, length: number, output: number): number };
  if (!(memory instanceof WebAssembly.Memory) || typeof uncompress !== 'function') return undefined;
  return (input, outputLength) => {
    const outputAt = Math.ceil((SNAPPY_INPUT_AT + input.byteLength) / 8) * 8;
    const end = outputAt + outputLength;
    if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65_536));
    const bytes = new Uint8Array(memory.buffer);
    bytes.set(input, SNAPPY_INPUT_AT);
    const result = uncompress(SNAPPY_INPUT_AT, input.byteLength, outputAt);
    if (result === -1) throw new Error('invalid snappy length header');
    if (result === -2) throw new Error('missing eof marker');
    if (result === -3) throw new Error('premature end of input');
    if (result) throw new Error(`failed to uncompress data ${result}`);
    return bytes.subarray(outputAt, end);
  };
}

function gunzip(input: Uint8Array, outputLength: number): Uint8Array {
  const output = gunzipSync(input, { maxOutputLength: Math.max(outputLength, 1) });
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
