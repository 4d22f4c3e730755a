"""Independent references for the model search and its artifacts (test/reference/search.test.ts).

Reads one JSON request on stdin, writes one JSON answer on stdout:
  {"kfold": [{"labels": [0, 1, ...], "k": K}, ...]}
      -> per case, scikit-learn StratifiedKFold(K, shuffle=True, random_state=0): the class counts
         of each test fold, in fold order
  {"log_loss": [{"y": [...], "p": [...]}, ...]}   -> sklearn.metrics.log_loss(y, p, labels=[0, 1])
  {"mdi": {"model": "model.json", "data": "train.csv", "rows": [...], "seed": S}}
      -> the mean decrease in impurity restated from the exported trees (feature, left, right,
         value in model.json), and scikit-learn's RandomForestClassifier feature_importances_ on
         the same training rows (for a loose comparison of the ranking)
"""
import base64
import json
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold


def kfold_counts(labels, k):
    y = np.asarray(labels)
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
    out = []
    for _, test in skf.split(np.zeros(len(y)), y):
        out.append([int(np.sum(y[test] == 0)), int(np.sum(y[test] == 1))])
    return out


def decode(text, dtype):
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


def gini_weighted(value, node):
    n0, n1 = value[2 * node], value[2 * node + 1]
    w = n0 + n1
    if w <= 0:
        return 0.0
    return w * (1.0 - (n0 / w) ** 2 - (n1 / w) ** 2)


def mdi_from_trees(model):
    n_features = model["forest"]["n_features"]
    per_tree = []
    for tree in model["forest"]["trees"]:
        feature = decode(tree["feature"], "<i4")
        left = decode(tree["left"], "<i4")
        right = decode(tree["right"], "<i4")
        value = decode(tree["value"], "<f8")
        if len(feature) <= 1:
            continue
        imp = np.zeros(n_features)
        for node in range(len(feature)):
            f = feature[node]
            if f < 0:
                continue
            imp[f] += gini_weighted(value, node) - gini_weighted(value, left[node]) - gini_weighted(value, right[node])
        # scikit-learn: divide by the root's weight, then normalise to sum 1 (the division cancels)
        imp /= value[0] + value[1]
        if imp.sum() > 0:
            imp /= imp.sum()
        per_tree.append(imp)
    mean = np.mean(per_tree, axis=0)
    return (mean / mean.sum()).tolist() if mean.sum() > 0 else mean.tolist()


def main():
    request = json.load(sys.stdin)
    answer = {}
    if "kfold" in request:
        answer["kfold"] = [kfold_counts(c["labels"], c["k"]) for c in request["kfold"]]
    if "log_loss" in request:
        answer["log_loss"] = [float(log_loss(c["y"], c["p"], labels=[0, 1])) for c in request["log_loss"]]
    if "mdi" in request:
        r = request["mdi"]
        with open(r["model"], encoding="utf-8") as f:
            model = json.load(f)
        answer["mdi"] = mdi_from_trees(model)
        frame = pd.read_csv(r["data"], encoding="latin-1")
        frame.columns = frame.columns.str.strip()
        frame = frame.iloc[r["rows"]]
        x = frame[model["features"]].to_numpy(dtype=np.float64)
        y = (frame[model["label"]].astype(str).str.strip() != model["negative"]).astype(int).to_numpy()
        rf = RandomForestClassifier(n_estimators=100, random_state=r["seed"], n_jobs=1).fit(x, y)
        answer["sklearn_importance"] = rf.feature_importances_.tolist()
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
