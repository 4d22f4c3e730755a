"""Peer: Evidently's DataDriftPreset with PSI as the stat test (method="psi", threshold 0.2).

Evidently needs the training data itself, not a profile, so this peer reads both CSV files with
pandas (latin-1, header names stripped), replaces +-inf by NaN (Evidently rejects infinite values),
declares every baseline feature numerical and runs the report. Its overall PSI is the mean of the
per-column ValueDrift values.

It does not agree with driftcatcher's compat PSI, by design of Evidently's PSI: for a column with
more than 20 distinct reference values it bins reference and current together on equal-width
Sturges bins (np.histogram_bin_edges(..., "sturges")), not on training deciles, and otherwise
it counts each distinct value as a category; proportions are over all values of the column, and a
zero becomes 1e-4 (or the smallest non-zero proportion / 1e6 when that is <= 1e-4).

usage: python evidently_preset.py <profile.json> <batch.csv> <train.csv> [--rows N]
       --rows N: only the first N rows of each file (a subsample, said so in the results)
"""
import sys
import warnings

from common import Baseline, Phases, emit

phases = Phases()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import evidently  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

warnings.filterwarnings("ignore")
phases.mark("import")
profile_path, batch_path, train_path = sys.argv[1], sys.argv[2], sys.argv[3]
rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else None
baseline = Baseline(profile_path)


def read(path):
    frame = pd.read_csv(path, encoding="latin-1", nrows=rows)
    frame.columns = frame.columns.str.strip()
    return frame[baseline.names].replace([np.inf, -np.inf], np.nan)


reference = read(train_path)
current = read(batch_path)
phases.mark("read_csv")

definition = DataDefinition(numerical_columns=list(baseline.names))
report = Report([DataDriftPreset(method="psi", threshold=0.2)])
snapshot = report.run(Dataset.from_pandas(current, data_definition=definition), Dataset.from_pandas(reference, data_definition=definition))
phases.mark("report")

by_column = {}
for metric in snapshot.dict()["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift"):
        by_column[config["column"]] = float(metric["value"])
missing = [name for name in baseline.names if name not in by_column]
if missing:
    raise SystemExit("evidently: no ValueDrift for %s" % ", ".join(missing))
del phases.seconds["import"]
emit(
    "evidently",
    baseline,
    [by_column[name] for name in baseline.names],
    len(current),
    phases,
    {"pandas": pd.__version__, "evidently": evidently.__version__},
    subsample_rows=rows,
    reference_rows=len(reference),
)
