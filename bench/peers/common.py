"""Shared by the Python peers of `npm run bench -- compare` (stdlib and numpy only).

Every peer is run as `python bench/peers/<peer>.py <profile.json> <batch.csv> [...]` and prints one
JSON object on stdout: overall_psi, the per-feature PSI, rows, the seconds of each phase (imports
excluded: they are in the harness's wall time) and the versions of what it imported.

The baseline is driftcatcher's profile (`driftcatcher baseline`), in its `--compat driftcatcher`
form: features[i].compat.edges are the 11 training deciles exactly as np.quantile gives them
(repeats kept) and features[i].compat.counts their np.histogram counts over the `complete_rows`
training rows that have no non-finite feature. So every peer bins on the same edges as
driftcatcher's compat mode, and the PSI agrees to rounding when the counts agree.

PSI (the original DriftCatcher tool): actual = counts of the finite values / number of finite
values, expected = training counts / complete training rows, zeros replaced by 1e-4 in both,
psi = sum((a - e) * ln(a / e)); overall = mean of the feature PSIs.
"""
import json
import sys
import time

import numpy as np

EPSILON = 1e-4


class Baseline:
    def __init__(self, path):
        with open(path, "r", encoding="utf-8") as handle:
            profile = json.load(handle)
        self.label = profile.get("label", "Label")
        self.names = [f["name"] for f in profile["features"]]
        self.edges = [np.asarray(f["compat"]["edges"], dtype=np.float64) for f in profile["features"]]
        complete = profile["complete_rows"]
        self.expected = [
            with_epsilon(np.asarray(f["compat"]["counts"], dtype=np.float64) / complete if complete > 0 else np.zeros(len(f["compat"]["counts"])))
            for f in profile["features"]
        ]


def with_epsilon(values):
    return np.where(values == 0, EPSILON, values)


def psi(expected, actual):
    return float(np.sum((actual - expected) * np.log(actual / expected)))


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


def csv_header(path):
    """The CSV's column names as driftcatcher sees them: trimmed, repeats renamed x.1, x.2, ..."""
    with open(path, "rb") as handle:
        line = handle.readline().decode("latin-1").rstrip("\r\n")
    return pandas_dedup([name.strip() for name in line.split(",")])


def feature_positions(path, baseline):
    """0-based CSV column index of each baseline feature, in profile order."""
    header = csv_header(path)
    where = {name: i for i, name in enumerate(header)}
    missing = [name for name in baseline.names if name not in where]
    if missing:
        raise SystemExit("%s: columns missing: %s" % (path, ", ".join(missing)))
    return header, [where[name] for name in baseline.names]


def compat_counts(values, edges):
    """np.histogram's counts of the finite values on `edges` (out-of-range values dropped, last bin
    closed, repeated edges give empty bins) and the number of finite values."""
    finite = values[np.isfinite(values)]
    counts, _ = np.histogram(finite, bins=edges)
    return counts.astype(np.float64), finite.size


def psi_from_counts(baseline, i, counts, finite):
    actual = with_epsilon(counts / finite if finite > 0 else np.zeros(counts.size))
    return psi(baseline.expected[i], actual)


class Phases:
    """Wall-clock seconds of the named phases of one run, from construction on."""

    def __init__(self):
        self.started = time.perf_counter()
        self.last = self.started
        self.seconds = {}

    def mark(self, name):
        now = time.perf_counter()
        self.seconds[name] = now - self.last
        self.last = now

    def total(self):
        return self.last - self.started


def duckdb_literal(value):
    """A DOUBLE literal that reads back as exactly this double (repr round-trips)."""
    return "'%r'::DOUBLE" % float(value)


def duckdb_histogram_aggregates(baseline, columns):
    """SQL aggregates giving the row count, then per feature its finite count and np.histogram's
    counts on the baseline's compat edges; `columns[i]` is the SQL expression of feature i."""
    aggregates = ["count(*)"]
    for i, x in enumerate(columns):
        edges = baseline.edges[i]
        # np.histogram's bin of x in [e0, ek] = how many interior edges e1..e(k-1) are <= x
        # (a repeated edge gives an empty bin; x = ek lands in the last bin); else NULL, not counted
        interior = " + ".join("(%s >= %s)::INTEGER" % (x, duckdb_literal(e)) for e in edges[1:-1]) or "0"
        aggregates.append("count(*) FILTER (WHERE isfinite(%s))" % x)
        aggregates.append("histogram(CASE WHEN %s >= %s AND %s <= %s THEN %s END)" % (x, duckdb_literal(edges[0]), x, duckdb_literal(edges[-1]), interior))
    return aggregates


def duckdb_feature_psi(baseline, row):
    """Each feature's PSI from the answer row of duckdb_histogram_aggregates."""
    feature_psi = []
    for i in range(len(baseline.names)):
        finite, histogram = row[1 + 2 * i], row[2 + 2 * i] or {}
        counts = np.zeros(baseline.edges[i].size - 1)
        for bin_index, count in histogram.items():
            counts[bin_index] = count
        feature_psi.append(psi_from_counts(baseline, i, counts, finite))
    return feature_psi


def emit(peer, baseline, feature_psi, rows, phases, versions, **extra):
    result = {
        "peer": peer,
        "overall_psi": float(np.mean(feature_psi)) if len(feature_psi) else 0.0,
        "features": [{"name": n, "psi": p} for n, p in zip(baseline.names, feature_psi)],
        "rows": int(rows),
        "seconds": phases.total(),
        "phases": phases.seconds,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, **versions},
    }
    result.update(extra)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
