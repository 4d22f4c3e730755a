#!/usr/bin/env python3
"""Independent numpy/scipy reference for prediction drift (shares no code with the TypeScript).

Reads one JSON object on stdin:
  {"reference": [y_prob of the holdout], "currents": {"name": [y_prob], ...},
   "bins": 10, "resolution": 1000, "eps": 1e-4, "threshold": 0.5}
Writes one JSON object:
  quantiles    np.quantile(reference, np.arange(bins + 1) / bins)  (numpy's default `linear`)
  interior     np.unique(quantiles[1:-1])  (the decile edges, repeats merged)
  fine_edges   np.unique(np.quantile(reference, np.arange(resolution + 1) / resolution))
  positive_rate  mean(reference > threshold)
  currents[name]:
    expected_counts / actual_counts  per open bin (-inf, e1), [e1, e2), ..., [ek, +inf)
        (np.searchsorted(interior, v, side='right')), then a last bin of non-finite values
    psi          sum((a - e) * ln(a / e)), a and e the counts over all values, zeros -> eps
    positive_rate  mean(current > threshold)
    ks           scipy.stats.ks_2samp(reference, current).statistic
    wasserstein  scipy.stats.wasserstein_distance(reference, current)
"""
import json
import sys

import numpy as np
from scipy import stats


def open_bin_counts(values, interior):
    finite = values[np.isfinite(values)]
    counts = np.bincount(np.searchsorted(interior, finite, side="right"), minlength=len(interior) + 1)
    return np.append(counts, len(values) - len(finite)).astype(float)


def main():
    spec = json.load(sys.stdin)
    reference = np.asarray(spec["reference"], dtype=np.float64)
    bins, resolution, eps, threshold = spec["bins"], spec["resolution"], spec["eps"], spec["threshold"]
    quantiles = np.quantile(reference, np.arange(bins + 1) / bins)
    interior = np.unique(quantiles[1:-1])
    fine_edges = np.unique(np.quantile(reference, np.arange(resolution + 1) / resolution))
    expected_counts = open_bin_counts(reference, interior)
    e = expected_counts / len(reference)
    e[e == 0] = eps
    out = {
        "quantiles": quantiles.tolist(),
        "interior": interior.tolist(),
        "fine_edges": fine_edges.tolist(),
        "positive_rate": float(np.mean(reference > threshold)),
        "currents": {},
    }
    for name, values in spec["currents"].items():
        current = np.asarray(values, dtype=np.float64)
        actual_counts = open_bin_counts(current, interior)
        a = actual_counts / len(current)
        a[a == 0] = eps
        out["currents"][name] = {
            "expected_counts": expected_counts.tolist(),
            "actual_counts": actual_counts.tolist(),
            "psi": float(np.sum((a - e) * np.log(a / e))),
            "positive_rate": float(np.mean(current > threshold)),
            "ks": float(stats.ks_2samp(reference, current).statistic),
            "wasserstein": float(stats.wasserstein_distance(reference, current)),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
