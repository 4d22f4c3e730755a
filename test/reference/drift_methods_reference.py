#!/usr/bin/env python3
"""Independent numpy/scipy reference for DriftCatcher's drift methods (engine/drift/methods/).

Reads JSON on stdin: {"cases": [{"reference": [...], "current": [...], "reference_size": n,
"current_size": n, "epsilon": e}, ...]} (counts per bin and what each side's counts are shares
of). For each case: the shares counts / size (0 for a size of 0), each zero share replaced by
epsilon, then
  psi           = sum((a - e) * ln(a / e))                              (numpy)
  jensenshannon = scipy.spatial.distance.jensenshannon(e, a)           (natural log; scipy
                  normalises its inputs)
  hellinger     = scipy.spatial.distance.euclidean(sqrt(p), sqrt(q)) / sqrt(2), p and q the
                  smoothed shares normalised to sum 1
  chisquare     = scipy.stats.chisquare(current counts, current total x baseline shares).pvalue
                  over the bins not empty on both sides (a bin the baseline never saw: share
                  epsilon; shares renormalised); 1 when one bin is used, null without counts
Prints {"results": [{"psi": x, "jensenshannon": x, "hellinger": x}, ...]}.
"""
import json
import math
import sys

import numpy as np
from scipy import stats
from scipy.spatial import distance


def chisquare(reference, current, eps):
    r = np.asarray(reference, dtype=np.float64)
    c = np.asarray(current, dtype=np.float64)
    used = (r > 0) | (c > 0)
    r, c = r[used], c[used]
    if r.sum() == 0 or c.sum() == 0:
        return None
    if len(r) < 2:
        return 1.0
    shares = np.where(r > 0, r / r.sum(), eps)
    shares = shares / shares.sum()
    return float(stats.chisquare(c, c.sum() * shares).pvalue)


def shares(counts, size, eps):
    counts = np.asarray(counts, dtype=np.float64)
    s = counts / size if size > 0 else np.zeros_like(counts)
    return np.where(s == 0, eps, s)


def main():
    spec = json.load(sys.stdin)
    out = []
    for case in spec["cases"]:
        eps = case["epsilon"]
        e = shares(case["reference"], case["reference_size"], eps)
        a = shares(case["current"], case["current_size"], eps)
        p = e / e.sum()
        q = a / a.sum()
        out.append({
            "psi": float(np.sum((a - e) * np.log(a / e))),
            "jensenshannon": float(distance.jensenshannon(e, a)),
            "hellinger": float(distance.euclidean(np.sqrt(p), np.sqrt(q)) / math.sqrt(2)),
            "chisquare": chisquare(case["reference"], case["current"], eps),
        })
    json.dump({"results": out}, sys.stdout)


if __name__ == "__main__":
    main()
