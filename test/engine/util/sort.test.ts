import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../../engine/util/index.js';
import { rng } from '../../helpers.js';

// sortFloat64 against the built-in Float64Array sort, element by element with Object.is (so -0
// before 0 and NaN last are checked too).
function expectSameOrder(values: Float64Array): void {
  const want = values.slice().sort();
  const got = sortFloat64(values.slice());
  expect(got.length).toBe(want.length);
  const differ = Array.from(got).findIndex((v, i) => !Object.is(v, want[i]));
  expect(differ).toBe(-1);
}

describe('sortFloat64', () => {
  const random = rng(7);
  it('orders random doubles of both signs as the built-in sort', () => {
    expectSameOrder(Float64Array.from({ length: 20_000 }, () => (random() - 0.5) * 10 ** Math.floor(random() * 30 - 15)));
  });
  it('orders integer-valued data with repeats (passes skipped) and a constant column', () => {
    expectSameOrder(Float64Array.from({ length: 30_000 }, () => Math.floor(random() * 50)));
    expectSameOrder(new Float64Array(5_000).fill(3.25));
  });
  it('keeps -0 before 0, infinities and subnormals in place, NaN last, and small arrays', () => {
    const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
    expectSameOrder(Float64Array.from({ length: 4_000 }, (_, i) => special[i % special.length]!));
    expectSameOrder(Float64Array.from({ length: 4_000 }, (_, i) => (i % 13 === 0 ? NaN : random() - 0.5)));
    expectSameOrder(Float64Array.from({ length: 100 }, () => random() - 0.5));
  });
  it('sorts with scratch memory given (longer than needed, or a view), not with the array\'s own buffer', () => {
    const values = Float64Array.from({ length: 20_000 }, () => (random() - 0.5) * 1e6);
    const want = values.slice().sort();
    const scratch = new Float64Array(30_000).fill(7);
    expect(Array.from(sortFloat64(values.slice(), scratch))).toEqual(Array.from(want));
    expect(Array.from(sortFloat64(values.slice(), scratch.subarray(5_000, 25_000)))).toEqual(Array.from(want));
    // too short, or the same buffer as the values: the sort takes its own
    expect(Array.from(sortFloat64(values.slice(), new Float64Array(100)))).toEqual(Array.from(want));
    const shared = new Float64Array(40_000);
    shared.set(values);
    const view = shared.subarray(0, 20_000);
    expect(Array.from(sortFloat64(view, shared.subarray(20_000)))).toEqual(Array.from(want));
  });
  it('sorts a view in place, leaving the rest of its buffer alone', () => {
    const buffer = Float64Array.from({ length: 10_000 }, () => random());
    const before = buffer.slice();
    const view = buffer.subarray(1_000, 9_000);
    const want = view.slice().sort();
    expect(sortFloat64(view)).toBe(view);
    expect(Array.from(view)).toEqual(Array.from(want));
    expect(Array.from(buffer.subarray(0, 1_000))).toEqual(Array.from(before.subarray(0, 1_000)));
    expect(Array.from(buffer.subarray(9_000))).toEqual(Array.from(before.subarray(9_000)));
  });
});
