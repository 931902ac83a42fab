#!/usr/bin/env python3
"""Train the RBF-kernel SVM examples, deterministically, and export them with skl2onnx.

Run from anywhere:  python3 examples/train_rbf.py
Writes examples/<name>/model.onnx, data.csv and expected.csv for iris-svc, wine-svc,
breast-cancer-svc (SVC, kernel="rbf", one-vs-one) and diabetes-svr (SVR, kernel="rbf"),
and the importer fixtures hdl-gen/tests/fixtures/svc-ovr-wine (default one-vs-rest) and
svc-scaler-wine (a StandardScaler + SVC pipeline on the raw features).
Features are standardised (StandardScaler over all rows) before training, and data.csv
holds the standardised values: the model file holds only the SVM.

expected.csv (conventions in README.md): margin_0..P-1 = scikit-learn's
decision_function with decision_function_shape="ovo" (one column per class pair
(i, j), i < j, in that order; binary: the single column), output_* = the same values,
class = predict(). Regression: margin_0 = output_0 = predict().
Versions: examples/requirements.txt plus skl2onnx 1.20.0, onnx 1.23.2.
"""

import os

import numpy as np
from skl2onnx import to_onnx
from sklearn import datasets
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

from fixture_io import frame, write_data, write_expected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def load(name):
    d = getattr(datasets, f"load_{name}")()
    X = StandardScaler().fit_transform(d.data)
    return frame(X, d.feature_names), d.target


def save(folder, model, X):
    onx = to_onnx(model, X.to_numpy()[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    # No producer version or doc strings that change between skl2onnx releases.
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(onx.SerializeToString())


def classifier(name, dataset):
    X, y = load(dataset)
    m = SVC(kernel="rbf", C=1.0, gamma="scale", decision_function_shape="ovo").fit(X.to_numpy(), y)
    folder = os.path.join(EXAMPLES, name)
    os.makedirs(folder, exist_ok=True)
    save(folder, m, X)
    write_data(folder, X, y, True)
    dec = m.decision_function(X.to_numpy())
    write_expected(folder, dec, dec, m.predict(X.to_numpy()))


def regressor(name, dataset):
    X, y = load(dataset)
    m = SVR(kernel="rbf", C=50.0, gamma="scale", epsilon=5.0).fit(X.to_numpy(), y)
    folder = os.path.join(EXAMPLES, name)
    os.makedirs(folder, exist_ok=True)
    save(folder, m, X)
    write_data(folder, X, y, False)
    p = m.predict(X.to_numpy())
    write_expected(folder, p, p)


def ovr_fixture(name, dataset):
    """An SVC with scikit-learn's default decision_function_shape="ovr": skl2onnx
    appends its one-vs-rest score transform to the graph. Written to
    hdl-gen/tests/fixtures/<name>/; expected.csv holds the one-vs-one margins (the
    same fitted model) and predict()."""
    X, y = load(dataset)
    m = SVC(kernel="rbf", C=1.0, gamma="scale").fit(X.to_numpy(), y)
    folder = os.path.join(ROOT, "hdl-gen", "tests", "fixtures", name)
    os.makedirs(folder, exist_ok=True)
    save(folder, m, X)
    write_data(folder, X, y, True)
    m.decision_function_shape = "ovo"
    dec = m.decision_function(X.to_numpy())
    write_expected(folder, dec, dec, m.predict(X.to_numpy()))


def scaler_fixture(name, dataset):
    """make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo")) on the raw
    features: skl2onnx puts an ONNX Scaler in front of the SVM. Written to
    hdl-gen/tests/fixtures/<name>/ (data.csv holds the raw, unscaled values)."""
    from sklearn.pipeline import make_pipeline

    d = getattr(datasets, f"load_{dataset}")()
    X = frame(d.data, d.feature_names)
    y = d.target
    m = make_pipeline(StandardScaler(), SVC(kernel="rbf", C=1.0, gamma="scale", decision_function_shape="ovo"))
    m.fit(X.to_numpy(), y)
    folder = os.path.join(ROOT, "hdl-gen", "tests", "fixtures", name)
    os.makedirs(folder, exist_ok=True)
    save(folder, m, X)
    write_data(folder, X, y, True)
    dec = m.decision_function(X.to_numpy())
    write_expected(folder, dec, dec, m.predict(X.to_numpy()))


if __name__ == "__main__":
    classifier("iris-svc", "iris")
    classifier("wine-svc", "wine")
    classifier("breast-cancer-svc", "breast_cancer")
    regressor("diabetes-svr", "diabetes")
    ovr_fixture("svc-ovr-wine", "wine")
    scaler_fixture("svc-scaler-wine", "wine")
