#!/usr/bin/env python3
"""The original DriftCatcher (github.com/itmesneha/DriftCatcher), restated: the oracle of
`--compat driftcatcher`. It shares no code or logic with the TypeScript engine, nor with
psi_reference.py (the default-mode reference).

Restated from the original's training/train.py (load_and_clean, get_feature_columns,
clean_numeric_features, compute_training_stats) and monitoring/drift_detector.py (DriftDetector:
compute_psi, compute_feature_psi, detect_drift, _determine_action), as published, with these
differences only:
  - the original splits its cleaned data with train_test_split before compute_training_stats;
    `driftcatcher baseline` takes the file it is given as the training data, so the stats are
    computed on the whole cleaned file;
  - the number of bins is a parameter (the original: 10, `np.linspace(0, 1, 11)`), for --bins;
  - pandas >= 3 reads text columns as the `str` dtype where the original's pandas had `object`;
    get_feature_columns leaves both out, as the original did;
  - detect_drift also records which features it skips and why (the original just `continue`s).
The training stats go through JSON and back, as the original's training_stats.json does.

Usage: driftcatcher_original.py SPEC.json  (or the spec on stdin)
  spec:   {"cases": [{"id": "...", "train": "train.csv", "batch": "batch.csv" | null, "bins": 10}]}
  output: {"cases": [{"id", "training_rows", "feature_cols",
                      "training_stats": {feature: {"quantiles": [...], "expected_dist": [...]}},
                      "drift": null | {"overall_psi", "feature_psi": {feature: psi},
                                       "drifted_features": [[feature, psi], ...], "action",
                                       "n_drifted_features", "total_features",
                                       "skipped_features": [{"name", "reason"}]}}]}
  reasons: "not_in_batch" (the batch has no such column), "no_finite_values" (none of its values
  is finite). Also {"quantiles": [{"id", "values": [...], "bins"}]} -> {"quantiles": [{"id",
  "edges"}]}: np.quantile(values, q=np.linspace(0, 1, bins + 1)) alone.
  NaN and infinities are written as the strings "NaN", "Infinity", "-Infinity" (plain JSON).
"""
import json
import sys

import numpy as np
import pandas as pd


# ---- training/train.py -------------------------------------------------------------------------

def load_and_clean(csv_path):
    df = pd.read_csv(csv_path)
    # Strip column whitespace (CRITICAL for CICIDS)
    df.columns = df.columns.str.strip()
    # Drop rows with missing labels
    df = df.dropna(subset=["Label"])
    # Binary label
    df["Label"] = df["Label"].apply(lambda x: 0 if x == "BENIGN" else 1)
    return df


def get_feature_columns(df):
    return [
        col for col in df.columns
        if col != "Label" and df[col].dtype != "object" and not pd.api.types.is_string_dtype(df[col])
    ]


def clean_numeric_features(df, feature_cols):
    df[feature_cols] = df[feature_cols].replace([np.inf, -np.inf], np.nan)
    df = df.dropna(subset=feature_cols)
    return df


def compute_training_stats(df, feature_cols, bins=10):
    stats = {}
    for col in feature_cols:
        values = df[col].values
        # Compute quantiles for binning (bins = 10: np.linspace(0, 1, 11), deciles)
        quantiles = np.quantile(values, q=np.linspace(0, 1, bins + 1))
        # Compute actual distribution in training data
        hist, _ = np.histogram(values, bins=quantiles)
        expected_dist = (hist / hist.sum()).tolist()
        stats[col] = {
            "mean": float(np.mean(values)),
            "std": float(np.std(values)),
            "min": float(np.min(values)),
            "max": float(np.max(values)),
            "quantiles": [float(q) for q in quantiles],
            "expected_dist": expected_dist,
        }
    return stats


def training_stats_of(csv_path, bins):
    """train(df) up to save_training_stats, without the split; -> (rows, feature_cols, stats)."""
    df = load_and_clean(csv_path)
    feature_cols = get_feature_columns(df)
    df = clean_numeric_features(df, feature_cols)
    stats = compute_training_stats(df[feature_cols], feature_cols, bins)
    # training_stats.json, written and read back
    return len(df), feature_cols, json.loads(json.dumps(stats))


