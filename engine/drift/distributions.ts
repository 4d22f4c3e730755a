/**
 * The distributions the p-value methods need, written here (no statistics package): the
 * regularized incomplete gamma function (chi-squared tail), the Kolmogorov limit distribution
 * (KS tail) and the multiple-testing corrections. Checked against scipy in
 * test/reference/distributions.test.ts.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS_G + 2; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-16;
const TINY = 1e-300;

/**
 * The regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a) (scipy.special.gammaincc), for
 * a > 0, x >= 0: the power series of P = 1 - Q below x = a + 1, the continued fraction of Q
 * (modified Lentz) above it, so that neither subtracts from 1 where the result is small.
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0) || Number.isNaN(x)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // P(a, x) = x^a e^-x / Γ(a + 1) * sum_n x^n / ((a + 1) ... (a + n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Q(a, x) = x^a e^-x / Γ(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - ...))
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(logPrefix) * h);
}

/** P(X >= x) for X chi-squared with `dof` degrees of freedom (scipy.stats.chi2.sf). */
export function chiSquareSf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammaQ(dof / 2, x / 2);
}

/**
 * The Kolmogorov distribution's survival function Q(λ) = P(sqrt(n) D_n > λ) as n -> inf
 * (scipy.special.kolmogorov, scipy.stats.kstwobign.sf): 2 sum_k (-1)^(k-1) exp(-2 k^2 λ^2) for
 * λ >= 1, and 1 - sqrt(2 π) / λ sum_k exp(-(2k - 1)^2 π^2 / (8 λ^2)) below, where each series
 * converges in a few terms.
 */
export function kolmogorovSf(lambda: number): number {
  if (Number.isNaN(lambda)) return NaN;
  if (lambda <= 0) return 1;
  if (lambda < 1) {
    const w = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let cdf = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      cdf += term;
      if (term < 1e-17 * cdf) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * cdf));
  }
  let sf = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sf += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sf));
}

/**
 * The asymptotic two-sample KS p-value of a statistic `d` for sizes n and m: Q(λ) with Stephens'
 * small-sample correction λ = (sqrt(en) + 0.12 + 0.11 / sqrt(en)) d, en = n m / (n + m), as
 * scipy's ks_2samp computed its `asymp` p-value before scipy 1.5 (scipy's current `asymp` uses the
 * exact one-sample distribution at round(en); the difference is measured in
 * test/reference/stats.test.ts and stated in docs/STATISTICS.md).
 */
export function ksTwoSampleP(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) return NaN;
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovSf((en + 0.12 + 0.11 / en) * d);
}

