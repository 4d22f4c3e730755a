#!/usr/bin/env python3
"""Independent numpy reference for DriftCatcher's PSI (shares no code or logic with the TypeScript).

Commands
  compare <train.csv> <batch.csv> [--bins 10] [--eps 1e-4] [--label Label] [--exclude NAME ...]
      One JSON object whose `default` section is DriftCatcher's default semantics: edges from each
      feature's finite training values (all rows) at q = i / bins; interior = np.unique(edges[1:-1]);
      bins (-inf, i1), [i1, i2), ..., [ik, +inf) (np.searchsorted(interior, v, side='right')) plus
      a last "missing" bin for NaN and +-inf; proportions = counts / all rows; zeros -> eps;
      psi = sum((a-e)*ln(a/e)); overall_psi = mean of feature psi, drifted when psi > 0.2, action
      `retrain` when overall > 0.2 or more than 5 drifted features, `alert` when overall > 0.1 or
      any drifted, else `wait`.
      Per feature: name, edges (the bins + 1 numpy quantiles), interior, expected, actual,
      expected_counts, actual_counts, psi, drifted.
      (`--compat driftcatcher` has its own reference, driftcatcher_original.py: the original tool
      restated, with its np.linspace grid.)
  quantile <csv> <column> [--bins 10]
      numpy's edges np.quantile(finite values of the column, i/bins), as JSON.

CSV reading: bytes decoded as latin-1 (so 0x96 in CICIDS labels survives), Python's csv module,
header names trimmed and repeats renamed the pandas way (x, x.1, x.2, ...), float(cell) per numeric
cell with '' -> nan. Features = every column except the label and the --exclude names.
JSON is written with allow_nan=True (NaN / Infinity literals) and round-trippable floats.
"""
import argparse
import csv
import io
import json
import math
import sys

import numpy as np

DRIFT_THRESHOLD = 0.2
RETRAIN_OVERALL = 0.2
ALERT_OVERALL = 0.1
RETRAIN_DRIFTED = 5


class ReferenceInputError(Exception):
    pass


def pandas_dedup(names):
    """pandas' rule for repeated header names: the second `x` becomes `x.1`, and so on."""
    counts = {}
    out = []
    for name in names:
        count = counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            name = "%s.%d" % (name, count)
            count = counts.get(name, 0)
        out.append(name)
        counts[name] = count + 1
    return out


def parse_cell(text, path, line, column):
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ReferenceInputError("%s:%d: column %r: not a number: %r" % (path, line, column, text))


def read_table(path, label, exclude, only=None):
    """-> (feature names, float matrix rows x features); `only`: read just these columns."""
    with open(path, "rb") as handle:
        text = handle.read().decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ReferenceInputError("%s: empty file" % path)
    names = pandas_dedup([name.strip() for name in header])
    excluded = set(exclude or [])
    feature_idx = [i for i, name in enumerate(names)
                   if name != label and name not in excluded and (only is None or name in only)]
    features = [names[i] for i in feature_idx]
    rows = []
    line = 1
    for record in reader:
        line += 1
        if len(record) == 0:
            continue
        if len(record) != len(names):
            raise ReferenceInputError("%s:%d: %d fields, header has %d" % (path, line, len(record), len(names)))
        rows.append([parse_cell(record[i].strip(), path, line, names[i]) for i in feature_idx])
    matrix = np.array(rows, dtype=np.float64).reshape(len(rows), len(features))
    return features, matrix


def psi_of(expected, actual, eps):
    e = np.where(expected == 0, eps, expected)
    a = np.where(actual == 0, eps, actual)
    return float(np.sum((a - e) * np.log(a / e)))


def decide(psis):
    overall = float(np.mean(psis)) if len(psis) else math.nan
    n_drifted = int(sum(1 for p in psis if p > DRIFT_THRESHOLD))
    if overall > RETRAIN_OVERALL or n_drifted > RETRAIN_DRIFTED:
        action = "retrain"
    elif overall > ALERT_OVERALL or n_drifted > 0:
        action = "alert"
    else:
        action = "wait"
    return overall, n_drifted, action


