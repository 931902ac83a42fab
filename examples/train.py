#!/usr/bin/env python3
"""Train the example models and the importer test fixtures, deterministically.

Run from anywhere:  python3 examples/train.py
Writes examples/<name>/ and hdl-gen/tests/fixtures/<name>/, each holding the model
file (model.json for XGBoost, model.txt for LightGBM), data.csv and expected.csv.
The CSV conventions are in examples/README.md and examples/fixture_io.py.
Versions: examples/requirements.txt. Old-XGBoost fixtures: train_old_xgboost.py.
"""

import os

import lightgbm as lgb
import numpy as np
import xgboost as xgb
from sklearn import datasets

from fixture_io import frame, write_data, write_expected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
FIXTURES = os.path.join(ROOT, "hdl-gen", "tests", "fixtures")

SEED = 0


def load(name):
    """(X as a float64 DataFrame with sanitised names, y) for a scikit-learn toy set."""
    d = getattr(datasets, f"load_{name}")()
    names = d.feature_names if name != "digits" else [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    return frame(d.data, names), d.target


def with_nan(X, fraction, seed):
    """A copy of X with about `fraction` of its cells set to NaN (fixed seed)."""
    rng = np.random.default_rng(seed)
    X = X.copy()
    mask = rng.random(X.shape) < fraction
    X = X.mask(mask)
    return X


def outdir(base, name):
    d = os.path.join(base, name)
    os.makedirs(d, exist_ok=True)
    return d


# ---------------------------------------------------------------------------- XGBoost


def xgb_common(**kw):
    p = dict(tree_method="hist", n_jobs=1, random_state=SEED, learning_rate=0.3)
    p.update(kw)
    return p


def xgb_classifier(folder, X, y, wrapper_save, **kw):
    m = xgb.XGBClassifier(**xgb_common(**kw))
    m.fit(X, y)
    path = os.path.join(folder, "model.json")
    if wrapper_save:
        m.save_model(path)
    else:
        m.get_booster().save_model(path)
    margin = m.predict(X, output_margin=True)
    proba = m.predict_proba(X)
    output = proba[:, 1] if proba.shape[1] == 2 else proba
    write_data(folder, X, y, classification=True)
    write_expected(folder, margin, output, m.predict(X))


def xgb_regressor(folder, X, y, wrapper_save, **kw):
    m = xgb.XGBRegressor(**xgb_common(**kw))
    m.fit(X, y)
    path = os.path.join(folder, "model.json")
    if wrapper_save:
        m.save_model(path)
    else:
        m.get_booster().save_model(path)
    write_data(folder, X, y, classification=False)
    write_expected(folder, m.predict(X, output_margin=True), m.predict(X))


# ---------------------------------------------------------------------------- LightGBM


def lgbm_common(**kw):
    p = dict(
        random_state=SEED,
        n_jobs=1,
        deterministic=True,
        force_col_wise=True,
        verbose=-1,
        learning_rate=0.1,
    )
    p.update(kw)
    return p


def lgbm_classifier(folder, X, y, **kw):
    m = lgb.LGBMClassifier(**lgbm_common(**kw))
    m.fit(X, y)
    m.booster_.save_model(os.path.join(folder, "model.txt"))
    proba = m.predict_proba(X)
    output = proba[:, 1] if proba.shape[1] == 2 else proba
    write_data(folder, X, y, classification=True)
    write_expected(folder, m.predict(X, raw_score=True), output, m.predict(X))
    return m


def lgbm_regressor(folder, X, y, **kw):
    m = lgb.LGBMRegressor(**lgbm_common(**kw))
    m.fit(X, y)
    m.booster_.save_model(os.path.join(folder, "model.txt"))
    write_data(folder, X, y, classification=False)
    write_expected(folder, m.predict(X, raw_score=True), m.predict(X))
    return m


# ---------------------------------------------------------------------------- the sets


def examples():
    X, y = load("iris")
    xgb_classifier(outdir(EXAMPLES, "iris-xgb"), X, y, True,
                   objective="multi:softprob", n_estimators=10, max_depth=3)

    X, y = load("breast_cancer")
    lgbm_classifier(outdir(EXAMPLES, "breast-cancer-lgbm"), X, y,
                    objective="binary", n_estimators=20, num_leaves=8)

    X, y = load("diabetes")
    xgb_regressor(outdir(EXAMPLES, "diabetes-xgb"), X, y, True,
                  objective="reg:squarederror", n_estimators=30, max_depth=3)

    X, y = load("digits")
    xgb_classifier(outdir(EXAMPLES, "digits-xgb"), X, y, True,
                   objective="multi:softprob", n_estimators=12, max_depth=4)


def fixtures():
    X, y = load("breast_cancer")
    xgb_classifier(outdir(FIXTURES, "xgb-binary-logistic"), X, y, False,
                   objective="binary:logistic", n_estimators=20, max_depth=3)

    X, y = load("diabetes")
    y01 = (y - y.min()) / (y.max() - y.min())
    xgb_regressor(outdir(FIXTURES, "xgb-reg-logistic"), X, y01, False,
                  objective="reg:logistic", n_estimators=20, max_depth=3)

    X, y = load("wine")
    xgb_classifier(outdir(FIXTURES, "xgb-multi-softmax"), X, y, False,
                   objective="multi:softmax", n_estimators=8, max_depth=3)

    X, y = load("breast_cancer")
    xgb_classifier(outdir(FIXTURES, "xgb-missing"), with_nan(X, 0.10, SEED + 1), y, False,
                   objective="binary:logistic", n_estimators=20, max_depth=3)

    X, y = load("wine")
    lgbm_classifier(outdir(FIXTURES, "lgbm-multiclass"), X, y,
                    objective="multiclass", n_estimators=8, num_leaves=8)

    X, y = load("diabetes")
    lgbm_regressor(outdir(FIXTURES, "lgbm-regression"), X, y,
                   objective="regression", n_estimators=30, num_leaves=8)

    lgbm_missing(outdir(FIXTURES, "lgbm-missing"))

    X, y = load("breast_cancer")
    lgbm_classifier(outdir(FIXTURES, "lgbm-rf"), X, y,
                    boosting_type="rf", objective="binary", n_estimators=20, num_leaves=8,
                    subsample=0.7, subsample_freq=1, colsample_bytree=0.8)


def lgbm_missing(folder):
    """Binary model whose splits carry both missing types, NaN and Zero.

    LightGBM fixes one missing type per feature when it bins the data (NaN if the
    column has NaNs, Zero everywhere under zero_as_missing), so the first 10 trees
    are trained with zero_as_missing=False and the next 10 continue from them with
    zero_as_missing=True. The library predicts with the combined model.txt.
    """
    X, y = load("breast_cancer")
    X = with_nan(X, 0.10, SEED + 2)
    # A sparse column: many exact zeros (and its NaN cells stay NaN).
    col = "worst_concave_points"
    X.loc[X[col] < X[col].quantile(0.4), col] = 0.0
    common = lgbm_common(objective="binary", num_leaves=8)
    first = lgb.LGBMClassifier(n_estimators=10, zero_as_missing=False, **common)
    first.fit(X, y)
    m = lgb.LGBMClassifier(n_estimators=10, zero_as_missing=True, **common)
    m.fit(X, y, init_model=first.booster_)
    m.booster_.save_model(os.path.join(folder, "model.txt"))
    write_data(folder, X, y, classification=True)
    write_expected(folder, m.predict(X, raw_score=True), m.predict_proba(X)[:, 1], m.predict(X))


if __name__ == "__main__":
    examples()
    fixtures()
