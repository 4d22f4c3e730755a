"""Peer: pyarrow.csv.read_csv (multi-threaded) + numpy PSI on the baseline's compat edges.

Only the feature columns are converted (as float64; the label is skipped), then np.histogram
counts each column's finite values on the edges (common.compat_counts), as the pandas path does.

usage: python pyarrow_numpy.py <profile.json> <batch.csv>
"""
import sys

from common import Baseline, Phases, compat_counts, emit, feature_positions, psi_from_counts

phases = Phases()
import pyarrow as pa  # noqa: E402
import pyarrow.csv as pacsv  # noqa: E402

phases.mark("import")
profile_path, batch_path = sys.argv[1], sys.argv[2]
baseline = Baseline(profile_path)
header, positions = feature_positions(batch_path, baseline)

names = ["c%d" % i for i in range(len(header))]
wanted = [names[p] for p in positions]
table = pacsv.read_csv(
    batch_path,
    read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
    convert_options=pacsv.ConvertOptions(include_columns=wanted, column_types={n: pa.float64() for n in wanted}),
)
phases.mark("read_csv")

feature_psi = []
for i, name in enumerate(wanted):
    values = table.column(name).to_numpy()  # nulls (empty, NaN cells) -> NaN
    counts, finite = compat_counts(values, baseline.edges[i])
    feature_psi.append(psi_from_counts(baseline, i, counts, finite))
phases.mark("psi")
del phases.seconds["import"]
emit("pyarrow", baseline, feature_psi, table.num_rows, phases, {"pyarrow": pa.__version__})
