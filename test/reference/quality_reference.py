#!/usr/bin/env python3
"""Independent pandas reference for DriftCatcher's data-quality signals (engine/drift/quality.ts).

Usage: quality_reference.py TRAIN.csv BATCH.csv [LABEL]
Reads both files with pandas (header names stripped, a repeated name gets .1 as pandas names it;
'Infinity', '-Infinity', 'inf', 'NaN' and empty cells non-finite), drops the label column, and per
feature of the training file prints, as JSON:
  reference_missing_rate  non-finite training values / training rows
  current_missing_rate    non-finite batch values / batch rows
  below, above            batch finite values < training finite min, > training finite max
  finite                  batch finite values
  reference_min_share     share of the training finite values equal to the training minimum
  current_min_share       share of the batch finite values equal to the training minimum
plus "only_in_batch": batch columns that are neither a training column nor the label.
"""
import json
import sys

import numpy as np
import pandas as pd

def read(path):
    frame = pd.read_csv(path, encoding="latin-1", keep_default_na=False, na_values=[], dtype=str)
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def numeric(column):
    # Python's float() reads decimal and exponent forms, 'Infinity', 'inf', 'NaN'; empty is missing
    return np.array([float(cell) if cell else np.nan for cell in column.str.strip()], dtype=np.float64)


def main():
    train_path, batch_path = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else "Label"
    train, batch = read(train_path), read(batch_path)
    out = {"features": {}, "only_in_batch": [c for c in batch.columns if c not in train.columns and c != label]}
    for name in train.columns:
        if name == label or name not in batch.columns:
            continue
        ref = numeric(train[name])
        cur = numeric(batch[name])
        ref_finite = ref[np.isfinite(ref)]
        cur_finite = cur[np.isfinite(cur)]
        lo, hi = ref_finite.min(), ref_finite.max()
        out["features"][name] = {
            "reference_missing_rate": float((~np.isfinite(ref)).sum() / len(ref)),
            "current_missing_rate": float((~np.isfinite(cur)).sum() / len(cur)),
            "below": int((cur_finite < lo).sum()),
            "above": int((cur_finite > hi).sum()),
            "finite": int(len(cur_finite)),
            "reference_min_share": float((ref_finite == lo).sum() / len(ref_finite)),
            "current_min_share": float((cur_finite == lo).sum() / len(cur_finite)) if len(cur_finite) else None,
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
