#!/usr/bin/env python3
"""Train scikit-learn (and XGBoost / LightGBM) tree ensembles, export them to ONNX, and
write the ONNX importer fixtures, deterministically.

Run from anywhere:  python3 examples/train_sklearn.py
Writes hdl-gen/tests/fixtures/onnx-<name>/ and examples/iris-sklearn-rf/, each holding
model.onnx, data.csv and expected.csv (conventions: examples/README.md).

expected.csv holds the library's own predictions (scikit-learn's `decision_function`,
`predict_proba` and `predict`; XGBoost's and LightGBM's margins and probabilities) and
onnxruntime's on the same rows (`ort_output_k`, `ort_class`). For forests and single
trees, which have no margin, `margin_k` is the averaged probability of class k; for a
binary one it is P(class 1) − 0.5 (class 1 when it is > 0) and `output_0` is P(class 1).
`class` and `ort_class` are class indices (positions in `classes_`).

Versions: examples/requirements.txt (skl2onnx 1.20 needs protobuf 6.x: with protobuf 7
it fails on HistGradientBoosting).
"""

import os

import lightgbm as lgb
import numpy as np
import onnx
import onnxruntime as ort
import xgboost as xgb
from onnx import helper, numpy_helper
from onnxmltools import convert_lightgbm, convert_xgboost
from onnxmltools.convert.common.data_types import FloatTensorType
from skl2onnx import to_onnx
from sklearn import datasets, ensemble, tree

from fixture_io import _write, fmt_float, frame

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
FIXTURES = os.path.join(ROOT, "hdl-gen", "tests", "fixtures")

SEED = 0
MAX_ROWS = 600


