"""scikit-learn reference for the model tests (the oracle for engine/model).

  sklearn_reference.py metrics CASES.json
      CASES.json: [{"y_true": [...], "y_pred": [...], "y_prob": [...]}, ...]; prints, per case,
      roc_auc_score, accuracy_score, precision/recall/f1_score (pos_label=1, default
      zero_division) and confusion_matrix(labels=[0, 1]) counts. NaN is printed as the string "NaN".
  sklearn_reference.py forest DIR N_ESTIMATORS SEED
      DIR: meta.json ({"train_rows", "test_rows", "features"}), X_train.f64 / X_test.f64
      (little-endian float64, feature-major), y_train.u8 / y_test.u8. Trains
      RandomForestClassifier(n_estimators, max_features="sqrt") and prints test accuracy and ROC AUC.
  sklearn_reference.py hgb DIR SEED
      The same DIR: HistGradientBoostingClassifier with its defaults (learning_rate 0.1, max_iter 100,
      max_leaf_nodes 31, min_samples_leaf 20, l2 0, early stopping auto); prints test accuracy, ROC AUC
      and the iterations fitted.
  sklearn_reference.py lightgbm DIR SEED
      The same DIR: LightGBM's LGBMClassifier with the same settings (100 trees, learning rate 0.1,
      31 leaves, min_child_samples 20, min_child_weight 1e-3, reg_lambda 0, 255 bins, no early stopping).
  sklearn_reference.py tree DIR MAX_DEPTH SEED
      The same DIR: DecisionTreeClassifier(max_depth) (gini, all features).
"""
import json
import math
import os
import sys
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score

warnings.simplefilter("ignore")


def number(x):
    x = float(x)
    return "NaN" if math.isnan(x) else x


def metrics(path):
    with open(path) as f:
        cases = json.load(f)
    out = []
    for case in cases:
        y_true = np.asarray(case["y_true"], dtype=np.int64)
        y_pred = np.asarray(case["y_pred"], dtype=np.int64)
        y_prob = np.asarray(case["y_prob"], dtype=np.float64)
        tn, fp, fn, tp = confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
        out.append({
            "roc_auc": number(roc_auc_score(y_true, y_prob)),
            "accuracy": number(accuracy_score(y_true, y_pred)),
            "precision": number(precision_score(y_true, y_pred)),
            "recall": number(recall_score(y_true, y_pred)),
            "f1_score": number(f1_score(y_true, y_pred)),
            "true_positives": int(tp),
            "true_negatives": int(tn),
            "false_positives": int(fp),
            "false_negatives": int(fn),
        })
    print(json.dumps(out))


def load(directory, part, rows, features):
    x = np.fromfile(os.path.join(directory, f"X_{part}.f64"), dtype="<f8").reshape(features, rows).T
    y = np.fromfile(os.path.join(directory, f"y_{part}.u8"), dtype=np.uint8).astype(np.int64)
    return np.ascontiguousarray(x), y


def forest(directory, n_estimators, seed):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    x_train, y_train = load(directory, "train", meta["train_rows"], meta["features"])
    x_test, y_test = load(directory, "test", meta["test_rows"], meta["features"])
    model = RandomForestClassifier(n_estimators=n_estimators, max_features="sqrt", random_state=seed, n_jobs=1)
    model.fit(x_train, y_train)
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    print(json.dumps({"accuracy": float(accuracy_score(y_test, pred)), "roc_auc": float(roc_auc_score(y_test, proba))}))


def scores(model, directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    x_train, y_train = load(directory, "train", meta["train_rows"], meta["features"])
    x_test, y_test = load(directory, "test", meta["test_rows"], meta["features"])
    model.fit(x_train, y_train)
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    return {"accuracy": float(accuracy_score(y_test, pred)), "roc_auc": float(roc_auc_score(y_test, proba))}


def hgb(directory, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(random_state=seed)
    out = scores(model, directory)
    out["iterations"] = int(model.n_iter_)
    print(json.dumps(out))


def lightgbm(directory, seed):
    from lightgbm import LGBMClassifier

    model = LGBMClassifier(n_estimators=100, learning_rate=0.1, num_leaves=31, min_child_samples=20, min_child_weight=1e-3,
                           reg_lambda=0.0, max_bin=255, random_state=seed, n_jobs=1, verbose=-1)
    print(json.dumps(scores(model, directory)))


def tree(directory, max_depth, seed):
    from sklearn.tree import DecisionTreeClassifier

    print(json.dumps(scores(DecisionTreeClassifier(max_depth=max_depth, random_state=seed), directory)))


if __name__ == "__main__":
    if sys.argv[1] == "metrics":
        metrics(sys.argv[2])
    elif sys.argv[1] == "forest":
        forest(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "hgb":
        hgb(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "lightgbm":
        lightgbm(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "tree":
        tree(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
