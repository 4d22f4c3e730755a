/**
 * Sorting float64 arrays: the order of Float64Array.prototype.sort (ascending, -0 before 0, NaN
 * last), by an LSD radix sort on order-preserving keys (the bits with the sign bit flipped, or all
 * bits flipped for a negative number): 8 passes of one byte, each skipped where every key has the
 * same byte there (integer-valued data leaves most of the low bytes alike). Measured 1.5 to 2 times
 * faster than the built-in sort on 10^4 to 3 x 10^5 random or CICIDS values (Node 20).
 */

/** Below this many values the built-in sort is as fast. */
const RADIX_MIN = 256;

/**
 * Sort `values` in place (returned), in Float64Array.prototype.sort's order; `scratch`, memory of
 * at least as many values that the sort may overwrite (else it takes its own).
 */
export function sortFloat64(values: Float64Array, scratch?: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN) return values.sort();
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  // to keys, and every byte's histogram at once (8 x 256 counts)
  const counts = new Uint32Array(8 * 256);
  for (let i = 0; i < 2 * n; i += 2) {
    let lo = words[i]!;
    let hi = words[i + 1]!;
    if (hi >>> 31) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    words[i] = lo;
    words[i + 1] = hi;
    counts[lo & 0xff]!++;
    counts[256 + ((lo >>> 8) & 0xff)]!++;
    counts[512 + ((lo >>> 16) & 0xff)]!++;
    counts[768 + (lo >>> 24)]!++;
    counts[1024 + (hi & 0xff)]!++;
    counts[1280 + ((hi >>> 8) & 0xff)]!++;
    counts[1536 + ((hi >>> 16) & 0xff)]!++;
    counts[1792 + (hi >>> 24)]!++;
  }
  let from: Uint32Array = words;
  let to: Uint32Array = scratch && scratch.length >= n && scratch.buffer !== values.buffer ? new Uint32Array(scratch.buffer, scratch.byteOffset, 2 * n) : new Uint32Array(2 * n);
  for (let pass = 0; pass < 8; pass++) {
    const offset = pass * 256;
    // a byte that every key has alike: nothing to do in this pass
    let alike = false;
    let start = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[offset + d]!;
      if (c === n) {
        alike = true;
        break;
      }
      counts[offset + d] = start;
      start += c;
    }
    if (alike) continue;
    const word = pass >>> 2;
    const shift = (pass & 3) * 8;
    for (let i = 0; i < 2 * n; i += 2) {
      const d = (from[i + word]! >>> shift) & 0xff;
      const j = 2 * counts[offset + d]!++;
      to[j] = from[i]!;
      to[j + 1] = from[i + 1]!;
    }
    const swap = from;
    from = to;
    to = swap;
  }
  // back to doubles, into `values`
  for (let i = 0; i < 2 * n; i += 2) {
    const lo = from[i]!;
    const hi = from[i + 1]!;
    if (hi >>> 31) {
      words[i] = lo;
      words[i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      words[i] = ~lo >>> 0;
      words[i + 1] = ~hi >>> 0;
    }
  }
  return values;
}
