"""Peer for `npm run bench -- train`: scikit-learn's HistGradientBoostingClassifier (defaults) on the same split.

Usage: sklearn_hgb.py DIR SEED [MAX_ITER]
DIR as for sklearn_rf.py (meta.json, X_train.f64 / X_test.f64 feature-major float64, y_*.u8).
Without MAX_ITER: the defaults (100 iterations, early stopping auto); with it: max_iter=MAX_ITER
and early stopping off. Prints one JSON object: load seconds (reading the split), fit seconds
(wall and CPU, all threads), accuracy, ROC AUC, iterations and this process's peak RSS (the whole
loaded split included). Thread count: OMP_NUM_THREADS (the bench sets 2).
"""
import json
import resource
import sys
import time

from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

from sklearn_rf import load


def fit_and_report(model, directory, **extra):
    """Fit `model` on DIR's training split, score its test split, print the one JSON object (plus `extra(model)` values)."""
    with open(f"{directory}/meta.json") as f:
        meta = json.load(f)
    started = time.perf_counter()
    x_train, y_train = load(directory, "train", meta["train_rows"], meta["features"])
    x_test, y_test = load(directory, "test", meta["test_rows"], meta["features"])
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.fit(x_train, y_train)
    fit_seconds = time.perf_counter() - started
    fit_cpu_seconds = time.process_time() - cpu_started
    proba = model.predict_proba(x_test)[:, 1]
    pred = model.predict(x_test)
    print(json.dumps({
        "load_seconds": load_seconds,
        "fit_seconds": fit_seconds,
        "fit_cpu_seconds": fit_cpu_seconds,
        "accuracy": float(accuracy_score(y_test, pred)),
        "roc_auc": float(roc_auc_score(y_test, proba)),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        **{key: value(model) for key, value in extra.items()},
    }))


def main():
    directory, seed = sys.argv[1], int(sys.argv[2])
    fixed = {"max_iter": int(sys.argv[3]), "early_stopping": False} if len(sys.argv) > 3 else {}
    fit_and_report(HistGradientBoostingClassifier(random_state=seed, **fixed), directory, iterations=lambda m: int(m.n_iter_), sklearn=lambda m: __import__("sklearn").__version__)


if __name__ == "__main__":
    main()
