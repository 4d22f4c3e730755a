"""
The runs dashboard's references, read with MLflow's own Python client, pyarrow and Python's csv
module, so that `driftcatcher runs` is never checked with its own code.

usage: runs_reference.py REQUEST_JSON
  {"search": {"uri", "experiment", "filters": [text, ...]}}
      -> {"search": {text: [run_id, ...]}}        (MLflow's search_runs, every page, active runs)
  {"runs": {"uri", "experiment"}}
      -> {"runs": [{run_id, lifecycle_stage, run_name, start_time, metrics, params, tags}]}  (ALL view types)
  {"frame": {"uri", "experiment"}}
      -> {"frame": {"columns": [...], "rows": {run_id: {column: value}}}}  (mlflow.search_runs' DataFrame)
  {"model_runs": {"uri"}}
      -> {"model_runs": [run_id, ...]}            (the run of every registered model version)
  {"parquet": path} -> {"parquet": {"columns": [{name, type}], "rows": [{column: value}]}}
  {"csv": path}     -> {"csv": {"header": [...], "rows": [[cell, ...]]}}
Timestamps are written as ms since the epoch; non-finite numbers as "NaN", "Infinity", "-Infinity";
missing values as null.
"""
import csv
import datetime
import json
import math
import sys

import pyarrow.parquet as pq


def number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def plain(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return round(value.timestamp() * 1000)
    if hasattr(value, "to_pydatetime"):
        return plain(value.to_pydatetime())
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return number(value)
    if hasattr(value, "item"):
        return plain(value.item())
    return value


def client_for(uri):
    import mlflow
    from mlflow.tracking import MlflowClient

    mlflow.set_tracking_uri(uri)
    return MlflowClient(uri)


def all_runs(client, experiment, filter_string="", view=None):
    from mlflow.entities import ViewType

    found = client.get_experiment_by_name(experiment)
    if found is None:
        return []
    runs, token = [], None
    while True:
        page = client.search_runs([found.experiment_id], filter_string=filter_string, run_view_type=view or ViewType.ACTIVE_ONLY, max_results=1000, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def main():
    request = json.loads(sys.argv[1])
    out = {}
    if "search" in request:
        r = request["search"]
        client = client_for(r["uri"])
        out["search"] = {f: sorted(run.info.run_id for run in all_runs(client, r["experiment"], f)) for f in r["filters"]}
    if "runs" in request:
        from mlflow.entities import ViewType

        r = request["runs"]
        client = client_for(r["uri"])
        out["runs"] = [
            {
                "run_id": run.info.run_id,
                "lifecycle_stage": run.info.lifecycle_stage,
                "run_name": run.info.run_name,
                "start_time": run.info.start_time,
                "metrics": {k: number(v) for k, v in run.data.metrics.items()},
                "params": run.data.params,
                "tags": run.data.tags,
            }
            for run in all_runs(client, r["experiment"], "", ViewType.ALL)
        ]
    if "frame" in request:
        import mlflow

        r = request["frame"]
        client_for(r["uri"])
        frame = mlflow.search_runs(experiment_names=[r["experiment"]], max_results=100000)
        rows = {}
        for record in frame.to_dict(orient="records"):
            rows[record["run_id"]] = {k: plain(v) for k, v in record.items()}
        out["frame"] = {"columns": list(frame.columns), "rows": rows}
    if "model_runs" in request:
        client = client_for(request["model_runs"]["uri"])
        versions, token = [], None
        while True:
            page = client.search_model_versions(max_results=200, page_token=token)
            versions.extend(page)
            token = page.token
            if not token:
                break
        out["model_runs"] = sorted({v.run_id for v in versions if v.run_id})
    if "parquet" in request:
        table = pq.read_table(request["parquet"])
        out["parquet"] = {
            "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
            "rows": [{k: plain(v) for k, v in row.items()} for row in table.to_pylist()],
        }
    if "csv" in request:
        with open(request["csv"], newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            out["csv"] = {"header": header, "rows": [row for row in reader]}
    json.dump(out, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
