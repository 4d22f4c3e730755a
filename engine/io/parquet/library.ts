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
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type * as ColumnModule from 'hyparquet/src/column.js';
import type * as DataPageModule from 'hyparquet/src/datapage.js';
import type * as EncodingModule from 'hyparquet/src/encoding.js';
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
  readRleBitPackedHybrid: typeof EncodingModule.readRleBitPackedHybrid;
  /** each codec's decompressor, loaded when a page of that codec is first met */
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
  const encoding = require('hyparquet/src/encoding.js') as typeof EncodingModule;
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
    readRleBitPackedHybrid: encoding.readRleBitPackedHybrid,
    compressors: {
      SNAPPY: lazy(() => (fromCompressors()('hysnappy') as { snappyUncompressor(): Decompress }).snappyUncompressor()),
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

function gunzip(input: Uint8Array, outputLength: number): Uint8Array {
  const output = gunzipSync(input, { maxOutputLength: Math.max(outputLength, 1) });
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}
