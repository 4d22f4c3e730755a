"""Peers of `npm run bench -- baseline`: the quantiles a driftcatcher baseline computes, by polars
+ numpy or by DuckDB's quantile_cont, on the same file: CSV, Parquet or (polars) Arrow IPC, by
its extension.

Per feature column: the quantiles of its finite values at q = i / 10 (the deciles) and at
q = i / 1000 (the fine summary's grid), and of its values in complete rows (every feature finite)
at np.linspace(0, 1, 11) (the compat baseline) -- numpy's `linear` method, which quantile_cont
also is. Prints one JSON line: rows, features and the seconds of each phase.

usage: python baseline_peers.py polars|duckdb <train.csv|.parquet|.arrow>
"""
import json
import sys
import time

tool, path = sys.argv[1], sys.argv[2]
started = time.perf_counter()
GRID = [i / 10 for i in range(11)]
FINE = [i / 1000 for i in range(1001)]

if tool == "polars":
    import numpy as np
    import polars as pl

    if path.endswith(".parquet") or path.endswith(".arrow"):
        read_file = pl.read_parquet if path.endswith(".parquet") else pl.read_ipc
        header = list((pl.read_parquet_schema(path) if path.endswith(".parquet") else pl.read_ipc_schema(path)).keys())
        features = [c for c in header if c.strip() != "Label"]
        frame = read_file(path, columns=features).cast({c: pl.Float64 for c in features})
    else:
        header = pl.read_csv(path, n_rows=1).columns
        features = [c for c in header if c.strip() != "Label"]
        frame = pl.read_csv(path, columns=features, schema_overrides={c: pl.Float64 for c in features})
    read = time.perf_counter()
    columns = [frame.get_column(c).to_numpy() for c in features]
    complete = np.ones(frame.height, dtype=bool)
    for v in columns:
        complete &= np.isfinite(v)
    out = 0.0
    for v in columns:
        finite = v[np.isfinite(v)]
        if len(finite):
            out += float(np.quantile(finite, GRID).sum() + np.quantile(finite, FINE).sum())
        comp = v[complete]
        if len(comp):
            out += float(np.quantile(comp, np.linspace(0, 1, 11)).sum())
    rows = frame.height
elif tool == "duckdb":
    import duckdb

    con = duckdb.connect()
    source = f"read_parquet('{path}')" if path.endswith(".parquet") else f"read_csv('{path}', header=true, sample_size=-1)"
    con.execute(f"CREATE TABLE t AS SELECT * FROM {source}")
    names = [r[0] for r in con.execute("DESCRIBE t").fetchall()]
    features = [n for n in names if n.strip() != "Label"]
    read = time.perf_counter()
    q = lambda c: f'"{c}"'
    finite = lambda c: f"isfinite(CAST({q(c)} AS DOUBLE))"
    complete = " AND ".join(finite(c) for c in features)
    con.execute(f"ALTER TABLE t ADD COLUMN dc_complete BOOLEAN")
    con.execute(f"UPDATE t SET dc_complete = {complete}")
    linspace = [i * (1 / 10) if i < 10 else 1.0 for i in range(11)]
    for c in features:
        con.execute(f"SELECT quantile_cont(CAST({q(c)} AS DOUBLE), {GRID + FINE}) FILTER (WHERE {finite(c)}), quantile_cont(CAST({q(c)} AS DOUBLE), {linspace}) FILTER (WHERE dc_complete) FROM t").fetchall()
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
else:
    raise SystemExit(f"unknown peer {tool}")
done = time.perf_counter()
print(json.dumps({"tool": tool, "rows": rows, "features": len(features), "read_s": read - started, "quantiles_s": done - read}))
