"""Peers of `npm run bench -- parquet`: the same PSI as driftcatcher's compat check, from a Parquet batch.

usage: python parquet_peers.py write <batch.csv> <batch.parquet> <codec> [row_group_rows]
       python parquet_peers.py polars|duckdb <profile.json> <batch.parquet>

write: pyarrow.csv.read_csv (feature columns as float64, header names trimmed and de-duplicated
as pandas does) -> pyarrow.parquet.write_table with that codec (dictionary pages on, pyarrow's
default). polars: pl.read_parquet of the baseline's features, then np.histogram on the compat edges
(common.compat_counts), as polars_numpy.py does for CSV. duckdb: read_parquet with the same
one-pass histogram() aggregate as duckdb_sql.py.
"""
import sys

from common import Baseline, Phases, compat_counts, duckdb_feature_psi, duckdb_histogram_aggregates, emit, pandas_dedup, psi_from_counts


def write(csv_path, out, codec, row_group_rows=None):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(csv_path)
    names = pandas_dedup([n.strip() for n in table.column_names])
    table = table.rename_columns(names)
    pq.write_table(table, out, compression=codec, row_group_size=int(row_group_rows) if row_group_rows else None)


def polars_psi(profile_path, parquet_path):
    phases = Phases()
    import polars as pl

    phases.mark("import")
    baseline = Baseline(profile_path)
    frame = pl.read_parquet(parquet_path, columns=list(baseline.names))
    phases.mark("read_parquet")
    feature_psi = []
    for i, name in enumerate(baseline.names):
        values = frame.get_column(name).cast(pl.Float64).to_numpy()
        counts, finite = compat_counts(values, baseline.edges[i])
        feature_psi.append(psi_from_counts(baseline, i, counts, finite))
    phases.mark("psi")
    del phases.seconds["import"]
    emit("polars", baseline, feature_psi, frame.height, phases, {"polars": pl.__version__})


def duckdb_psi(profile_path, parquet_path):
    import numpy as np

    phases = Phases()
    import duckdb

    phases.mark("import")
    baseline = Baseline(profile_path)

    columns = ['"%s"::DOUBLE' % name.replace('"', '""') for name in baseline.names]
    aggregates = duckdb_histogram_aggregates(baseline, columns)
    sql = "SELECT %s FROM read_parquet('%s')" % (", ".join(aggregates), parquet_path.replace("'", "''"))
    connection = duckdb.connect()
    row = connection.execute(sql).fetchone()
    phases.mark("read_parquet+histogram")
    feature_psi = duckdb_feature_psi(baseline, row)
    phases.mark("psi")
    del phases.seconds["import"]
    emit("duckdb", baseline, feature_psi, row[0], phases, {"duckdb": duckdb.__version__}, threads=connection.execute("SELECT current_setting('threads')").fetchone()[0])


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write(*sys.argv[2:])
    elif command == "polars":
        polars_psi(sys.argv[2], sys.argv[3])
    elif command == "duckdb":
        duckdb_psi(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: parquet_peers.py write|polars|duckdb ...")
