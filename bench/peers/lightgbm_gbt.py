"""Peer for `npm run bench -- train`: LightGBM's LGBMClassifier on the same split.

Usage: lightgbm_gbt.py DIR SEED THREADS [ITERATIONS]
DIR as for sklearn_rf.py. ITERATIONS boosting rounds (n_estimators; default 100), otherwise
LightGBM's defaults (31 leaves, learning rate 0.1, min_child_samples 20, 255 bins:
HistGradientBoosting's too, without its early stopping), on THREADS threads. Prints one JSON
object: load seconds (reading the split), fit seconds (wall and CPU, all threads), accuracy,
ROC AUC, iterations and this process's peak RSS.
"""
import sys

import lightgbm

from sklearn_hgb import fit_and_report


def main():
    directory, seed, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    model = lightgbm.LGBMClassifier(n_estimators=iterations, random_state=seed, n_jobs=threads, verbose=-1)
    fit_and_report(model, directory, iterations=lambda m: int(m.n_estimators_), lightgbm=lambda m: lightgbm.__version__)


if __name__ == "__main__":
    main()
