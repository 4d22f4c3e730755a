/**
 * Numbers straight into bytes. Every value the synthesizer emits is first rounded to at most
 * SIGNIFICANT_DIGITS significant digits (`roundSignificant`), so its decimal text is short and
 * reading that text back gives the very same double: CSV and Arrow outputs hold equal values.
 */

export const SIGNIFICANT_DIGITS = 10;

/** Exact powers of ten 10^0 .. 10^22 (all representable, so products/quotients round once). */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

const MAX_SAFE = 9007199254740991;
const TEN_DIGITS = 1e10; // 10^SIGNIFICANT_DIGITS
const NINE_DIGITS = 1e9;
/** Below this magnitude values are written in exponent form (never by the generator's data). */
const SMALLEST_PLAIN = 1e-12;

/**
 * Round to SIGNIFICANT_DIGITS significant digits. Returns the double nearest to the rounded
 * decimal (the one `parseFloat` of that decimal gives). Integers up to 2^53, 0 and non-finite
 * values come back unchanged.
 */
export function roundSignificant(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = value < 0 ? -value : value;
  if (magnitude < SMALLEST_PLAIN) return value;
  if (magnitude <= MAX_SAFE && Number.isInteger(value)) return value;
  const scale = scaleFor(magnitude);
  const rounded = scale >= 0 ? Math.round(magnitude * POW10[scale]!) / POW10[scale]! : Math.round(magnitude / POW10[-scale]!) * POW10[-scale]!;
  return value < 0 ? -rounded : rounded;
}

/**
 * The decimal scale k such that round(magnitude * 10^k) has exactly SIGNIFICANT_DIGITS digits
 * (|k| <= 22 for 1e-12 <= magnitude < 1e32).
 */
function scaleFor(magnitude: number): number {
  // decimal exponent by comparison (cheaper than log10); exact for the 1e-12 .. 1e22 range used
  let exponent = 0;
  if (magnitude >= 1) {
    while (exponent < 22 && magnitude >= POW10[exponent + 1]!) exponent++;
  } else {
    while (exponent > -22 && magnitude * POW10[-exponent]! < 1) exponent--;
  }
  let scale = SIGNIFICANT_DIGITS - 1 - exponent;
  // settle it on the scaled value (rounding can carry to one more digit)
  for (;;) {
    const scaled = scale >= 0 ? magnitude * POW10[scale]! : magnitude / POW10[-scale]!;
    if (scaled >= TEN_DIGITS - 0.5) scale -= 1;
    else if (scaled < NINE_DIGITS - 0.5) scale += 1;
    else return scale;
  }
}

/** Largest number of bytes `writeNumber` writes for one value. */
export const MAX_NUMBER_BYTES = 40;

const CH_0 = 48;
const CH_MINUS = 45;
const CH_DOT = 46;
const INFINITY_BYTES = Buffer.from('Infinity');
const NAN_BYTES = Buffer.from('NaN');

/** '00' .. '99' as byte pairs, for writing two digits at a time. */
const DIGIT_PAIRS = (() => {
  const pairs = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    pairs[2 * i] = CH_0 + Math.floor(i / 10);
    pairs[2 * i + 1] = CH_0 + (i % 10);
  }
  return pairs;
})();

/**
 * Write `value` as compact decimal text at `pos`; returns the new position. Integers without a
 * fraction (`6`, not `6.0`), other values rounded to 10 significant digits without trailing zeros,
 * `Infinity`, `-Infinity`, `NaN` literally. The text of v reads back as roundSignificant(v).
 */
