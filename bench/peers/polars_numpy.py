"""Peer: polars.read_csv (multi-threaded) + the same numpy PSI on the baseline's compat edges.

Only the feature columns are read (as Float64; the label is skipped), then np.histogram counts each
column's finite values on the edges (common.compat_counts), as the pandas path does.

usage: python polars_numpy.py <profile.json> <batch.csv>
"""
import sys

from common import Baseline, Phases, compat_counts, emit, feature_positions, psi_from_counts

phases = Phases()
import polars as pl  # noqa: E402

phases.mark("import")
profile_path, batch_path = sys.argv[1], sys.argv[2]
baseline = Baseline(profile_path)
header, positions = feature_positions(batch_path, baseline)

# read without the header (its names repeat), under the names polars makes up for the columns
names = pl.read_csv(batch_path, has_header=False, n_rows=1, encoding="utf8-lossy").columns
wanted = [names[p] for p in positions]
frame = pl.read_csv(
    batch_path,
    has_header=False,
    skip_rows=1,
    columns=wanted,
    schema_overrides={n: pl.Float64 for n in wanted},
    encoding="utf8-lossy",
)
phases.mark("read_csv")

feature_psi = []
for i, name in enumerate(wanted):
    values = frame.get_column(name).to_numpy()  # nulls (empty cells) -> NaN
    counts, finite = compat_counts(values, baseline.edges[i])
    feature_psi.append(psi_from_counts(baseline, i, counts, finite))
phases.mark("psi")
del phases.seconds["import"]
emit("polars", baseline, feature_psi, frame.height, phases, {"polars": pl.__version__})
