#!/usr/bin/env python3
"""Independent numpy Monte Carlo for the small-sample rule of DriftCatcher's drift reports
(engine/drift/sample-size.ts): how large PSI is under no drift, for a batch of n rows.

Commands
  data <out_dir> <n_ref> <seed> <n> [<n> ...]
      Writes reference.csv (n_ref rows) and batch_<n>.csv (n rows each), every file drawn from
      the same three distributions (standard normal, lognormal, exponential) plus a Label column
      (all BENIGN): batches without drift.
  mc <n_ref> <seed> <trials> <bins> <eps> <n> [<n> ...]
      For each n: the mean PSI over `trials` draws of a fresh reference (n_ref rows, edges =
      np.quantile(ref, linspace(0, 1, bins + 1)) interior edges, outer bins open) and a fresh
      batch of n rows from the same distribution, both binned with np.searchsorted, proportions
      = counts / rows, zeros -> eps, PSI = sum((a - e) * ln(a / e)), averaged over the three
      distributions. Prints {"<n>": mean_psi, ...} as JSON.
  mc-method <method> <n_ref> <seed> <trials> <bins> <eps> <n> [<n> ...]
      The same for another score of the same smoothed shares: `hellinger`
      (sqrt(sum((sqrt p - sqrt q)^2) / 2), p and q normalised) or `jensenshannon`
      (scipy.spatial.distance.jensenshannon, natural log). Prints {"<n>": mean_score, ...}.
"""
import json
import os
import sys

import numpy as np

DISTRIBUTIONS = [
    lambda rng, size: rng.standard_normal(size),
    lambda rng, size: rng.lognormal(size=size),
    lambda rng, size: rng.exponential(size=size),
]


def write_csv(path, columns):
    rows = len(columns[0])
    with open(path, 'w') as out:
        out.write('a,b,c,Label\n')
        for i in range(rows):
            out.write(f'{columns[0][i]!r},{columns[1][i]!r},{columns[2][i]!r},BENIGN\n')


def data(out_dir, n_ref, seed, sizes):
    rng = np.random.default_rng(seed)
    write_csv(os.path.join(out_dir, 'reference.csv'), [d(rng, n_ref).tolist() for d in DISTRIBUTIONS])
    for n in sizes:
        write_csv(os.path.join(out_dir, f'batch_{n}.csv'), [d(rng, n).tolist() for d in DISTRIBUTIONS])


def psi(expected, actual, eps):
    e = np.where(expected == 0, eps, expected)
    a = np.where(actual == 0, eps, actual)
    return float(np.sum((a - e) * np.log(a / e)))


def smoothed(shares, eps):
    return np.where(shares == 0, eps, shares)


def hellinger(expected, actual, eps):
    p = smoothed(expected, eps)
    q = smoothed(actual, eps)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))


def jensenshannon(expected, actual, eps):
    from scipy.spatial import distance
    return float(distance.jensenshannon(smoothed(expected, eps), smoothed(actual, eps)))


SCORES = {'psi': psi, 'hellinger': hellinger, 'jensenshannon': jensenshannon}


def mc(n_ref, seed, trials, bins, eps, sizes, score=psi):
    rng = np.random.default_rng(seed)
    result = {}
    for n in sizes:
        total = 0.0
        for _ in range(trials):
            for draw in DISTRIBUTIONS:
                ref = draw(rng, n_ref)
                batch = draw(rng, n)
                interior = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1))[1:-1])
                k = len(interior) + 1
                expected = np.bincount(np.searchsorted(interior, ref, side='right'), minlength=k) / n_ref
                actual = np.bincount(np.searchsorted(interior, batch, side='right'), minlength=k) / n
                total += score(expected, actual, eps)
        result[str(n)] = total / (trials * len(DISTRIBUTIONS))
    return result


def main(argv):
    if argv[0] == 'data':
        data(argv[1], int(argv[2]), int(argv[3]), [int(x) for x in argv[4:]])
    elif argv[0] == 'mc':
        print(json.dumps(mc(int(argv[1]), int(argv[2]), int(argv[3]), int(argv[4]), float(argv[5]), [int(x) for x in argv[6:]])))
    elif argv[0] == 'mc-method':
        score = SCORES[argv[1]]
        print(json.dumps(mc(int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]), float(argv[6]), [int(x) for x in argv[7:]], score)))
    else:
        raise SystemExit(f'unknown command {argv[0]}')


if __name__ == '__main__':
    main(sys.argv[1:])