def load(name):
    """(X as a float64 DataFrame with sanitised names, y) for a scikit-learn toy set."""
    d = getattr(datasets, f"load_{name}")()
    names = d.feature_names if name != "digits" else [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    return frame(d.data, names), d.target


def with_nan(X, fraction, seed):
    """A copy of X with about `fraction` of its cells set to NaN (fixed seed)."""
    rng = np.random.default_rng(seed)
    return X.mask(rng.random(X.shape) < fraction)


def rows(X, y):
    """At most MAX_ROWS rows, evenly spread (the fixture rows; training uses all)."""
    if len(X) <= MAX_ROWS:
        return X, y
    idx = np.linspace(0, len(X) - 1, MAX_ROWS).round().astype(int)
    return X.iloc[idx].reset_index(drop=True), np.asarray(y)[idx]


def outdir(base, name):
    d = os.path.join(base, name)
    os.makedirs(d, exist_ok=True)
    return d


def run_ort(model, X):
    """onnxruntime's label and scores on float32 rows."""
    s = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    name = s.get_inputs()[0].name
    dtype = np.float64 if s.get_inputs()[0].type == "tensor(double)" else np.float32
    return s.run(None, {name: X.to_numpy().astype(dtype)})


def ort_proba(out):
    """Probabilities from a classifier's second output (a tensor, or ZipMap dicts)."""
    p = out[1]
    if isinstance(p, list):
        keys = list(p[0].keys())
        p = np.array([[d[k] for k in keys] for d in p])
    return np.asarray(p, dtype=np.float64)


def save(folder, model, X, y, margin, output, cls, ort_output, ort_cls, labels=None):
    """model.onnx, data.csv (labels as given: indices or names) and expected.csv."""
    onnx.save(model, os.path.join(folder, "model.onnx"))
    vals = X.to_numpy(dtype=np.float64)
    data = []
    for i in range(vals.shape[0]):
        cells = [fmt_float(v) for v in vals[i]]
        if labels is not None:
            cells.append(str(labels[i]))
        else:
            cells.append(fmt_float(y[i]))
        data.append(cells)
    _write(os.path.join(folder, "data.csv"), list(X.columns) + ["label"], data)

    def cols(a):
        a = np.asarray(a, dtype=np.float64)
        return a[:, None] if a.ndim == 1 else a

    margin, output, ort_output = cols(margin), cols(output), cols(ort_output)
    g = margin.shape[1]
    header = [f"margin_{k}" for k in range(g)] + [f"output_{k}" for k in range(g)]
    header += [f"ort_output_{k}" for k in range(g)]
    if cls is not None:
        header += ["class", "ort_class"]
    out = []
    for i in range(margin.shape[0]):
        cells = [fmt_float(v) for v in margin[i]] + [fmt_float(v) for v in output[i]]
        cells += [fmt_float(v) for v in ort_output[i]]
        if cls is not None:
            cells += [str(int(cls[i])), str(int(ort_cls[i]))]
        out.append(cells)
    _write(os.path.join(folder, "expected.csv"), header, out)
    if cls is not None:
        differ = int((np.asarray(cls) != np.asarray(ort_cls)).sum())
    else:
        differ = int((~np.isclose(output[:, 0], ort_output[:, 0], rtol=1e-5, atol=1e-6)).sum())
    print(f"{os.path.relpath(folder, ROOT)}: {len(X)} rows, sklearn vs onnxruntime differ on {differ}")


def index_of(classes, labels):
    """Class indices of labels (positions in `classes`)."""
    pos = {c: i for i, c in enumerate(classes)}
    return np.array([pos[v] for v in labels])


def sklearn_classifier(folder, m, X, y, names=None, proba_margin=False, fix_missing=False):
    """Train a scikit-learn classifier on all of X, export, predict on the fixture rows.

    `names`: class names (strings) for y; `proba_margin`: a forest or tree, whose margin is
    its probability; `fix_missing`: write the trees' missing_go_to_left into the ONNX
    file, which skl2onnx 1.20 leaves out for DecisionTree and RandomForest."""
    y_fit = np.asarray(names)[y] if names is not None else y
    m.fit(X.to_numpy(), y_fit)
    model = to_onnx(m, X.to_numpy()[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    if fix_missing:
        model = write_missing_directions(model, m)
    Xs, ys = rows(X, y)
    proba = m.predict_proba(Xs.to_numpy())
    cls = index_of(m.classes_, m.predict(Xs.to_numpy()))
    if proba_margin:
        margin = proba[:, 1] - 0.5 if proba.shape[1] == 2 else proba
    else:
        margin = m.decision_function(Xs.to_numpy())
    output = proba[:, 1] if proba.shape[1] == 2 else proba
    o = run_ort(model, Xs)
    op = ort_proba(o)
    ort_output = op[:, 1] if op.shape[1] == 2 else op
    labels = np.asarray(names)[ys] if names is not None else ys.astype(int)
    save(folder, model, Xs, ys, margin, output, cls, ort_output, index_of(m.classes_, o[0]), labels)
    return m, model


def sklearn_regressor(folder, m, X, y):
    m.fit(X.to_numpy(), y)
    model = to_onnx(m, X.to_numpy()[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    Xs, ys = rows(X, y)
    p = m.predict(Xs.to_numpy())
    o = run_ort(model, Xs)
    save(folder, model, Xs, ys, p, p, None, o[0].ravel(), None)
    return m, model


def tree_node(model):
    return next(n for n in model.graph.node if n.op_type.startswith("TreeEnsemble"))


def write_missing_directions(model, m):
    """Sets nodes_missing_value_tracks_true from each tree's `missing_go_to_left`
    (skl2onnx writes tree t's node i as nodes_treeids t, nodes_nodeids i; the true
    child of BRANCH_LEQ is the left child)."""
    trees = [e.tree_ for e in m.estimators_] if hasattr(m, "estimators_") else [m.tree_]
    node = tree_node(model)
    a = {x.name: x for x in node.attribute}
    tids, nids, modes = a["nodes_treeids"].ints, a["nodes_nodeids"].ints, a["nodes_modes"].strings
    tracks = [
        int(modes[k] != b"LEAF" and trees[tids[k]].missing_go_to_left[nids[k]])
        for k in range(len(tids))
    ]
    a["nodes_missing_value_tracks_true"].CopyFrom(helper.make_attribute("nodes_missing_value_tracks_true", tracks))
    return model


def onnxml_classifier(folder, m, X, y, convert):
    m.fit(X.to_numpy(), y)
    model = convert(m, initial_types=[("input", FloatTensorType([None, X.shape[1]]))])
    Xs, ys = rows(X, y)
    xs = Xs.to_numpy()
    if isinstance(m, xgb.XGBClassifier):
        margin = m.predict(xs, output_margin=True)
    else:
        margin = m.predict(xs, raw_score=True)
    proba = m.predict_proba(xs)
    output = proba[:, 1] if proba.shape[1] == 2 else proba
    o = run_ort(model, Xs)
    op = ort_proba(o)
    ort_output = op[:, 1] if op.shape[1] == 2 else op
    save(folder, model, Xs, ys, margin, output, index_of(m.classes_, m.predict(xs)), ort_output,
         index_of(m.classes_, o[0]), ys.astype(int))


def as_tree_ensemble(model):
    """The same regressor as an ai.onnx.ml opset-5 `TreeEnsemble` (no exporter writes it
    yet): node ids become global split indices, leaves a separate weight list."""
    node = tree_node(model)
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    modes = [m.decode() for m in a["nodes_modes"]]
    key = list(zip(a["nodes_treeids"], a["nodes_nodeids"]))
    split_at, leaf_at = {}, {}
    for k, mode in enumerate(modes):
        if mode == "LEAF":
            leaf_at[key[k]] = len(leaf_at)
        else:
            split_at[key[k]] = len(split_at)
    weight = {}
    for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"]):
        weight[(t, n)] = weight.get((t, n), 0.0) + w
    code = {"BRANCH_LEQ": 0, "BRANCH_LT": 1, "BRANCH_GTE": 2, "BRANCH_GT": 3}
    feat, split, mode, tids, tleaf, fids, fleaf, miss = [], [], [], [], [], [], [], []
    roots = {}
    for k, m_ in enumerate(modes):
        t = key[k][0]
        if m_ == "LEAF":
            continue
        roots.setdefault(t, split_at[key[k]])
        feat.append(a["nodes_featureids"][k])
        split.append(a["nodes_values"][k])
        mode.append(code[m_])
        for child, ids, leafs in [(a["nodes_truenodeids"][k], tids, tleaf), (a["nodes_falsenodeids"][k], fids, fleaf)]:
            if (t, child) in leaf_at:
                ids.append(leaf_at[(t, child)])
                leafs.append(1)
            else:
                ids.append(split_at[(t, child)])
                leafs.append(0)
        miss.append(a["nodes_missing_value_tracks_true"][k])
    leaves = sorted(leaf_at, key=leaf_at.get)
    new = helper.make_node(
        "TreeEnsemble", list(node.input), list(node.output), domain="ai.onnx.ml",
        n_targets=1, aggregate_function=1, post_transform=0,
        tree_roots=[roots[t] for t in sorted(roots)],
        nodes_featureids=feat,
        nodes_splits=numpy_helper.from_array(np.array(split, dtype=np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(mode, dtype=np.uint8)),
        nodes_truenodeids=tids, nodes_trueleafs=tleaf, nodes_falsenodeids=fids, nodes_falseleafs=fleaf,
        nodes_missing_value_tracks_true=miss,
        leaf_targetids=[0] * len(leaves),
        leaf_weights=numpy_helper.from_array(np.array([weight.get(l, 0.0) for l in leaves], dtype=np.float32)),
    )
    base = a.get("base_values", [0.0])[0]
    graph = model.graph
    out = graph.output[0].name
    nodes = [new]
    if base != 0.0:
        new.output[0] = "tree_sum"
        graph.initializer.append(numpy_helper.from_array(np.array([base], dtype=np.float32), "base"))
        nodes.append(helper.make_node("Add", ["tree_sum", "base"], [out]))
    g = helper.make_graph(nodes, graph.name, list(graph.input), list(graph.output), list(graph.initializer))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)],
                             producer_name="train_sklearn.py", ir_version=10)


def tree_ensemble_fixture(folder, X, y):
    """A GradientBoostingRegressor with its base value folded into the first tree's
    leaves (TreeEnsemble has no base_values), written as a TreeEnsemble node."""
    m = ensemble.GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=SEED)
    m.fit(X.to_numpy(), y)
    model = to_onnx(m, X.to_numpy()[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    node = tree_node(model)
    a = {x.name: x for x in node.attribute}
    base = list(a["base_values"].floats)[0]
    first = [k for k, t in enumerate(a["target_treeids"].ints) if t == 0]
    w = list(a["target_weights"].floats)
    for k in first:
        w[k] = float(np.float32(w[k] + base))
    a["target_weights"].CopyFrom(helper.make_attribute("target_weights", w))
    a["base_values"].CopyFrom(helper.make_attribute("base_values", [0.0]))
    te = as_tree_ensemble(model)
    onnx.checker.check_model(te)
    Xs, ys = rows(X, y)
    p = m.predict(Xs.to_numpy())
    o = run_ort(te, Xs)
    save(folder, te, Xs, ys, p, p, None, o[0].ravel(), None)


def fixtures():
    Xi, yi = load("iris")
    Xw, yw = load("wine")
    Xb, yb = load("breast_cancer")
    Xd, yd = load("digits")
    Xr, yr = load("diabetes")
    Xbn = with_nan(Xb, 0.10, SEED + 3)
    Xrn = with_nan(Xr, 0.10, SEED + 4)
    Xwn = with_nan(Xw, 0.10, SEED + 5)
    F = lambda n: outdir(FIXTURES, f"onnx-{n}")  # noqa: E731

    wine_names = ["barolo", "grignolino", "barbera"]
    sklearn_classifier(F("dt-wine-names"), tree.DecisionTreeClassifier(max_depth=5, random_state=SEED),
                       Xw, yw, names=wine_names, proba_margin=True)
    sklearn_classifier(F("rf-digits"), ensemble.RandomForestClassifier(
        n_estimators=20, max_depth=8, random_state=SEED, n_jobs=1), Xd, yd, proba_margin=True)
    sklearn_classifier(F("et-breast-cancer"), ensemble.ExtraTreesClassifier(
        n_estimators=15, max_depth=6, random_state=SEED, n_jobs=1), Xb, yb, proba_margin=True)
    sklearn_classifier(F("gb-binary"), ensemble.GradientBoostingClassifier(
        n_estimators=30, max_depth=3, random_state=SEED), Xb, yb)
    sklearn_classifier(F("gb-multi"), ensemble.GradientBoostingClassifier(
        n_estimators=10, max_depth=3, random_state=SEED), Xw, yw)
    sklearn_classifier(F("hgb-binary-missing"), ensemble.HistGradientBoostingClassifier(
        max_iter=30, max_depth=4, random_state=SEED), Xbn, yb)
    sklearn_classifier(F("hgb-multi"), ensemble.HistGradientBoostingClassifier(
        max_iter=10, max_depth=3, random_state=SEED), Xw, yw)
    sklearn_classifier(F("rf-missing"), ensemble.RandomForestClassifier(
        n_estimators=10, max_depth=5, random_state=SEED, n_jobs=1), Xwn, yw, proba_margin=True,
        fix_missing=True)
    sklearn_classifier(F("dt-missing-as-exported"), tree.DecisionTreeClassifier(
        max_depth=5, random_state=SEED), Xbn, yb, proba_margin=True)
    sklearn_regressor(F("gb-regressor"), ensemble.GradientBoostingRegressor(
        n_estimators=40, max_depth=3, random_state=SEED), Xr, yr)
    sklearn_regressor(F("hgb-regressor-missing"), ensemble.HistGradientBoostingRegressor(
        max_iter=40, max_depth=4, random_state=SEED), Xrn, yr)
    sklearn_regressor(F("rf-regressor"), ensemble.RandomForestRegressor(
        n_estimators=20, max_depth=6, random_state=SEED, n_jobs=1), Xr, yr)
    sklearn_regressor(F("dt-regressor"), tree.DecisionTreeRegressor(max_depth=6, random_state=SEED), Xr, yr)
    onnxml_classifier(F("xgb-binary-missing"), xgb.XGBClassifier(
        n_estimators=20, max_depth=3, n_jobs=1, random_state=SEED, tree_method="hist"), Xbn, yb, convert_xgboost)
    onnxml_classifier(F("lgbm-multi"), lgb.LGBMClassifier(
        n_estimators=10, num_leaves=8, n_jobs=1, random_state=SEED, verbose=-1), Xw, yw, convert_lightgbm)
    tree_ensemble_fixture(F("tree-ensemble-op5"), Xr, yr)


def examples():
    Xi, yi = load("iris")
    sklearn_classifier(outdir(EXAMPLES, "iris-sklearn-rf"), ensemble.RandomForestClassifier(
        n_estimators=10, max_depth=4, random_state=SEED, n_jobs=1), Xi, yi,
        names=["setosa", "versicolor", "virginica"], proba_margin=True)


if __name__ == "__main__":
    fixtures()
    examples()
