"""Peer: DuckDB read_csv + the histogram of every feature in one SQL aggregate (multi-threaded).

The feature columns are read as DOUBLE (the label as VARCHAR, not projected). For each feature the
query counts its finite values and takes histogram() of its np.histogram bin index on the
baseline's compat edges (x in [e0, e10]: the number of interior edges <= x; a repeated edge gives
an empty bin, the last bin is closed, NaN and +-inf fall in no bin), all in one pass over the file;
PSI is then computed from the counts. (One `count(*) FILTER (WHERE e[j] <= x AND x < e[j+1])` per
bin, 780 aggregates, took 6x as long.)

usage: python duckdb_sql.py <profile.json> <batch.csv>
"""
import sys

from common import Baseline, Phases, duckdb_feature_psi, duckdb_histogram_aggregates, emit, feature_positions

phases = Phases()
import duckdb  # noqa: E402
import numpy as np  # noqa: E402

phases.mark("import")
profile_path, batch_path = sys.argv[1], sys.argv[2]
baseline = Baseline(profile_path)
header, positions = feature_positions(batch_path, baseline)


def quote(text):
    return "'" + text.replace("'", "''") + "'"


names = ["c%d" % i for i in range(len(header))]
columns = ", ".join("%s: %s" % (quote(n), quote("DOUBLE" if i in set(positions) else "VARCHAR")) for i, n in enumerate(names))
aggregates = duckdb_histogram_aggregates(baseline, [names[p] for p in positions])
sql = "SELECT %s FROM read_csv(%s, header = true, delim = ',', quote = '\"', auto_detect = false, columns = {%s})" % (
    ", ".join(aggregates),
    quote(batch_path),
    columns,
)
connection = duckdb.connect()
row = connection.execute(sql).fetchone()
phases.mark("read_csv+histogram")

feature_psi = duckdb_feature_psi(baseline, row)
phases.mark("psi")
del phases.seconds["import"]
emit("duckdb", baseline, feature_psi, row[0], phases, {"duckdb": duckdb.__version__}, threads=connection.execute("SELECT current_setting('threads')").fetchone()[0])
