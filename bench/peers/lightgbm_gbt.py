"""Peer for `npm run bench -- train`: LightGBM's LGBMClassifier on the same split.

Usage: lightgbm_gbt.py DIR SEED THREADS
DIR as for sklearn_rf.py. LightGBM's defaults (100 iterations, 31 leaves, learning rate 0.1,
min_child_samples 20, 255 bins: HistGradientBoosting's too, without its early stopping), on
THREADS threads. Prints one JSON object: fit seconds (wall and CPU, all threads), accuracy,
ROC AUC, iterations and this process's peak RSS.
"""
import json
import resource
import sys
import time

import lightgbm
from sklearn.metrics import accuracy_score, roc_auc_score

from sklearn_rf import load


def main():
    directory, seed, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(f"{directory}/meta.json") as f:
        meta = json.load(f)
    x_train, y_train = load(directory, "train", meta["train_rows"], meta["features"])
    x_test, y_test = load(directory, "test", meta["test_rows"], meta["features"])
    model = lightgbm.LGBMClassifier(random_state=seed, n_jobs=threads, verbose=-1)
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - started
    fit_cpu_seconds = time.process_time() - cpu_started
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    print(json.dumps({
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
        "accuracy": float(accuracy_score(y_test, pred)),
        "roc_auc": float(roc_auc_score(y_test, proba)),
        "iterations": int(model.n_estimators_),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "lightgbm": lightgbm.__version__,
    }))


if __name__ == "__main__":
    main()
