"""
Predicts CSV rows with a driftcatcher model as an MLflow or ONNX user would, with their tools only
(pandas, onnxruntime, MLflow's pyfunc), so that the tests never check our export with our own code.

usage: onnx_predict.py MODEL CSV [TRACKING_URI]
  MODEL: an MLflow model directory (a registry version folder) or a models:/ URI (then
         TRACKING_URI is the server's; the registry URI is the same)
  CSV:   rows to predict; header names trimmed, repeated names get .1, .2 (pandas' rule), the
         signature's columns are taken in the signature's order
prints one JSON object:
  {"features": [name, ...],
   "pyfunc": {"label": [int, ...], "probability": [float, ...]},
   "onnx": null | {"label": [...], "probability": [...], "inputs": [{name, type, shape}],
                   "outputs": [{name, type, shape}], "opsets": {domain: version}}}
"onnx" (onnxruntime on the folder's model.onnx directly) only for a folder.
"""
import json
import os
import sys

import numpy as np
import pandas as pd


def main():
    model_uri, csv = sys.argv[1], sys.argv[2]
    if len(sys.argv) > 3:
        os.environ["MLFLOW_TRACKING_URI"] = sys.argv[3]
    import mlflow.pyfunc

    frame = pd.read_csv(csv, encoding="latin1")
    frame.columns = [c.strip() for c in frame.columns]
    model = mlflow.pyfunc.load_model(model_uri)
    features = model.metadata.get_input_schema().input_names()
    rows = frame[features].astype(np.float64)
    predicted = model.predict(rows)
    out = {
        "features": features,
        "pyfunc": {"label": [int(v) for v in predicted["label"]], "probability": [float(v) for v in predicted["probability"]]},
        "onnx": None,
    }
    if os.path.isdir(model_uri):
        import onnx
        import onnxruntime as ort

        path = os.path.join(model_uri, "model.onnx")
        onnx.checker.check_model(onnx.load(path), full_check=True)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        label, probability = session.run(["label", "probability"], {"input": rows.to_numpy()})
        describe = lambda values: [{"name": v.name, "type": v.type, "shape": [d if isinstance(d, int) else str(d) for d in v.shape]} for v in values]
        out["onnx"] = {
            "label": [int(v) for v in label],
            "probability": [float(v) for v in probability],
            "inputs": describe(session.get_inputs()),
            "outputs": describe(session.get_outputs()),
            "opsets": {o.domain: o.version for o in onnx.load(path).opset_import},
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
