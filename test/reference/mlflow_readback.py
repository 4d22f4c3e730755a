"""
Reads back, with MLflow's own Python client, what driftcatcher's TypeScript client wrote to a
tracking server, so that the tests never check our client with itself.

usage: mlflow_readback.py TRACKING_URI REQUEST_JSON
  REQUEST_JSON: {"experiments": [name, ...], "models": [registered model name, ...]}
prints one JSON object:
  {"experiments": {name: null | {"experiment_id", "runs": [{run_id, run_name, status, start_time,
      end_time, artifact_uri, params, tags, metrics: {key: [{value, step, timestamp}, ...]},
      artifacts: {path: base64}, inputs: {datasets: [{name, digest, source_type, source, schema,
      profile, tags}], models: [model_id]}}], "logged_models": [{model_id, name, source_run_id}]}},
   "models": {name: null | {"versions": [{version, source, run_id, model_id, status, aliases, tags,
      logged_model: null | {name, status, source_run_id, tags, artifacts: {path: base64}}}],
      "aliases": {alias: version}}}}
Non-finite metric values are written as "NaN", "Infinity", "-Infinity".
"""
import base64
import json
import math
import os
import sys
import tempfile

import mlflow
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient


def number(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def files_under(download):
    """{relative path: base64 bytes} of every file under an artifact root; download(dst) fetches the whole tree."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = download(tmp)
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    out[os.path.relpath(path, root).replace(os.sep, "/")] = base64.b64encode(f.read()).decode("ascii")
    return out


def read_run(client, run):
    metrics = {}
    for key in run.data.metrics:
        history = client.get_metric_history(run.info.run_id, key)
        metrics[key] = [{"value": number(m.value), "step": m.step, "timestamp": m.timestamp} for m in history]
    run_id = run.info.run_id
    artifacts = files_under(lambda dst: client.download_artifacts(run_id, "", dst)) if client.list_artifacts(run_id) else {}
    return {
        "run_id": run_id,
        "run_name": run.info.run_name,
        "status": run.info.status,
        "start_time": run.info.start_time,
        "end_time": run.info.end_time,
        "artifact_uri": run.info.artifact_uri,
        "params": dict(run.data.params),
        "tags": dict(run.data.tags),
        "metrics": metrics,
        "artifacts": artifacts,
        # search_runs leaves model inputs out: get_run has them
        "inputs": read_inputs(client.get_run(run_id)),
    }


def read_inputs(run):
    """The run's dataset inputs (with their tags) and model inputs, as MLflow's client gives them."""
    inputs = run.inputs
    datasets = [
        {
            "name": d.dataset.name,
            "digest": d.dataset.digest,
            "source_type": d.dataset.source_type,
            "source": d.dataset.source,
            "schema": d.dataset.schema,
            "profile": d.dataset.profile,
            "tags": {t.key: t.value for t in d.tags},
        }
        for d in (inputs.dataset_inputs if inputs else [])
    ]
    models = [m.model_id for m in (getattr(inputs, "model_inputs", None) or [])] if inputs else []
    return {"datasets": datasets, "models": models}


def read_experiment(client, name):
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        return None
    runs, token = [], None
    while True:
        page = client.search_runs([experiment.experiment_id], run_view_type=ViewType.ALL, max_results=500, page_token=token)
        runs.extend(page)
        token = page.token
        if not token:
            break
    runs.sort(key=lambda r: (r.info.start_time or 0, r.info.run_name or ""))
    logged = client.search_logged_models(experiment_ids=[experiment.experiment_id], max_results=100)
    return {
        "experiment_id": experiment.experiment_id,
        "runs": [read_run(client, r) for r in runs],
        "logged_models": sorted([{"model_id": m.model_id, "name": m.name, "source_run_id": m.source_run_id} for m in logged], key=lambda m: m["model_id"]),
    }


def read_logged_model(client, model_id):
    if not model_id:
        return None
    model = client.get_logged_model(model_id)
    artifacts = files_under(lambda dst: mlflow.artifacts.download_artifacts(artifact_uri=model.artifact_location, dst_path=dst))
    return {"name": model.name, "status": str(model.status), "source_run_id": model.source_run_id, "tags": dict(model.tags), "artifacts": artifacts}


def read_model(client, name):
    try:
        registered = client.get_registered_model(name)
    except MlflowException:
        return None
    versions = client.search_model_versions(f"name='{name}'")
    versions = sorted(versions, key=lambda v: int(v.version))

    def model_id_of(v):
        # the server keeps the logged model in the source (`models:/m-...`); newer clients also expose it
        found = getattr(v, "model_id", None)
        if not found and (v.source or "").startswith("models:/m-"):
            found = v.source[len("models:/"):].split("/")[0]
        return found

    return {
        "aliases": {alias: str(version) for alias, version in (registered.aliases or {}).items()},
        "versions": [
            {
                "version": str(v.version),
                "source": v.source,
                "run_id": v.run_id,
                "model_id": model_id_of(v),
                "status": v.status,
                "aliases": list(v.aliases or []),
                "tags": dict(v.tags or {}),
                "logged_model": read_logged_model(client, model_id_of(v)),
            }
            for v in versions
        ],
    }


def main():
    uri, request = sys.argv[1], json.loads(sys.argv[2])
    mlflow.set_tracking_uri(uri)
    os.environ["MLFLOW_TRACKING_URI"] = uri
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    out = {
        "experiments": {name: read_experiment(client, name) for name in request.get("experiments", [])},
        "models": {name: read_model(client, name) for name in request.get("models", [])},
    }
    json.dump(out, sys.stdout, allow_nan=False)


if __name__ == "__main__":
    main()
