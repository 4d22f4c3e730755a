/**
 * A scanner for the common shape of a log line, on its bytes: one flat JSON object (ASCII, no
 * escapes) of numbers, null and short strings, with at most one nested object, the features
 * field's. It gives the line's time and the requested features' values, merged as
 * parseLogRecord merges them (the features object over the top-level fields, the last of a
 * repeated key). Anything else -- escapes, non-ASCII bytes, arrays, true/false, deeper objects, a
 * number it cannot convert exactly, a bad time -- is left to parseLogRecord (FALLBACK), which
 * accepts and rejects exactly what JSON.parse does and words the errors.
 */
import { fnv1a, latin1, sameBytes } from '../csv/text.js';
import { nonFiniteText, parseLogTime, type LogFields } from './record.js';

/** parse(): the line holds only blanks (space, tab, CR). */
export const BLANK = 0;
/** parse(): the line is read; time and values are set. */
export const PARSED = 1;
/** parse(): the line is not of the shape this scanner reads: parse it with parseLogRecord. */
export const FALLBACK = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** 10^0..10^22, each exact in a double (Clinger's fast path: m * 10^e is correctly rounded for m < 2^53). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const encoder = new TextEncoder();

const isBlank = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

export class FastLogScanner {
  /** whether this scanner can read lines at all (false: every line goes to parseLogRecord) */
  readonly usable: boolean;
  /** after PARSED: the line's time, Unix ms */
  time = NaN;
  readonly #n: number;
  readonly #time: number;
  readonly #features: number;
  readonly #proto: number;
  readonly #keys: Uint8Array[];
  readonly #table: Int32Array;
  readonly #mask: number;
  // per feature, its top-level and nested value, the line (generation) that set each, and whether the value is a string that is not a number
  readonly #top: Float64Array;
  readonly #nested: Float64Array;
  readonly #topLine: Int32Array;
  readonly #nestedLine: Int32Array;
  readonly #topBad: Uint8Array;
  readonly #nestedBad: Uint8Array;
  #line = 0;
  #hasNested = false;
  #timeSeen = false;
  #featuresSeen = 0;
  // the token just read
  #number = 0;
  #stringStart = 0;
  #stringEnd = 0;
  #hash = 0;

  constructor(features: readonly string[], fields: LogFields) {
    const names = [...features, fields.timeColumn, fields.featuresField, '__proto__'];
    this.#n = features.length;
    this.#time = this.#n;
    this.#features = this.#n + 1;
    this.#proto = this.#n + 2;
    this.#keys = names.map((name) => encoder.encode(name));
    this.usable = new Set(names).size === names.length && names.every((name) => /^[\x20-\x7e]*$/.test(name) && !name.includes('"') && !name.includes('\\'));
    let size = 16;
    while (size < 4 * names.length) size *= 2;
    this.#mask = size - 1;
    this.#table = new Int32Array(size).fill(-1);
    this.#keys.forEach((key, index) => {
      let at = fnv1a(key, 0, key.length) & this.#mask;
      while (this.#table[at] !== -1) at = (at + 1) & this.#mask;
      this.#table[at] = index;
    });
    this.#top = new Float64Array(this.#n);
    this.#nested = new Float64Array(this.#n);
    this.#topLine = new Int32Array(this.#n);
    this.#nestedLine = new Int32Array(this.#n);
    this.#topBad = new Uint8Array(this.#n);
    this.#nestedBad = new Uint8Array(this.#n);
  }

  /** Read the line bytes[start, end) (without its line feed): BLANK, PARSED or FALLBACK. */
  parse(bytes: Uint8Array, start: number, end: number): number {
    let i = skipBlanks(bytes, start, end);
    if (i === end) return BLANK;
    if (!this.usable || bytes[i] !== OPEN) return FALLBACK;
    if (++this.#line === 0x7fffffff) {
      this.#line = 1;
      this.#topLine.fill(0);
      this.#nestedLine.fill(0);
    }
    this.#hasNested = false;
    this.#timeSeen = false;
    this.#featuresSeen = 0;
    i = this.#object(bytes, i, end, true);
    if (i < 0 || skipBlanks(bytes, i, end) !== end || !this.#timeSeen) return FALLBACK;
    return PARSED;
  }

  /** After PARSED: feature f's value (NaN when absent or null); undefined when it is a string that is not a number (parseLogRecord words the error). */
  value(f: number): number | undefined {
    const line = this.#line;
    if (this.#hasNested && this.#nestedLine[f] === line) return this.#nestedBad[f] ? undefined : this.#nested[f]!;
    if (this.#topLine[f] === line) return this.#topBad[f] ? undefined : this.#top[f]!;
    return NaN;
  }

  /** The object at bytes[i] (an opening brace): the index after it, or -1 (FALLBACK). */
  #object(bytes: Uint8Array, i: number, end: number, top: boolean): number {
    i = skipBlanks(bytes, i + 1, end);
    if (bytes[i] === CLOSE) return i + 1;
    for (;;) {
      if (i >= end || bytes[i] !== QUOTE) return -1;
      i = this.#string(bytes, i, end);
      if (i < 0) return -1;
      const key = this.#lookup(bytes);
      i = skipBlanks(bytes, i, end);
      if (i >= end || bytes[i] !== COLON) return -1;
      i = skipBlanks(bytes, i + 1, end);
      if (i >= end) return -1;
      const c = bytes[i]!;
      if (key === this.#proto) return -1;
      if (top && key === this.#features) {
        if (++this.#featuresSeen > 1) return -1;
        if (c === OPEN) {
          i = this.#object(bytes, i, end, false);
          if (i < 0) return -1;
          this.#hasNested = true;
        } else {
          i = this.#scalar(bytes, i, end, c);
          if (i < 0) return -1;
        }
      } else if (top && key === this.#time) {
        i = this.#scalar(bytes, i, end, c);
        if (i < 0) return -1;
        this.time = c === QUOTE ? isoTime(bytes, this.#stringStart, this.#stringEnd) : c === 0x6e ? NaN : Number.isFinite(this.#number) ? this.#number * 1000 : NaN;
        if (Number.isNaN(this.time)) return -1;
        this.#timeSeen = true;
      } else {
        i = this.#scalar(bytes, i, end, c);
        if (i < 0) return -1;
        if (key >= 0 && key < this.#n) this.#store(key, top, c === QUOTE ? nonFiniteText(latin1(bytes, this.#stringStart, this.#stringEnd)) : c === 0x6e ? NaN : this.#number);
      }
      i = skipBlanks(bytes, i, end);
      if (i >= end) return -1;
      if (bytes[i] === CLOSE) return i + 1;
      if (bytes[i] !== COMMA) return -1;
      i = skipBlanks(bytes, i + 1, end);
    }
  }

  #store(f: number, top: boolean, value: number | undefined): void {
    const bad = value === undefined ? 1 : 0;
    if (top) {
      this.#top[f] = value ?? NaN;
      this.#topBad[f] = bad;
      this.#topLine[f] = this.#line;
    } else {
      this.#nested[f] = value ?? NaN;
      this.#nestedBad[f] = bad;
      this.#nestedLine[f] = this.#line;
    }
  }

  /** A number, null or a string at bytes[i] (its first byte `c`): the index after it, or -1. */
  #scalar(bytes: Uint8Array, i: number, end: number, c: number): number {
    if (c === QUOTE) return this.#string(bytes, i, end);
    if (c === 0x6e) return end - i >= 4 && bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c ? i + 4 : -1;
    return this.#numberAt(bytes, i, end);
  }

  /** A string of printable ASCII without escapes at bytes[i] (a quote): its bytes and hash, the index after it, or -1. */
  #string(bytes: Uint8Array, i: number, end: number): number {
    let hash = 0x811c9dc5;
    const start = i + 1;
    for (i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b === QUOTE) {
        this.#stringStart = start;
        this.#stringEnd = i;
        this.#hash = hash >>> 0;
        return i + 1;
      }
      if (b < 0x20 || b > 0x7e || b === BACKSLASH) return -1;
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    return -1;
  }

  /** The name index of the string just read (a key), -1 for none of the names. */
  #lookup(bytes: Uint8Array): number {
    for (let at = this.#hash & this.#mask; ; at = (at + 1) & this.#mask) {
      const index = this.#table[at]!;
      if (index === -1) return -1;
      if (sameBytes(bytes, this.#stringStart, this.#stringEnd, this.#keys[index]!)) return index;
    }
  }

  /**
   * A JSON number at bytes[i] (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?): its value, as
   * JSON.parse gives it, in #number; the index after it, or -1.
   */
  #numberAt(bytes: Uint8Array, i: number, end: number): number {
    const start = i;
    const negative = bytes[i] === MINUS;
    if (negative) i++;
    if (i >= end) return -1;
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let b = bytes[i]!;
    if (b === ZERO) i++;
    else if (b > ZERO && b <= NINE) {
      for (; i < end && (b = bytes[i]!) >= ZERO && b <= NINE; i++) {
        mantissa = mantissa * 10 + (b - ZERO);
        digits++;
      }
    } else return -1;
    if (i < end && bytes[i] === DOT) {
      i++;
      const first = i;
      for (; i < end && (b = bytes[i]!) >= ZERO && b <= NINE; i++) {
        if (digits > 0 || b !== ZERO) {
          mantissa = mantissa * 10 + (b - ZERO);
          digits++;
        }
        scale--;
      }
      if (i === first) return -1;
    }
    if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
      i++;
      let exponentNegative = false;
      if (i < end && (bytes[i] === MINUS || bytes[i] === PLUS)) exponentNegative = bytes[i++] === MINUS;
      const first = i;
      let exponent = 0;
      for (; i < end && (b = bytes[i]!) >= ZERO && b <= NINE; i++) if (exponent < 100_000) exponent = exponent * 10 + (b - ZERO);
      if (i === first) return -1;
      scale += exponentNegative ? -exponent : exponent;
    }
    let value: number;
    if (mantissa === 0) value = 0;
    else if (digits <= 15 && scale >= -22 && scale <= 22) value = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
    else value = Math.abs(Number(latin1(bytes, start, i)));
    this.#number = negative ? -value : value;
    return i;
  }
}

/** Digits bytes[at, at + n) as a number, -1 if one is not a digit. */
function digitsAt(bytes: Uint8Array, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const d = bytes[i]! - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The time of an ISO 8601 string as parseLogTime reads it: `YYYY-MM-DDTHH:MM:SS[.mmm][Z|+HH:MM]`
 * with every field in range (a day up to 28: Date.parse and Date.UTC agree there) read here, any
 * other string through parseLogTime.
 */
function isoTime(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  fast: if (n >= 19 && bytes[start + 4] === MINUS && bytes[start + 7] === MINUS && bytes[start + 10] === 0x54 && bytes[start + 13] === COLON && bytes[start + 16] === COLON) {
    const year = digitsAt(bytes, start, 4);
    const month = digitsAt(bytes, start + 5, 2);
    const day = digitsAt(bytes, start + 8, 2);
    const hour = digitsAt(bytes, start + 11, 2);
    const minute = digitsAt(bytes, start + 14, 2);
    const second = digitsAt(bytes, start + 17, 2);
    if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) break fast;
    let at = start + 19;
    let ms = 0;
    if (at < end && bytes[at] === DOT) {
      if (end - at < 4 || (ms = digitsAt(bytes, at + 1, 3)) < 0) break fast;
      at += 4;
    }
    let offset = 0;
    if (at === end - 1 && bytes[at] === 0x5a) at++;
    else if (at === end - 6 && (bytes[at] === PLUS || bytes[at] === MINUS) && bytes[at + 3] === COLON) {
      const hours = digitsAt(bytes, at + 1, 2);
      const minutes = digitsAt(bytes, at + 4, 2);
      if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) break fast;
      offset = (bytes[at] === PLUS ? 1 : -1) * (hours * 60 + minutes) * 60_000;
      at += 6;
    }
    if (at !== end) break fast;
    return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
  }
  return parseLogTime(latin1(bytes, start, end));
}

function skipBlanks(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && isBlank(bytes[i]!)) i++;
  return i;
}