# ---- monitoring/drift_detector.py --------------------------------------------------------------

class DriftDetector:
    PSI_THRESHOLD_LOW = 0.1
    PSI_THRESHOLD_MED = 0.2
    PSI_THRESHOLD_HIGH = 0.2

    def __init__(self, training_stats):
        self.training_stats = training_stats
        self.feature_names = list(self.training_stats.keys())

    def compute_psi(self, expected_dist, actual_dist):
        expected_dist = np.where(expected_dist == 0, 0.0001, expected_dist)
        actual_dist = np.where(actual_dist == 0, 0.0001, actual_dist)
        psi_value = np.sum((actual_dist - expected_dist) * np.log(actual_dist / expected_dist))
        return psi_value

    def compute_feature_psi(self, feature_name, new_data):
        stats = self.training_stats[feature_name]
        quantiles = np.array(stats["quantiles"])
        bins = quantiles
        expected_dist = np.array(stats["expected_dist"])
        counts, _ = np.histogram(new_data, bins=bins)
        actual_dist = counts / len(new_data)
        psi = self.compute_psi(expected_dist, actual_dist)
        return psi

    def detect_drift(self, new_df):
        psi_scores = {}
        drifted_features = []
        skipped = []
        for feature in self.feature_names:
            if feature not in new_df.columns:
                skipped.append({"name": feature, "reason": "not_in_batch"})
                continue
            feature_data = new_df[feature].replace([np.inf, -np.inf], np.nan).dropna().values
            if len(feature_data) == 0:
                skipped.append({"name": feature, "reason": "no_finite_values"})
                continue
            psi = self.compute_feature_psi(feature, feature_data)
            psi_scores[feature] = psi
            if psi > self.PSI_THRESHOLD_HIGH:
                drifted_features.append((feature, psi))
        with np.errstate(all="ignore"):
            overall_psi = np.mean(list(psi_scores.values())) if psi_scores else np.float64("nan")
        action = self._determine_action(overall_psi, len(drifted_features))
        return {
            "overall_psi": float(overall_psi),
            "feature_psi": {name: float(psi) for name, psi in psi_scores.items()},
            "drifted_features": [[name, float(psi)] for name, psi in sorted(drifted_features, key=lambda x: x[1], reverse=True)],
            "action": action,
            "n_drifted_features": len(drifted_features),
            "total_features": len(psi_scores),
            "skipped_features": skipped,
        }

    def _determine_action(self, overall_psi, n_drifted):
        if overall_psi > self.PSI_THRESHOLD_HIGH or n_drifted > 5:
            return "retrain"
        elif overall_psi > self.PSI_THRESHOLD_LOW or n_drifted > 0:
            return "alert"
        else:
            return "wait"


def detect_drift_of(training_stats, batch_path):
    new_df = pd.read_csv(batch_path)
    new_df.columns = new_df.columns.str.strip()
    return DriftDetector(training_stats).detect_drift(new_df)


# ---- the spec ----------------------------------------------------------------------------------

def jsonable(value):
    """Floats that JSON has no literal for, as strings."""
    if isinstance(value, float) and not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


def run_cases(spec):
    trained = {}
    out = []
    for case in spec.get("cases", []):
        bins = int(case.get("bins", 10))
        key = (case["train"], bins)
        if key not in trained:
            trained[key] = training_stats_of(case["train"], bins)
        rows, feature_cols, stats = trained[key]
        batch = case.get("batch")
        out.append({
            "id": case["id"],
            "training_rows": rows,
            "feature_cols": feature_cols,
            "training_stats": {name: {"quantiles": s["quantiles"], "expected_dist": s["expected_dist"]} for name, s in stats.items()},
            "drift": detect_drift_of(stats, batch) if batch else None,
        })
    quantiles = [
        {"id": item["id"], "edges": [float(q) for q in np.quantile(np.array(item["values"], dtype=np.float64), q=np.linspace(0, 1, int(item["bins"]) + 1))]}
        for item in spec.get("quantiles", [])
    ]
    return {"cases": out, "quantiles": quantiles}


def main(argv):
    text = open(argv[0], encoding="utf-8").read() if argv else sys.stdin.read()
    json.dump(jsonable(run_cases(json.loads(text))), sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
