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

from common import Baseline, Phases, emit, feature_positions, psi_from_counts

phases = Phases()
import duckdb  # noqa: E402
import numpy as np  # noqa: E402

phases.mark("import")
profile_path, batch_path = sys.argv[1], sys.argv[2]
baseline = Baseline(profile_path)
header, positions = feature_positions(batch_path, baseline)


def literal(value):
    """A DOUBLE literal that reads back as exactly this double (repr round-trips)."""
    return "'%r'::DOUBLE" % float(value)


def quote(text):
    return "'" + text.replace("'", "''") + "'"


names = ["c%d" % i for i in range(len(header))]
columns = ", ".join("%s: %s" % (quote(n), quote("DOUBLE" if i in set(positions) else "VARCHAR")) for i, n in enumerate(names))
aggregates = ["count(*)"]
for i, p in enumerate(positions):
    x = names[p]
    edges = baseline.edges[i]
    # np.histogram's bin of x in [e0, ek] = how many interior edges e1..e(k-1) are <= x
    # (a repeated edge gives an empty bin; x = ek lands in the last bin); else NULL, not counted
    interior = " + ".join("(%s >= %s)::INTEGER" % (x, literal(e)) for e in edges[1:-1]) or "0"
    aggregates.append("count(*) FILTER (WHERE isfinite(%s))" % x)
    aggregates.append("histogram(CASE WHEN %s >= %s AND %s <= %s THEN %s END)" % (x, literal(edges[0]), x, literal(edges[-1]), interior))
sql = "SELECT %s FROM read_csv(%s, header = true, delim = ',', quote = '\"', auto_detect = false, columns = {%s})" % (
    ", ".join(aggregates),
    quote(batch_path),
    columns,
)
connection = duckdb.connect()
row = connection.execute(sql).fetchone()
phases.mark("read_csv+histogram")

feature_psi = []
for i in range(len(positions)):
    finite, histogram = row[1 + 2 * i], row[2 + 2 * i] or {}
    counts = np.zeros(baseline.edges[i].size - 1)
    for bin_index, count in histogram.items():
        counts[bin_index] = count
    feature_psi.append(psi_from_counts(baseline, i, counts, finite))
phases.mark("psi")
del phases.seconds["import"]
emit("duckdb", baseline, feature_psi, row[0], phases, {"duckdb": duckdb.__version__}, threads=connection.execute("SELECT current_setting('threads')").fetchone()[0])
