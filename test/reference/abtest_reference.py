"""
Independent reference for driftcatcher's A/B test statistics (engine/monitor/abtest-stats.ts).

usage:
  abtest_reference.py compare DIR [ROUNDS] [CONFIDENCE]
    DIR holds y_true.u8, a_pred.u8, a_prob.f64, b_pred.u8, b_prob.f64 (one value per row) and,
    when ROUNDS > 0, indices.u32 (ROUNDS x n row indices of the bootstrap resamples, round-major).
  abtest_reference.py binom JSON   JSON: [[k, n], ...] -> binom.cdf(k, n, 0.5) for each

compare prints one JSON object:
  {"metrics": {"a": {accuracy, f1, auc}, "b": {...}},            scikit-learn
   "mcnemar": {"statistic", "p_value", "b", "c"},                  statsmodels mcnemar(exact=True)
   "delong": {"auc_a", "auc_b", "difference", "variance", "z", "p_value"},
   "bootstrap": {metric: {"a": [low, high], "b": [...], "difference": [...], "valid": k, "p_value"}}}

DeLong's test is restated from DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under
two or more correlated receiver operating characteristic curves: a nonparametric approach",
Biometrics 44(3): the placement values (structural components) are computed from their
definition, psi(X, Y) = 1 if X > Y, 1/2 if X = Y, 0 otherwise, over every (positive, negative)
pair (no midrank shortcut), V10(X_i) = mean_j psi(X_i, Y_j), V01(Y_j) = mean_i psi(X_i, Y_j);
S10 and S01 are their sample covariance matrices across the two scores, and
var(AUC_b - AUC_a) = L S10 L' / m + L S01 L' / n with L = (-1, 1); z is referred to the normal.
The bootstrap intervals are numpy's percentile (default "linear" method) of scikit-learn's
metrics on the resampled rows.
"""
import json
import os
import sys

import numpy as np
from scipy.stats import binom, norm
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from statsmodels.stats.contingency_tables import mcnemar


def load(folder, name, dtype):
    return np.fromfile(os.path.join(folder, name), dtype=dtype)


def metrics(y, pred, prob):
    auc = roc_auc_score(y, prob) if 0 < y.sum() < len(y) else float("nan")
    return {"accuracy": float(accuracy_score(y, pred)), "f1": float(f1_score(y, pred, zero_division=0.0)), "auc": float(auc)}


def placements(positives, negatives):
    """V10 per positive and V01 per negative, from the pairwise psi matrix (chunked over the positives)."""
    v10 = np.empty(len(positives))
    v01 = np.zeros(len(negatives))
    step = max(1, 4_000_000 // max(1, len(negatives)))
    for start in range(0, len(positives), step):
        x = positives[start:start + step, None]
        psi = (x > negatives[None, :]).astype(np.float64) + 0.5 * (x == negatives[None, :])
        v10[start:start + step] = psi.mean(axis=1)
        v01 += psi.sum(axis=0)
    return v10, v01 / len(positives)


def delong(y, prob_a, prob_b):
    pos = y == 1
    m, n = int(pos.sum()), int((~pos).sum())
    v10_a, v01_a = placements(prob_a[pos], prob_a[~pos])
    v10_b, v01_b = placements(prob_b[pos], prob_b[~pos])
    auc_a, auc_b = v10_a.mean(), v10_b.mean()
    s10 = np.cov(np.vstack([v10_a, v10_b]))
    s01 = np.cov(np.vstack([v01_a, v01_b]))
    contrast = np.array([-1.0, 1.0])
    variance = float(contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n)
    difference = float(auc_b - auc_a)
    z = difference / np.sqrt(variance) if variance > 0 else float("nan")
    p = float(2 * norm.sf(abs(z))) if variance > 0 else (1.0 if difference == 0 else 0.0)
    return {"auc_a": float(auc_a), "auc_b": float(auc_b), "difference": difference, "variance": variance, "z": float(z), "p_value": p}


def compare(folder, rounds, confidence):
    y = load(folder, "y_true.u8", np.uint8).astype(np.int64)
    a_pred, b_pred = load(folder, "a_pred.u8", np.uint8), load(folder, "b_pred.u8", np.uint8)
    a_prob, b_prob = load(folder, "a_prob.f64", np.float64), load(folder, "b_prob.f64", np.float64)
    right_a, right_b = a_pred == y, b_pred == y
    table = [[int(np.sum(right_a & right_b)), int(np.sum(right_a & ~right_b))], [int(np.sum(~right_a & right_b)), int(np.sum(~right_a & ~right_b))]]
    test = mcnemar(table, exact=True)
    out = {
        "metrics": {"a": metrics(y, a_pred, a_prob), "b": metrics(y, b_pred, b_prob)},
        "mcnemar": {"statistic": float(test.statistic), "p_value": float(test.pvalue), "b": table[0][1], "c": table[1][0]},
        "delong": delong(y, a_prob, b_prob),
        "bootstrap": {},
    }
    if rounds > 0:
        indices = load(folder, "indices.u32", np.uint32).reshape(rounds, len(y))
        values = {k: {"a": [], "b": []} for k in ("accuracy", "f1", "auc")}
        for idx in indices:
            ya = metrics(y[idx], a_pred[idx], a_prob[idx])
            yb = metrics(y[idx], b_pred[idx], b_prob[idx])
            for k in values:
                values[k]["a"].append(ya[k])
                values[k]["b"].append(yb[k])
        q = [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2]
        for k, v in values.items():
            a, b = np.array(v["a"]), np.array(v["b"])
            keep = np.isfinite(a) & np.isfinite(b)
            a, b = a[keep], b[keep]
            d = b - a
            low_side, high_side = int(np.sum(d <= 0)), int(np.sum(d >= 0))
            out["bootstrap"][k] = {
                "a": np.percentile(a, q).tolist(),
                "b": np.percentile(b, q).tolist(),
                "difference": np.percentile(d, q).tolist(),
                "valid": int(keep.sum()),
                "p_value": min(1.0, 2 * (min(low_side, high_side) + 1) / (len(d) + 1)),
            }
    return out


def main():
    if sys.argv[1] == "compare":
        rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        confidence = float(sys.argv[4]) if len(sys.argv) > 4 else 0.95
        print(json.dumps(compare(sys.argv[2], rounds, confidence)))
    elif sys.argv[1] == "binom":
        print(json.dumps([float(binom.cdf(k, n, 0.5)) for k, n in json.loads(sys.argv[2])]))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()