/** Up to this size of the larger sample the two-sample KS p-value is exact (scipy's ks_2samp `auto` rule). */
export const KS_EXACT_MAX_N = 10_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The exact two-sided two-sample KS p-value P(D_{n,m} >= d) under the null, for whole sizes n, m
 * (the sizes of the finite values): what scipy.stats.ks_2samp(method='exact') computes, restated.
 * D takes values h / lcm(n, m) only, so d is first rounded to the nearest such value
 * (h = round(d lcm)); h = 0 gives 1. The permutations of the pooled sample are the monotone
 * lattice paths from (0, 0) to (n, m), all equally likely; D >= h / lcm exactly when the path
 * touches a point (i, j) with |i m' - j n'| >= h (n' = n / g, m' = m / g, g = gcd). Walking the
 * columns i = 0..n, `outside[j]` is the share of the paths into (i, j) that have touched the
 * boundary: 1 on the boundary and beyond, else (i outside(i-1, j) + j outside(i, j-1)) / (i + j),
 * the paths coming from the left and from below in their proportions (Hodges' inside method as
 * a recursion on 1 - p, which stays in [0, 1] and never overflows; Viehmann 2021). Only the band
 * |i m' - j n'| < h is computed, so the cost is about n x (2 h / n' + 1). Equal sizes use the
 * closed alternating sum of binomial ratios, in Horner form (as scipy does for n = m). Returns
 * null when a size is not a positive whole number.
 */
export function ksTwoSampleExactP(d: number, n: number, m: number): number | null {
  if (!(Number.isInteger(n) && Number.isInteger(m) && n > 0 && m > 0) || Number.isNaN(d)) return null;
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const h = Math.round(d * lcm);
  if (h <= 0) return 1;
  if (h > lcm) return 0;
  if (n === m) return ksEqualSizesP(n, h);
  // the larger size walks the columns, the smaller the rows of a column
  const [cols, rows] = n >= m ? [n, m] : [m, n];
  const colStep = rows / g; // j on the diagonal moves by rows/g per column, scaled by cols/g
  const rowStep = cols / g;
  const outside = new Float64Array(rows + 1).fill(1);
  // 1 / (i + j), once: the inner loop then multiplies instead of dividing
  const inverse = new Float64Array(cols + rows + 1);
  for (let k = 1; k <= cols + rows; k++) inverse[k] = 1 / k;
  // column 0: (0, j) is inside while j * rowStep < h
  const firstTop = Math.min(Math.ceil(h / rowStep), rows + 1);
  for (let j = 0; j < firstTop; j++) outside[j] = 0;
  for (let i = 1; i <= cols; i++) {
    // inside: |i colStep - j rowStep| < h, i.e. (i colStep - h) / rowStep < j < (i colStep + h) / rowStep
    const low = Math.min(Math.max(Math.floor((i * colStep - h) / rowStep) + 1, 0), rows);
    const top = Math.min(Math.ceil((i * colStep + h) / rowStep), rows + 1);
    if (top <= low) return 1;
    // below `low` the points are on or past the boundary (share 1); the rows at `top` and above were never inside yet (1)
    let fromBelow = low === 0 ? 0 : 1;
    for (let j = low; j < top; j++) {
      fromBelow = (i * outside[j]! + j * fromBelow) * inverse[i + j]!;
      outside[j] = fromBelow;
    }
  }
  return Math.min(1, Math.max(0, outside[rows]!));
}

/**
 * P(D_{n,n} >= h / n) = 2 (A_1 - A_1 A_2 + A_1 A_2 A_3 - ...), A_k the ratio of binomial(2n, n - k h)
 * to binomial(2n, n - (k - 1) h), each a product of h simple factors; summed from the innermost
 * term out (Horner), which avoids the alternating sum's cancellation.
 */
function ksEqualSizesP(n: number, h: number): number {
  let tail = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    tail = ratio * (1 - tail);
  }
  return Math.min(1, Math.max(0, 2 * tail));
}

/**
 * The two-sample KS p-value as scipy.stats.ks_2samp(method='auto') chooses it: exact
 * (ksTwoSampleExactP) when the larger sample has at most KS_EXACT_MAX_N values, else the
 * asymptotic ksTwoSampleP.
 */
export function ksTwoSamplePValue(d: number, n: number, m: number): { p: number; exact: boolean } {
  if (Math.max(n, m) <= KS_EXACT_MAX_N) {
    const p = ksTwoSampleExactP(d, n, m);
    if (p !== null) return { p, exact: true };
  }
  return { p: ksTwoSampleP(d, n, m), exact: false };
}

export type Correction = 'none' | 'bonferroni' | 'bh';
export const CORRECTIONS: readonly Correction[] = ['none', 'bonferroni', 'bh'];

/**
 * Multiple-testing adjusted p-values, in the order given: `bonferroni` min(1, m p);
 * `bh` Benjamini-Hochberg (statsmodels' `fdr_bh`: p_(i) m / i made monotone from the largest
 * down, capped at 1); `none` the p-values themselves. NaN p-values are left out of m and stay NaN.
 */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  if (correction === 'none') return [...pValues];
  const valid = pValues.map((p, i) => ({ p, i })).filter((x) => !Number.isNaN(x.p));
  const m = valid.length;
  const out = pValues.map(() => NaN);
  if (correction === 'bonferroni') {
    for (const { p, i } of valid) out[i] = Math.min(1, p * m);
    return out;
  }
  valid.sort((x, y) => x.p - y.p || x.i - y.i);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = valid[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    out[i] = Math.min(1, running);
  }
  return out;
}