def floats(values):
    return [float(v) for v in values]


def default_counts(values, interior):
    finite_mask = np.isfinite(values)
    idx = np.searchsorted(interior, values[finite_mask], side="right")
    counts = np.bincount(idx, minlength=len(interior) + 1).astype(np.int64)
    missing = int(len(values) - np.count_nonzero(finite_mask))
    return np.append(counts, missing)


def default_section(features, train, batch, bins, eps):
    quantiles = np.arange(bins + 1) / bins
    out = []
    for j, name in enumerate(features):
        col = train[:, j]
        finite = col[np.isfinite(col)]
        edges = np.quantile(finite, quantiles) if len(finite) else np.array([], dtype=np.float64)
        interior = np.unique(edges[1:-1])
        expected_counts = default_counts(col, interior)
        actual_counts = default_counts(batch[:, j], interior)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = expected_counts / len(col)
            actual = actual_counts / batch.shape[0]
        psi = psi_of(expected, actual, eps)
        out.append({
            "name": name,
            "edges": floats(edges),
            "interior": floats(interior),
            "expected": floats(expected),
            "actual": floats(actual),
            "expected_counts": [int(c) for c in expected_counts],
            "actual_counts": [int(c) for c in actual_counts],
            "psi": psi,
            "drifted": psi > DRIFT_THRESHOLD,
        })
    psis = [f["psi"] for f in out]
    overall, n_drifted, action = decide(psis)
    return {
        "features": out,
        "overall_psi": overall,
        "n_drifted_features": n_drifted,
        "total_features": len(out),
        "action": action,
    }


def command_compare(args):
    train_features, train = read_table(args.train, args.label, args.exclude)
    batch_features, batch = read_table(args.batch, args.label, args.exclude)
    missing = [name for name in train_features if name not in batch_features]
    if missing:
        raise ReferenceInputError("batch lacks training features: %s" % ", ".join(missing))
    batch = batch[:, [batch_features.index(name) for name in train_features]]
    result = {
        "settings": {"bins": args.bins, "eps": args.eps, "label": args.label, "exclude": args.exclude or [],
                     "drift_threshold": DRIFT_THRESHOLD},
        "train_rows": int(train.shape[0]),
        "batch_rows": int(batch.shape[0]),
        "default": default_section(train_features, train, batch, args.bins, args.eps),
    }
    return result


def command_quantile(args):
    features, matrix = read_table(args.csv, None, [], only=[args.column])
    if args.column not in features:
        raise ReferenceInputError("%s: no column %r" % (args.csv, args.column))
    col = matrix[:, features.index(args.column)]
    finite = col[np.isfinite(col)]
    edges = np.quantile(finite, np.arange(args.bins + 1) / args.bins) if len(finite) else np.array([])
    return {"column": args.column, "n": int(len(finite)), "bins": args.bins, "edges": floats(edges)}


def main(argv):
    parser = argparse.ArgumentParser(description="numpy reference for DriftCatcher PSI")
    sub = parser.add_subparsers(dest="command", required=True)
    compare = sub.add_parser("compare")
    compare.add_argument("train")
    compare.add_argument("batch")
    compare.add_argument("--bins", type=int, default=10)
    compare.add_argument("--eps", type=float, default=1e-4)
    compare.add_argument("--label", default="Label")
    compare.add_argument("--exclude", action="append")
    quantile = sub.add_parser("quantile")
    quantile.add_argument("csv")
    quantile.add_argument("column")
    quantile.add_argument("--bins", type=int, default=10)
    args = parser.parse_args(argv)
    try:
        result = command_compare(args) if args.command == "compare" else command_quantile(args)
    except ReferenceInputError as err:
        print("psi_reference: %s" % err, file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, allow_nan=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
