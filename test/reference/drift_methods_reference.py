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
Prints {"results": [{"psi": x, "jensenshannon": x, "hellinger": x}, ...]}.
"""
import json
import math
import sys

import numpy as np
from scipy.spatial import distance


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
        })
    json.dump({"results": out}, sys.stdout)


if __name__ == "__main__":
    main()
