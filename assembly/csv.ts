// CSV number scanner: the common rows of a numeric CSV file, straight from bytes to f64 columns.
// Compiled with the same flags as histogram.ts (shared memory, no allocation, no state but one
// result global per instance), so every worker runs it in place over its slot of the memory.
//
// parseRows handles only "simple" rows: complete lines (ending in LF, optionally CRLF) whose
// feature cells are all `[-]digits[.digits]` with at most 18 digits and a mantissa below 2^53, whose
// other cells hold no quote, and that have exactly nColumns fields. It stops, before the row, at
// the first row that is not simple (a blank line, an exponent, a word such as Infinity or NaN, an
// empty cell, text, a quote, a ragged row) and leaves that row to the JavaScript parser, which
// handles every case and is the oracle in the tests. Values are the correctly rounded doubles:
// an exact integer mantissa divided once by an exact power of ten, as in the JS fast path.
//
// Measured alternatives that lost on CICIDS-shaped data (half the cells one digit, 13% ten-digit
// decimals; /tmp micro-benchmark of parseRows alone over 48 MB, alternating builds): cutting rows
// into fields with 16-byte SIMD separator masks and parsing each field with a SIMD shuffle +
// multiply-add ladder (0.7x of this loop), eight-byte SWAR digit runs (0.9x), and an eight-byte
// SWAR cell (terminator, point and digits from one load; 0.6x): per cell they cost more fixed work
// than this loop spends on a one- or two-digit cell. The one-digit shortcut below gained about 15%.
//
// Arguments are byte addresses: `bytes` is the first row's first byte, `end` is one past the last
// byte that may be read (the index after the last LF in the buffer), rows start only before
// `lineStartLimit`; feature f of row k goes to out + f * strideBytes + k * 8. `columnMap` holds an
// i32 per file column: the feature index, or a negative number for a column to skip. A row longer
// than `maxLineBytes` (its line feed not counted; 0 or less: no limit) is not simple either: the
// JavaScript parser reports it.
// Returns the rows written; `consumed()` is the byte count they took.

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const COMMA: u8 = 0x2c;
const QUOTE: u8 = 0x22;
const MINUS: u8 = 0x2d;
const DOT: u8 = 0x2e;
const ZERO: u8 = 0x30;

const EXACT_MANTISSA: u64 = 9007199254740992; // 2^53

let consumedBytes: i32 = 0;

export function consumed(): i32 {
  return consumedBytes;
}

// @ts-ignore: decorator
@inline
function powerOfTen(n: i32): f64 {
  // 10^n for 0 <= n <= 18, exact: integer selects (V8 emits conditional moves for them, while an
  // f64 select or a loop becomes a branch per bit) and one exact conversion
  let p: i64 = select<i64>(10, 1, n & 1);
  p *= select<i64>(100, 1, n & 2);
  p *= select<i64>(10000, 1, n & 4);
  p *= select<i64>(100000000, 1, n & 8);
  p *= select<i64>(10000000000000000, 1, n & 16);
  return <f64>p;
}

export function parseRows(bytes: usize, end: usize, lineStartLimit: usize, columnMap: usize, nColumns: i32, out: usize, strideBytes: i32, maxRows: i32, maxLineBytes: i32): i32 {
  // the most bytes a simple row takes with its line feed
  const rowLimit: usize = maxLineBytes > 0 ? <usize>maxLineBytes + 1 : <usize>-1;
  let rows: i32 = 0;
  let p = bytes;
  let rowStart = p;
  while (rows < maxRows && p < end && p < lineStartLimit) {
    rowStart = p;
    const first = load<u8>(p);
    if (first == LF || first == CR) break; // blank line: the JS parser skips it
    let column: i32 = 0;
    let simple = true;
    const rowOut = out + (<usize>rows << 3);
    while (true) {
      const slot = column < nColumns ? load<i32>(columnMap + (<usize>column << 2)) : -1;
      let c = load<u8>(p);
      if (slot >= 0 && <u32>(c - ZERO) < 10 && load<u8>(p + 1) == COMMA) {
        // one digit and a comma, half the cells of a CICIDS file: no loop, no branch to mispredict
        store<f64>(rowOut + <usize>slot * <usize>strideBytes, <f64>(c - ZERO));
        p += 2;
        column++;
        continue;
      }
      if (slot >= 0) {
        const negative = c == MINUS;
        if (negative) {
          p++;
          c = load<u8>(p);
        }
        let mantissa: u64 = 0;
        let digits: i32 = 0;
        while (<u32>(c - ZERO) < 10) {
          mantissa = mantissa * 10 + <u64>(c - ZERO);
          digits++;
          p++;
          c = load<u8>(p);
        }
        let fraction: i32 = 0;
        if (c == DOT) {
          p++;
          c = load<u8>(p);
          while (<u32>(c - ZERO) < 10) {
            mantissa = mantissa * 10 + <u64>(c - ZERO);
            fraction++;
            p++;
            c = load<u8>(p);
          }
          digits += fraction;
        }
        if (digits == 0 || digits > 18 || mantissa >= EXACT_MANTISSA || !(c == COMMA || c == LF || c == CR)) {
          simple = false;
          break;
        }
        // mantissa < 2^53: the signed conversion is exact and has no branch (the unsigned one has)
        let value = <f64><i64>mantissa;
        if (fraction > 0) value /= powerOfTen(fraction);
        // the sign by flipping the sign bit, not an f64 select (a branch in V8's code)
        store<u64>(rowOut + <usize>slot * <usize>strideBytes, reinterpret<u64>(value) ^ (<u64>negative << 63));
      } else {
        while (c != COMMA && c != LF) {
          if (c == QUOTE) break;
          p++;
          c = load<u8>(p);
        }
        if (c == QUOTE) {
          simple = false;
          break;
        }
        if (c == LF && load<u8>(p - 1) == CR) p--;
        c = load<u8>(p);
      }
      // p is on the cell's terminator
      if (c == COMMA) {
        p++;
        column++;
        continue;
      }
      if (c == CR) {
        if (load<u8>(p + 1) != LF) {
          simple = false;
          break;
        }
        p += 2;
      } else {
        p++; // LF
      }
      break;
    }
    if (!simple || column + 1 != nColumns || p > end || p - rowStart > rowLimit) {
      p = rowStart;
      break;
    }
    rows++;
  }
  consumedBytes = <i32>(p - bytes);
  return rows;
}
