#!/usr/bin/env python3
"""Independent scipy reference for DriftCatcher's statistical tests on raw rows
(test/reference/stats.test.ts).

Reads JSON on stdin: {"splits": [{"reference": path, "current": path}, ...], "resolution": R}.
Each file is a CSV read with Python's csv module (header names trimmed, a repeated name gets
.1, .2 as pandas does; cells float()-parsed, empty / Infinity / NaN are non-finite; the label
column `Label` left out). For every feature of each split, on the finite values:
  ks          scipy.stats.ks_2samp(ref, cur, method='asymp'): statistic, pvalue; and the
              p-value of method='auto' (exact when neither side has more than 10,000 values)
  wasserstein scipy.stats.wasserstein_distance(ref, cur), and the reference std (np.std, ddof 0)
  chisquare   the reference deciles np.quantile(ref, i / 10) for i = 1..9, repeats merged
              (np.unique); both sides binned with np.searchsorted(edges, v, 'right') into the
              open bins, plus a bin of non-finite values; then scipy.stats.chisquare(cur_counts,
              cur_total x ref_shares) over the bins not empty on both sides (a bin the reference
              never saw: share 1e-4, shares renormalised)
  fine_edges  np.unique(np.quantile(ref, np.arange(R + 1) / R)) (only for the first split)
Prints {"splits": [{"features": {name: {...}}}, ...]}; NaN as null.
"""
import csv
import json
import math
import sys

import numpy as np
from scipy import stats

EPS = 1e-4


def read(path):
    with open(path, newline="", encoding="latin-1") as handle:
        rows = list(csv.reader(handle))
    names, seen = [], {}
    for raw in rows[0]:
        name = raw.strip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    columns = {}
    for j, name in enumerate(names):
        if name == "Label":
            continue
        values = []
        for row in rows[1:]:
            cell = row[j].strip()
            try:
                values.append(float(cell) if cell else math.nan)
            except ValueError:
                values.append(math.nan)
        columns[name] = np.asarray(values, dtype=np.float64)
    return columns


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def chisquare(ref_all, cur_all):
    ref = ref_all[np.isfinite(ref_all)]
    cur = cur_all[np.isfinite(cur_all)]
    edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    def counts(values, everything):
        c = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1).astype(np.float64)
        return np.append(c, np.sum(~np.isfinite(everything)))
    r, c = counts(ref, ref_all), counts(cur, cur_all)
    used = (r > 0) | (c > 0)
    r, c = r[used], c[used]
    if r.sum() == 0 or c.sum() == 0:
        return None, None
    if len(r) < 2:
        return 0.0, 1.0
    shares = np.where(r > 0, r / r.sum(), EPS)
    shares = shares / shares.sum()
    result = stats.chisquare(c, c.sum() * shares)
    return float(result.statistic), float(result.pvalue)


def main():
    spec = json.load(sys.stdin)
    resolution = spec["resolution"]
    out = []
    for s, split in enumerate(spec["splits"]):
        reference, current = read(split["reference"]), read(split["current"])
        features = {}
        for name, ref_all in reference.items():
            cur_all = current[name]
            ref = ref_all[np.isfinite(ref_all)]
            cur = cur_all[np.isfinite(cur_all)]
            if len(ref) == 0 or len(cur) == 0:
                continue
            ks = stats.ks_2samp(ref, cur, method="asymp")
            ks_auto = stats.ks_2samp(ref, cur, method="auto")
            x2, p = chisquare(ref_all, cur_all)
            entry = {
                "n_ref": len(ref),
                "n_cur": len(cur),
                "ks_statistic": float(ks.statistic),
                "ks_pvalue": float(ks.pvalue),
                "ks_pvalue_auto": float(ks_auto.pvalue),
                "wasserstein": float(stats.wasserstein_distance(ref, cur)),
                "ref_std": float(np.std(ref)),
                "chisquare_statistic": x2,
                "chisquare_pvalue": p,
            }
            if s == 0:
                entry["fine_edges"] = np.unique(np.quantile(ref, np.arange(resolution + 1) / resolution)).tolist()
            features[name] = {k: (num(v) if isinstance(v, float) else v) for k, v in entry.items()}
        out.append({"features": features})
    json.dump({"splits": out}, sys.stdout)


if __name__ == "__main__":
    main()
