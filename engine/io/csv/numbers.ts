/**
 * Numbers from CSV bytes, without building a string for the common cell: digits are accumulated
 * straight from the bytes and turned into the correctly rounded double with Clinger's fast path;
 * only rare cells (more than 15-16 significant digits, large exponents) go through `Number()` on
 * a short slice.
 */
import { BYTE } from './bytes.js';
import { latin1 } from './text.js';

const { COMMA, CR, DIGIT_ZERO, DOT, LF, LOWER_CASE_BIT, MINUS, PLUS, SPACE, TAB } = BYTE;

/**
 * 10^0 .. 10^22: the powers of ten a double holds exactly (Clinger's fast path). Built by
 * multiplying, each step exact, rather than with `**`, whose rounding is not guaranteed.
 */
export const EXACT_POWERS_OF_TEN = new Float64Array(23);
EXACT_POWERS_OF_TEN[0] = 1;
for (let i = 1; i < 23; i++) EXACT_POWERS_OF_TEN[i] = EXACT_POWERS_OF_TEN[i - 1]! * 10;
/** Mantissas below this are exact doubles. */
export const MAX_EXACT_MANTISSA = 2 ** 53;
/** Exponent digits beyond this only matter to Number(), which gets the text. */
const EXPONENT_CAP = 100_000;

/**
 * What `parseNumber` found besides the value. One per parser, reused for every cell, so the hot
 * call allocates nothing.
 */
export class NumberToken {
  /** index of the byte after the token and its trailing blanks: a delimiter or line end when the cell is a number */
  end = 0;
  /** the value came from a word, an empty cell or the slow path, so it may be non-finite */
  unusual = false;
}

/**
 * Parse the number starting at bytes[start]: `[+-]digits[.digits][(e|E)[+-]digits]` with leading
 * and trailing blanks, `inf`/`infinity`/`nan` in any case with an optional sign, or an empty cell
 * (NaN). Sets `token.end` and `token.unusual`; the caller checks that bytes[token.end] ends the
 * cell, anything else means the cell is not a number. The caller guarantees a line feed before
 * the end of `bytes`, so the scan needs no bounds checks.
 */
export function parseNumber(bytes: Uint8Array, start: number, token: NumberToken): number {
  let p = start;
  let c = bytes[p]!;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  const tokenStart = p;
  let negative = false;
  if (c === MINUS) {
    negative = true;
    c = bytes[++p]!;
  } else if (c === PLUS) {
    c = bytes[++p]!;
  }

  let mantissa = 0;
  let digits = 0;
  let d = c - DIGIT_ZERO;
  while (d >= 0 && d <= 9) {
    mantissa = mantissa * 10 + d;
    digits++;
    d = bytes[++p]! - DIGIT_ZERO;
  }
  let fractionDigits = 0;
  if (d === DOT - DIGIT_ZERO) {
    d = bytes[++p]! - DIGIT_ZERO;
    while (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      fractionDigits++;
      d = bytes[++p]! - DIGIT_ZERO;
    }
  }
  if (digits + fractionDigits === 0) return parseWordOrEmpty(bytes, tokenStart, token);

  let exponent = 0;
  c = bytes[p]!;
  if ((c | LOWER_CASE_BIT) === 0x65 /* e */) {
    let q = p + 1;
    let exponentNegative = false;
    if (bytes[q] === MINUS) {
      exponentNegative = true;
      q++;
    } else if (bytes[q] === PLUS) {
      q++;
    }
    let e = bytes[q]! - DIGIT_ZERO;
    if (e >= 0 && e <= 9) {
      while (e >= 0 && e <= 9) {
        if (exponent < EXPONENT_CAP) exponent = exponent * 10 + e;
        e = bytes[++q]! - DIGIT_ZERO;
      }
      if (exponentNegative) exponent = -exponent;
      p = q;
      c = bytes[p]!;
    } // else: `1e` or `1e+` -- leave p on the `e`, which the caller reports as text
  }
  const numberEnd = p;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  token.end = p;

  const powerOfTen = exponent - fractionDigits;
  if (mantissa < MAX_EXACT_MANTISSA && powerOfTen >= -22 && powerOfTen <= 22) {
    // Both operands are exact doubles, so one IEEE multiply/divide rounds correctly.
    token.unusual = false;
    const magnitude = powerOfTen < 0 ? mantissa / EXACT_POWERS_OF_TEN[-powerOfTen]! : mantissa * EXACT_POWERS_OF_TEN[powerOfTen]!;
    return negative ? -magnitude : magnitude;
  }
  // Too many digits or a large exponent: Number() rounds correctly and accepts this grammar.
  token.unusual = true;
  return Number(latin1(bytes, tokenStart, numberEnd));
}

/**
 * A cell without digits: empty (NaN), `inf`, `infinity` or `nan` with optional sign, any case.
 * Anything else leaves token.end on the first byte of the token, so the caller sees text.
 */
function parseWordOrEmpty(bytes: Uint8Array, tokenStart: number, token: NumberToken): number {
  token.unusual = true;
  let p = tokenStart;
  let c = bytes[p]!;
  if (c === COMMA || c === LF || c === CR) {
    token.end = p;
    return NaN; // empty (or blank) cell; a CR not before a LF is rejected by the caller
  }
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    p++;
  }
  let value = NaN;
  if (matchesWord(bytes, p, 'infinity')) {
    p += 8;
    value = negative ? -Infinity : Infinity;
  } else if (matchesWord(bytes, p, 'inf')) {
    p += 3;
    value = negative ? -Infinity : Infinity;
  } else if (matchesWord(bytes, p, 'nan')) {
    p += 3;
  } else {
    token.end = tokenStart;
    return NaN;
  }
  c = bytes[p]!;
  while (c === SPACE || c === TAB) c = bytes[++p]!;
  token.end = p;
  return value;
}

/** bytes at p spell `lowerCaseWord`, ignoring case (stops at the first difference: no bounds needed). */
function matchesWord(bytes: Uint8Array, p: number, lowerCaseWord: string): boolean {
  for (let i = 0; i < lowerCaseWord.length; i++) {
    if ((bytes[p + i]! | LOWER_CASE_BIT) !== lowerCaseWord.charCodeAt(i)) return false;
  }
  return true;
}
