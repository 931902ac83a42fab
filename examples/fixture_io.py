"""Shared helpers for train.py and train_old_xgboost.py: feature-name sanitising and
the CSV conventions of data.csv / expected.csv (see README.md).

Only numpy and pandas are needed here, so the old-XGBoost venvs can import it too.
"""

import math
import os
import re

import numpy as np
import pandas as pd


def sanitise(name):
    """Lowercase; every run of non-alphanumerics becomes one `_`; no `_` at the ends."""
    s = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
    if not s:
        raise ValueError(f"feature name {name!r} sanitises to nothing")
    return s


def frame(x, names):
    """A float64 DataFrame with sanitised, unique column names."""
    cols = [sanitise(n) for n in names]
    if len(set(cols)) != len(cols):
        raise ValueError(f"sanitised feature names are not unique: {cols}")
    return pd.DataFrame(np.asarray(x, dtype=np.float64), columns=cols)


def fmt_float(v):
    """Full round-trip text of a float (Python repr); NaN becomes an empty cell."""
    v = float(v)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        raise ValueError("infinite value in a fixture")
    return repr(v)


def _write(path, header, rows):
    with open(path, "w", newline="\n", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def write_data(folder, X, y, classification):
    """data.csv: feature columns (as the model names them), then `label`."""
    X = X.astype(np.float64)
    y = np.asarray(y)
    vals = X.to_numpy()
    rows = []
    for i in range(vals.shape[0]):
        cells = [fmt_float(v) for v in vals[i]]
        cells.append(str(int(y[i])) if classification else fmt_float(y[i]))
        rows.append(cells)
    path = os.path.join(folder, "data.csv")
    _write(path, list(X.columns) + ["label"], rows)
    # The CSV must hold exactly the frame the library saw.
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0].split(",") == list(X.columns) + ["label"]
    back = np.array([[float(c) if c else math.nan for c in line.split(",")] for line in lines[1:]])
    assert np.array_equal(back[:, :-1], vals, equal_nan=True), f"{path}: features do not round-trip"
    assert np.array_equal(back[:, -1], y.astype(np.float64)), f"{path}: labels do not round-trip"


def write_expected(folder, margin, output, cls=None):
    """expected.csv: margin_0..G-1, output_0..G-1 and, for classifiers, class."""
    margin = np.asarray(margin, dtype=np.float64)
    output = np.asarray(output, dtype=np.float64)
    if margin.ndim == 1:
        margin = margin[:, None]
    if output.ndim == 1:
        output = output[:, None]
    n, g = margin.shape
    assert output.shape == (n, g), (margin.shape, output.shape)
    header = [f"margin_{k}" for k in range(g)] + [f"output_{k}" for k in range(g)]
    if cls is not None:
        cls = np.asarray(cls)
        assert cls.shape == (n,)
        header.append("class")
    rows = []
    for i in range(n):
        cells = [fmt_float(v) for v in margin[i]] + [fmt_float(v) for v in output[i]]
        if cls is not None:
            c = float(cls[i])
            assert c == int(c)
            cells.append(str(int(c)))
        rows.append(cells)
    _write(os.path.join(folder, "expected.csv"), header, rows)


def softmax(m):
    m = np.asarray(m, dtype=np.float64)
    e = np.exp(m - m.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
