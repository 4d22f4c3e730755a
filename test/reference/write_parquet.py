"""Write a CICIDS CSV extract as Parquet with pyarrow, for the Parquet reader's tests and benchmark.

Cells are parsed here, independently of driftcatcher: a header name is trimmed and a repeated one
gets `.1`, `.2` (pandas' rule); an empty cell is a null; any other cell of a feature column is
Python's float() of it (`Infinity`, `NaN` included), so the Parquet column holds exactly the
doubles the CSV text means. The label column is written as text.

usage: python write_parquet.py IN.csv OUT.parquet [--compression snappy|zstd|gzip|none]
         [--row-group-size N] [--no-dictionary] [--data-page-version 1.0|2.0]
         [--max-rows-per-page N] [--dictionary-pagesize-limit BYTES]
         [--float32 A,B] [--int64 A,B] [--int32 A,B] [--uint32 A,B] [--string A,B]
         [--nulls A,B] [--drop A,B] [--csv-out OUT.csv]
         [--arrow-out OUT.arrow] [--batch-rows N]

--nulls makes every cell of those columns in rows where (row * 7 + column) % 13 == 0 a null;
--float32 stores those columns as float32 (rounded); --int64/--int32/--uint32 as integers (the
values must be whole numbers); --string writes those feature columns as text; --drop leaves those columns out. --csv-out writes a
CSV of exactly what the Parquet file holds (float32 values widened to double, nulls as empty
cells), for the CSV side of a comparison. --arrow-out also writes the same table as Arrow IPC
(the file format; the stream format for a name ending in .arrows), in record batches of at most
--batch-rows rows (default: pyarrow's); OUT.parquet may then be `-` to write no Parquet.
--max-rows-per-page and --dictionary-pagesize-limit are pyarrow's (default 20,000 rows and
1 MiB): small ones give many pages a row group, and columns whose dictionary outgrows the limit
switch to plain pages partway through a row group.
"""
import argparse
import csv
import json
import math
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def names_of(header):
    names, seen = [], {}
    for raw in header:
        name = raw.strip()
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if count == 0 else "%s.%d" % (name, count))
    return names


def cell_text(value):
    if value is None:
        return ""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("out")
    parser.add_argument("--compression", default="snappy")
    parser.add_argument("--row-group-size", type=int, default=None)
    parser.add_argument("--no-dictionary", action="store_true")
    parser.add_argument("--data-page-version", default="1.0")
    parser.add_argument("--max-rows-per-page", type=int, default=None)
    parser.add_argument("--dictionary-pagesize-limit", type=int, default=None)
    parser.add_argument("--label", default="Label")
    for option in ("float32", "int64", "int32", "uint32", "string", "nulls", "drop"):
        parser.add_argument("--" + option, default="")
    parser.add_argument("--csv-out", default=None)
    parser.add_argument("--arrow-out", default=None)
    parser.add_argument("--batch-rows", type=int, default=None)
    args = parser.parse_args()

    listed = {option: set(filter(None, getattr(args, option).split(","))) for option in ("float32", "int64", "int32", "uint32", "string", "nulls", "drop")}
    with open(args.csv, newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))
    names = names_of(rows[0])
    data = rows[1:]
    for option, columns in listed.items():
        unknown = columns - set(names)
        if unknown:
            sys.exit("%s: no column %s" % (option, sorted(unknown)))

    arrays, values_by_column = [], []
    kept = []
    for c, name in enumerate(names):
        if name in listed["drop"]:
            continue
        kept.append(name)
        cells = [row[c] if c < len(row) else "" for row in data]
        if name == args.label or name in listed["string"]:
            arrays.append(pa.array([cell if cell != "" else None for cell in cells], type=pa.string()))
            values_by_column.append(cells)
            continue
        values = [None if cell.strip() == "" else float(cell) for cell in cells]
        if name in listed["nulls"]:
            values = [None if (r * 7 + c) % 13 == 0 else v for r, v in enumerate(values)]
        if name in listed["float32"]:
            values = [None if v is None else float(np.float32(v)) for v in values]
            array = pa.array(values, type=pa.float32())
        elif name in listed["int64"] or name in listed["int32"] or name in listed["uint32"]:
            kind = pa.int64() if name in listed["int64"] else pa.int32() if name in listed["int32"] else pa.uint32()
            if any(v is not None and (not math.isfinite(v) or v != int(v)) for v in values):
                sys.exit("%s: not whole numbers" % name)
            array = pa.array([None if v is None else int(v) for v in values], type=kind)
        else:
            array = pa.array(values, type=pa.float64())
        arrays.append(array)
        values_by_column.append([cell_text(v) for v in values])

    table = pa.Table.from_arrays(arrays, names=kept)
    if args.arrow_out:
        stream = args.arrow_out.endswith(".arrows")
        with pa.OSFile(args.arrow_out, "wb") as sink:
            with (pa.ipc.new_stream if stream else pa.ipc.new_file)(sink, table.schema) as writer:
                writer.write_table(table, max_chunksize=args.batch_rows)
        batches = len(list(pa.ipc.open_stream(args.arrow_out))) if stream else pa.ipc.open_file(args.arrow_out).num_record_batches
        if args.out == "-":
            print(json.dumps({"rows": table.num_rows, "record_batches": batches, "columns": table.num_columns}))
            return
    compression = None if args.compression == "none" else args.compression
    pq.write_table(
        table,
        args.out,
        compression=compression,
        row_group_size=args.row_group_size,
        use_dictionary=not args.no_dictionary,
        data_page_version=args.data_page_version,
        **({"max_rows_per_page": args.max_rows_per_page} if args.max_rows_per_page else {}),
        **({"dictionary_pagesize_limit": args.dictionary_pagesize_limit} if args.dictionary_pagesize_limit else {}),
    )
    if args.csv_out:
        with open(args.csv_out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(kept)
            for r in range(len(data)):
                writer.writerow([column[r] for column in values_by_column])
    metadata = pq.ParquetFile(args.out).metadata
    encodings = sorted({e for g in range(metadata.num_row_groups) for c in range(metadata.num_columns) for e in metadata.row_group(g).column(c).encodings})
    codecs = sorted({metadata.row_group(g).column(c).compression for g in range(metadata.num_row_groups) for c in range(metadata.num_columns)})
    print(json.dumps({"rows": metadata.num_rows, "row_groups": metadata.num_row_groups, "columns": metadata.num_columns, "encodings": encodings, "codecs": codecs}))


if __name__ == "__main__":
    main()
