"""Peer: the original DriftCatcher Python path, written from its published algorithm.

pandas.read_csv of the whole batch, header names stripped, then per feature: +-inf -> NaN,
dropna, np.histogram on the baseline's 11 training deciles, actual = counts / finite values,
zeros -> 1e-4 in both arrays, PSI = sum((a - e) * ln(a / e)); overall PSI = mean.
(CICIDS labels hold the byte 0x96, so the file is read as latin-1, as users of the tool do.)

usage: python pandas_driftcatcher.py <profile.json> <batch.csv>
"""
import sys

from common import Baseline, Phases, emit, psi, with_epsilon

phases = Phases()
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

phases.mark("import")
profile_path, batch_path = sys.argv[1], sys.argv[2]
baseline = Baseline(profile_path)

df = pd.read_csv(batch_path, encoding="latin-1")
df.columns = df.columns.str.strip()
phases.mark("read_csv")

feature_psi = []
for i, column in enumerate(baseline.names):
    values = df[column].replace([np.inf, -np.inf], np.nan).dropna().values
    counts, _ = np.histogram(values, bins=baseline.edges[i])
    actual = counts / len(values) if len(values) else np.zeros(len(counts))
    feature_psi.append(psi(baseline.expected[i], with_epsilon(actual)))
phases.mark("psi")
del phases.seconds["import"]
emit("pandas", baseline, feature_psi, len(df), phases, {"pandas": pd.__version__})