export function writeNumber(buf: Uint8Array, pos: number, value: number): number {
  if (value === 0) {
    buf[pos] = CH_0;
    return pos + 1;
  }
  if ((value | 0) === value) {
    if (value < 0) {
      buf[pos++] = CH_MINUS;
      value = -value;
    }
    return writeUint(buf, pos, value);
  }
  if (value !== value) {
    buf.set(NAN_BYTES, pos);
    return pos + 3;
  }
  if (value < 0) {
    buf[pos++] = CH_MINUS;
    value = -value;
  }
  if (value === Infinity) {
    buf.set(INFINITY_BYTES, pos);
    return pos + 8;
  }
  if (value <= MAX_SAFE && Number.isInteger(value)) return writeUint(buf, pos, value);
  if (value < SMALLEST_PLAIN || value >= 1e21) return writeAscii(buf, pos, String(value));
  return writeFraction(buf, pos, value);
}

/** A positive non-integer (1e-12 <= value < 1e21) with up to 10 significant digits. */
function writeFraction(buf: Uint8Array, pos: number, value: number): number {
  let scale = scaleFor(value); // digits after the point for 10 significant digits
  if (scale <= 0) {
    // >= 1e10 with a fraction (not produced by the generator): its 10 significant digits, then zeros
    pos = writeUint(buf, pos, Math.round(value / POW10[-scale]!));
    for (let i = 0; i < -scale; i++) buf[pos++] = CH_0;
    return pos;
  }
  let digits = Math.round(value * POW10[scale]!); // 10 digits: < 2^34
  // drop trailing zeros
  for (;;) {
    const q = Math.floor(digits / 10);
    if (digits - q * 10 !== 0 || scale === 0) break;
    digits = q;
    scale -= 1;
  }
  if (scale === 0) return writeUint(buf, pos, digits); // the value rounds to a whole number
  const unit = POW10[scale]!;
  const whole = Math.floor(digits / unit);
  if (whole > 0) {
    // scale <= 9 here, so the fraction digits fit an int32
    pos = writeUint(buf, pos, whole);
    buf[pos++] = CH_DOT;
    return writePadded(buf, pos, digits - whole * unit, scale);
  }
  buf[pos++] = CH_0;
  buf[pos++] = CH_DOT;
  if (digits < 2147483648) return writePadded(buf, pos, digits, scale);
  // more than 9 digits below the point: the leading zeros and first digit, then 9 more
  const high = Math.floor(digits / 1e9);
  pos = writePadded(buf, pos, high, scale - 9);
  return writePadded(buf, pos, digits - high * 1e9, 9);
}

/** A non-negative integer below 2^53, in decimal. */
export function writeUint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = CH_0 + n;
    return pos + 1;
  }
  if (n >= 2147483648) {
    const high = Math.floor(n / 1e9);
    pos = writeUint(buf, pos, high);
    return writePadded(buf, pos, n - high * 1e9, 9);
  }
  let m = n | 0;
  const end = pos + (m < 100 ? 2 : m < 1000 ? 3 : m < 10000 ? 4 : m < 100000 ? 5 : m < 1000000 ? 6 : m < 10000000 ? 7 : m < 100000000 ? 8 : m < 1000000000 ? 9 : 10);
  let at = end;
  while (m >= 100) {
    const q = (m / 100) | 0;
    const pair = (m - q * 100) << 1;
    buf[--at] = DIGIT_PAIRS[pair + 1]!;
    buf[--at] = DIGIT_PAIRS[pair]!;
    m = q;
  }
  if (m >= 10) {
    const pair = m << 1;
    buf[--at] = DIGIT_PAIRS[pair + 1]!;
    buf[--at] = DIGIT_PAIRS[pair]!;
  } else {
    buf[--at] = CH_0 + m;
  }
  return end;
}

/** n (< 2^31 and < 10^width) as exactly `width` digits, zero-padded on the left. */
function writePadded(buf: Uint8Array, pos: number, n: number, width: number): number {
  const end = pos + width;
  let m = n | 0;
  let at = end;
  while (at - pos >= 2) {
    const q = (m / 100) | 0;
    const pair = (m - q * 100) << 1;
    buf[--at] = DIGIT_PAIRS[pair + 1]!;
    buf[--at] = DIGIT_PAIRS[pair]!;
    m = q;
  }
  if (at > pos) buf[--at] = CH_0 + m;
  return end;
}

function writeAscii(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}
