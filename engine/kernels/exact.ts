/**
 * Exact sums of float64 values, in any order and merged across workers by addition: a fixed-point
 * number with 2^-1074 (the smallest double) as its unit, in NLIMBS limbs of 32 bits (limb i holds
 * bits [32 i, 32 i + 32), signed, with headroom). assembly/profile.ts keeps the same limbs as i64
 * in the shared memory; `ExactSum` is the plain-TypeScript accumulator (the in-memory baseline and
 * the JS kernel); `limbsToBigInt` and `roundRatio` turn a sum into correctly rounded doubles.
 */

/** Limbs of one accumulator (assembly/profile.ts NLIMBS): 2,176 bits, above the 2,098 a double spans. */
export const NLIMBS = 68;

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
/** adds between two normalisations of an ExactSum: each limb stays below 2^53 */
const NORMALISE_EVERY = 1 << 20;

/** An exact sum of doubles (non-finite values must not be added). */
export class ExactSum {
  readonly limbs = new Float64Array(NLIMBS);
  #adds = 0;

  add(v: number): void {
    scratch[0] = v;
    const lo = words[0]!;
    const high = words[1]!;
    const exponent = (high >>> 20) & 0x7ff;
    let sigHi = high & 0xfffff;
    let position = 0;
    if (exponent !== 0) {
      sigHi |= 0x100000;
      position = exponent - 1;
    }
    const limb = position >>> 5;
    const offset = position & 31;
    const piece0 = (lo << offset) >>> 0;
    const piece1 = offset === 0 ? sigHi : ((sigHi << offset) | (lo >>> (32 - offset))) >>> 0;
    const piece2 = offset === 0 ? 0 : sigHi >>> (32 - offset);
    const limbs = this.limbs;
    if (high >>> 31) {
      limbs[limb]! -= piece0;
      limbs[limb + 1]! -= piece1;
      limbs[limb + 2]! -= piece2;
    } else {
      limbs[limb]! += piece0;
      limbs[limb + 1]! += piece1;
      limbs[limb + 2]! += piece2;
    }
    if (++this.#adds === NORMALISE_EVERY) this.normalise();
  }

  /** Move carries up so that every limb but the top one is in [0, 2^32). */
  normalise(): void {
    const limbs = this.limbs;
    let carry = 0;
    for (let i = 0; i < NLIMBS; i++) {
      let x = limbs[i]! + carry;
      if (i < NLIMBS - 1) {
        carry = Math.floor(x / 4294967296);
        x -= carry * 4294967296;
      }
      limbs[i] = x;
    }
    this.#adds = 0;
  }

  /** The sum in units of 2^-1074. */
  toBigInt(): bigint {
    return limbsToBigInt(this.limbs);
  }
}

/** The sum held by limbs (numbers or i64), in units of 2^-1074. */
export function limbsToBigInt(limbs: ArrayLike<number | bigint>, offset = 0): bigint {
  let total = 0n;
  for (let i = NLIMBS - 1; i >= 0; i--) {
    const x = limbs[offset + i]!;
    total = (total << 32n) + (typeof x === 'bigint' ? x : BigInt(x));
  }
  return total;
}

const bits64 = new BigUint64Array(scratch.buffer);

/** A finite double in units of 2^-1074 (the exact sums' unit), from its bits. */
export function exactUnits(v: number): bigint {
  scratch[0] = v;
  const bits = bits64[0]!;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let significand = bits & 0xfffffffffffffn;
  if (exponent !== 0) significand = (significand | (1n << 52n)) << BigInt(exponent - 1);
  return bits >> 63n ? -significand : significand;
}

/** Add the limbs of a JS sum to i64 limbs (the JS kernel's accumulators in the shared memory). */
export function addLimbsTo(target: BigInt64Array, at: number, limbs: Float64Array): void {
  for (let i = 0; i < NLIMBS; i++) if (limbs[i] !== 0) target[at + i] = target[at + i]! + BigInt(limbs[i]!);
}

/** The unit of the sums: 2^1074. */
export const SUM_SCALE = 1n << 1074n;

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** num / den (den > 0) as the nearest double (ties to even); Infinity beyond the largest. */
export function roundRatio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError('roundRatio: the denominator must be positive');
  if (num === 0n) return 0;
  const negative = num < 0n;
  const n = negative ? -num : num;
  let e = bitLength(n) - bitLength(den) - 53;
  const quotient = (exp: number): [bigint, bigint, bigint] => {
    if (exp >= 0) {
      const d = den << BigInt(exp);
      return [n / d, n % d, d];
    }
    const scaled = n << BigInt(-exp);
    return [scaled / den, scaled % den, den];
  };
  let [q, r, d] = quotient(e);
  while (q >= 1n << 53n) [q, r, d] = quotient(++e);
  while (q < 1n << 52n && e > -1074) [q, r, d] = quotient(--e);
  if (e < -1074) [q, r, d] = quotient((e = -1074));
  const twice = 2n * r;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
  const magnitude = e > 1023 ? Infinity : Number(q) * 2 ** e;
  return negative ? -magnitude : magnitude;
}
