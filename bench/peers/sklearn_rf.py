"""Peer for `npm run bench -- train`: scikit-learn's RandomForestClassifier on the same split.

Usage: sklearn_rf.py DIR N_ESTIMATORS N_JOBS SEED
DIR holds meta.json ({"train_rows", "test_rows", "features"}), X_train.f64 / X_test.f64
(little-endian float64, feature-major: all of feature 0, then feature 1, ...) and
y_train.u8 / y_test.u8. Prints one JSON object: load seconds (reading the split), fit and predict seconds (fit also in CPU seconds, all threads), accuracy, ROC AUC and
this process's peak RSS.
"""
import json
import os
import resource
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, roc_auc_score


def load(directory, part, rows, features):
    x = np.fromfile(os.path.join(directory, f"X_{part}.f64"), dtype="<f8").reshape(features, rows).T
    y = np.fromfile(os.path.join(directory, f"y_{part}.u8"), dtype=np.uint8).astype(np.int64)
    return np.ascontiguousarray(x, dtype=np.float32), y


def main():
    directory, n_estimators, n_jobs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    started = time.perf_counter()
    x_train, y_train = load(directory, "train", meta["train_rows"], meta["features"])
    x_test, y_test = load(directory, "test", meta["test_rows"], meta["features"])
    load_seconds = time.perf_counter() - started
    model = RandomForestClassifier(n_estimators=n_estimators, max_features="sqrt", n_jobs=n_jobs, random_state=seed)
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - started
    fit_cpu_seconds = time.process_time() - cpu_started
    started = time.perf_counter()
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    predict_seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "load_seconds": load_seconds,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
        "predict_seconds": predict_seconds,
        "accuracy": float(accuracy_score(y_test, pred)),
        "roc_auc": float(roc_auc_score(y_test, proba)),
        "peak_rss_bytes": peak_kb * 1024,
        "sklearn": __import__("sklearn").__version__,
    }))


if __name__ == "__main__":
    main()
