import { describe, expect, it } from 'vitest';
import { roundSignificant, writeNumber, MAX_NUMBER_BYTES } from '../../../engine/synth/format.js';
import { Rng } from '../../../engine/util/rng.js';

const scratch = new Uint8Array(64);
function text(value: number): string {
  const end = writeNumber(scratch, 0, value);
  if (end > MAX_NUMBER_BYTES) throw new Error(`${value}: ${end} bytes`);
  return Buffer.from(scratch.subarray(0, end)).toString('latin1');
}

describe('writeNumber', () => {
  it('writes integers without a fraction and the non-finite literals', () => {
    expect(text(0)).toBe('0');
    expect(text(-0)).toBe('0');
    expect(text(6)).toBe('6');
    expect(text(-1)).toBe('-1');
    expect(text(65535)).toBe('65535');
    expect(text(119999999)).toBe('119999999');
    expect(text(2147483648)).toBe('2147483648');
    expect(text(12345678901234)).toBe('12345678901234');
    expect(text(Infinity)).toBe('Infinity');
    expect(text(-Infinity)).toBe('-Infinity');
    expect(text(NaN)).toBe('NaN');
  });

  it('writes other numbers with up to 10 significant digits and no trailing zeros', () => {
    expect(text(0.5)).toBe('0.5');
    expect(text(2.555124958)).toBe('2.555124958');
    expect(text(1 / 3)).toBe('0.3333333333');
    expect(text(2 / 3)).toBe('0.6666666667');
    expect(text(123456.789)).toBe('123456.789');
    expect(text(3130962.333333333)).toBe('3130962.333');
    expect(text(-4.25)).toBe('-4.25');
    expect(text(1e-7)).toBe('0.0000001');
    expect(text(1.2345678912345e-7)).toBe('0.0000001234567891');
    expect(text(9.99999999999)).toBe('10');
    expect(text(0.99999999999)).toBe('1');
    expect(text(12345678901.5)).toBe('12345678900');
    expect(text(5e-13)).toBe('5e-13');
  });

  it('reads back as roundSignificant of the value, for values of every magnitude', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200_000; i++) {
      const magnitude = Math.exp(rng.between(-25, 30));
      const value = (rng.chance(0.2) ? -1 : 1) * (rng.chance(0.2) ? Math.round(magnitude) : magnitude);
      const rounded = roundSignificant(value);
      const written = text(value);
      if (Number(written) !== rounded || text(rounded) !== written) {
        throw new Error(`${value}: wrote ${written}, rounded ${rounded}, rounded writes ${text(rounded)}`);
      }
      const significant = written.replace(/^-/, '').replace(/^0\.0*/, '').replace('.', '').replace(/0+$/, '');
      if (significant.length > (Number.isInteger(value) ? 17 : 10)) throw new Error(`${value}: wrote ${written}`);
    }
  });
});

describe('roundSignificant', () => {
  it('keeps integers and non-finite values and rounds the rest to 10 significant digits', () => {
    expect(roundSignificant(123456789012)).toBe(123456789012);
    expect(roundSignificant(-7)).toBe(-7);
    expect(roundSignificant(Infinity)).toBe(Infinity);
    expect(roundSignificant(NaN)).toBeNaN();
    expect(roundSignificant(1 / 3)).toBe(0.3333333333);
    expect(roundSignificant(-2 / 3)).toBe(-0.6666666667);
    expect(roundSignificant(1234.56789012345)).toBe(1234.56789);
    expect(roundSignificant(roundSignificant(Math.PI))).toBe(roundSignificant(Math.PI));
  });
});

describe('Rng', () => {
  it('is deterministic per seed and stream, and different across them', () => {
    const draw = (seed: number, stream = 0): number[] => {
      const rng = new Rng(seed, stream);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 1)).not.toEqual(draw(42, 0));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws uniform values in (0, 1), inclusive integer ranges and standard normals', () => {
    const rng = new Rng(1);
    const n = 100_000;
    let sum = 0;
    let sumNormal = 0;
    let sumSquares = 0;
    const faces = new Set<number>();
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u > 0 && u < 1)) throw new Error(`uniform gave ${u}`);
      sum += u;
      const z = rng.normal();
      sumNormal += z;
      sumSquares += z * z;
      faces.add(rng.int(1, 6));
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumNormal / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
    expect([...faces].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
