#!/usr/bin/env python3
"""Independent numpy/scipy reference for DriftCatcher's categorical columns
(test/reference/categorical.test.ts).

Reads JSON on stdin: {"splits": [{"reference": path, "current": path}, ...],
"named": [column, ...], "max_categories": K}. Files are read as stats_reference.read reads them
(Python's csv module, trimmed and de-duplicated names, float() cells, the label left out).
For each split and each feature of the reference, on the raw values:
  categorical  the column is named, or its finite values have from 1 to 64 distinct values and
               at least 5 finite values per distinct value (docs/PROFILE.md's rule)
  categories   np.unique(finite, return_counts=True); the K most frequent (ties: smaller value
               first), in ascending order
  counts       per category the values equal to it, then "other" (finite, not a category), then
               the non-finite values; for the reference and the current file
  chisquare    scipy.stats.chisquare(cur_counts, cur_total x ref_shares) over the bins not empty on
               both sides (a bin the reference never saw: share 1e-4, shares renormalised);
               one bin used: statistic 0, p-value 1
  psi          sum((a - e) ln(a / e)), e and a = counts / total with zero shares replaced by 1e-4
  new_category_share  current "other" / current total
Prints {"splits": [{"features": {name: {...}}}, ...]} for the categorical features only.
"""
import json
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_reference import read  # noqa: E402

EPS = 1e-4
MAX_DISTINCT = 64
MIN_COUNT_PER_VALUE = 5


def categories(ref, k):
    values, counts = np.unique(ref, return_counts=True)
    order = np.lexsort((values, -counts))[:k]
    return np.sort(values[order])


def category_counts(all_values, cats):
    finite = all_values[np.isfinite(all_values)]
    per = np.array([np.sum(finite == v) for v in cats], dtype=np.float64)
    other = len(finite) - per.sum()
    return np.concatenate([per, [other, np.sum(~np.isfinite(all_values))]])


def chisquare(r, c):
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


def psi(r, c):
    e = r / r.sum()
    a = c / c.sum() if c.sum() > 0 else np.zeros_like(c)
    e = np.where(e == 0, EPS, e)
    a = np.where(a == 0, EPS, a)
    return float(np.sum((a - e) * np.log(a / e)))


def main():
    spec = json.load(sys.stdin)
    named = set(spec["named"])
    k = spec["max_categories"]
    out = []
    for split in spec["splits"]:
        reference, current = read(split["reference"]), read(split["current"])
        features = {}
        for name, ref_all in reference.items():
            ref = ref_all[np.isfinite(ref_all)]
            distinct = len(np.unique(ref))
            found = 1 <= distinct <= MAX_DISTINCT and len(ref) >= MIN_COUNT_PER_VALUE * distinct
            if name not in named and not found:
                continue
            cats = categories(ref, k)
            r = category_counts(ref_all, cats)
            c = category_counts(current[name], cats)
            x2, p = chisquare(r, c)
            features[name] = {
                "kind": "named" if name in named else "few_distinct",
                "values": cats.tolist(),
                "reference_counts": r.tolist(),
                "current_counts": c.tolist(),
                "distinct": distinct,
                "chisquare_statistic": x2,
                "chisquare_pvalue": p,
                "psi": psi(r, c),
                "new_category_share": float(c[len(cats)] / c.sum()) if c.sum() > 0 else 0.0,
            }
        out.append({"features": features})
    json.dump({"splits": out}, sys.stdout)


if __name__ == "__main__":
    main()
