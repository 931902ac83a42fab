"""bench/train_models.py: trains the side-by-side benchmark models (make bench) into a directory.

Usage: .venv-bench/bin/python bench/train_models.py OUT_DIR [NAME ...]

Each model gets OUT_DIR/<name>/ with
  model.json   XGBoost Booster JSON (GBDTs), or model.onnx (random forests, by skl2onnx)
  model.pkl    the trained Python object (conifer and alkaid read these)
  train.csv    the training rows (header: feature names, then `label`); locus calibrates on it
  test.csv     held-out rows every tool is scored on
  meta.json    task, classes, size (trees, depth, splits), float metric on test.csv
Seeds are fixed and training uses one thread, so a rerun gives the same models.
"""

import json
import pickle
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.model_selection import train_test_split

# name: (dataset, library, task, trees per class, depth); XGBoost learns at rate 0.3 but
# for bc-l, whose 1,000 trees need a slower rate to stay trees (at 0.3, 848 of them have
# no split left once the training rows are fitted; at 0.05 every tree splits: 1,770 splits).
LEARNING_RATE = {"bc-l": 0.05}
MODELS = {
    "bc-s": ("breast_cancer", "xgb", "binary", 20, 3),
    "bc-m": ("breast_cancer", "xgb", "binary", 100, 4),
    "digits-s": ("digits", "xgb", "multiclass", 10, 3),
    "digits-m": ("digits", "xgb", "multiclass", 30, 4),
    "digits4-s": ("digits4", "xgb", "multiclass", 10, 3),
    "digits4-m": ("digits4", "xgb", "multiclass", 30, 4),
    "diabetes-s": ("diabetes", "xgb", "regression", 20, 3),
    "diabetes-m": ("diabetes", "xgb", "regression", 100, 4),
    "rf-s": ("breast_cancer", "rf", "binary", 10, 4),
    "rf-m": ("breast_cancer", "rf", "binary", 50, 6),
    "bc-l": ("breast_cancer", "xgb", "binary", 1000, 6),
}


def dataset(name):
    if name == "breast_cancer":
        d = load_breast_cancer()
        return d.data, d.target, [f.replace(" ", "_") for f in d.feature_names]
    if name == "diabetes":
        d = load_diabetes()
        return d.data, d.target, list(d.feature_names)
    d = load_digits()
    x = d.data
    if name == "digits4":  # 4-bit integer pixels, as TreeLUT and QXGB take them
        x = np.minimum(x, 15.0)
    return x, d.target, [f"p{i}" for i in range(x.shape[1])]


def write_csv(path, x, y, names, task):
    with open(path, "w") as f:
        f.write(",".join(names + ["label"]) + "\n")
        for row, label in zip(x, y):
            cells = [repr(float(v)) for v in row]
            cells.append(repr(float(label)) if task == "regression" else str(int(label)))
            f.write(",".join(cells) + "\n")


def train(name, out):
    data, lib, task, trees, depth = MODELS[name]
    x, y, names = dataset(data)
    strat = None if task == "regression" else y
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0, stratify=strat)
    d = out / name
    d.mkdir(parents=True, exist_ok=True)
    if lib == "xgb":
        import xgboost as xgb

        cls = xgb.XGBRegressor if task == "regression" else xgb.XGBClassifier
        m = cls(n_estimators=trees, max_depth=depth, learning_rate=LEARNING_RATE.get(name, 0.3), n_jobs=1, random_state=0,
                tree_method="exact")
        m.fit(xtr, ytr)
        m.get_booster().save_model(str(d / "model.json"))
        splits = sum(t.count('"split"') for t in m.get_booster().get_dump(dump_format="json"))
    else:
        from sklearn.ensemble import RandomForestClassifier
        from skl2onnx import to_onnx

        m = RandomForestClassifier(n_estimators=trees, max_depth=depth, n_jobs=1, random_state=0)
        m.fit(xtr, ytr)
        splits = int(sum(e.tree_.node_count - e.tree_.n_leaves for e in m.estimators_))
        onx = to_onnx(m, xtr[:1].astype(np.float32), options={id(m): {"zipmap": False}},
                      target_opset={"": 17, "ai.onnx.ml": 3})
        (d / "model.onnx").write_bytes(onx.SerializeToString())
    with open(d / "model.pkl", "wb") as f:
        pickle.dump(m, f)
    write_csv(d / "train.csv", xtr, ytr, names, task)
    write_csv(d / "test.csv", xte, yte, names, task)
    pred = m.predict(xte)
    if task == "regression":
        metric, value = "rmse", float(np.sqrt(np.mean((pred - yte) ** 2)))
    else:
        metric, value = "accuracy", float(np.mean(pred == yte))
    classes = 0 if task == "regression" else int(len(np.unique(y)))
    n_trees = trees * (classes if task == "multiclass" else 1)
    meta = {
        "name": name, "dataset": data, "library": lib, "task": task, "classes": classes,
        "features": int(x.shape[1]), "trees": n_trees, "depth": depth, "splits": splits,
        "train_rows": int(len(ytr)), "test_rows": int(len(yte)),
        "metric": metric, "float_test": value,
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"{name}: {n_trees} trees, depth {depth}, test {metric} {value:.4f}")


def main():
    out = Path(sys.argv[1])
    for name in sys.argv[2:] or list(MODELS):
        train(name, out)


if __name__ == "__main__":
    main()
