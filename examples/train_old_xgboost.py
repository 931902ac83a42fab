#!/usr/bin/env python3
"""Importer fixtures written by older XGBoost releases (JSON format of 1.7 and 2.1).

train.py does not need this script. Each old release lives in a throwaway venv;
the script picks the fixture from the xgboost version it runs under:

    python3 -m venv /tmp/xgb17
    /tmp/xgb17/bin/pip install xgboost==1.7.6 "numpy<2" "pandas<2.3" "scikit-learn<1.6"
    /tmp/xgb17/bin/python examples/train_old_xgboost.py     # -> xgb17-binary

    python3 -m venv /tmp/xgb21
    /tmp/xgb21/bin/pip install xgboost==2.1.4 "numpy<2.2" "pandas<2.3" "scikit-learn<1.6"
    /tmp/xgb21/bin/python examples/train_old_xgboost.py     # -> xgb21-multi

(Used: xgboost 1.7.6 with numpy 1.26.4, pandas 2.2.3, scikit-learn 1.5.2; xgboost 2.1.4
with numpy 2.1.3, pandas 2.2.3, scikit-learn 1.5.2.)
Output: hdl-gen/tests/fixtures/<name>/{model.json,data.csv,expected.csv}, with the
conventions of README.md.
"""

import os
import sys

import xgboost as xgb
from sklearn import datasets

from fixture_io import frame, write_data, write_expected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "hdl-gen", "tests", "fixtures")
SEED = 0


def run(name, dataset, **kw):
    d = getattr(datasets, f"load_{dataset}")()
    X, y = frame(d.data, d.feature_names), d.target
    folder = os.path.join(FIXTURES, name)
    os.makedirs(folder, exist_ok=True)
    m = xgb.XGBClassifier(tree_method="hist", n_jobs=1, random_state=SEED,
                          learning_rate=0.3, **kw)
    m.fit(X, y)
    m.get_booster().save_model(os.path.join(folder, "model.json"))
    proba = m.predict_proba(X)
    output = proba[:, 1] if proba.shape[1] == 2 else proba
    write_data(folder, X, y, classification=True)
    write_expected(folder, m.predict(X, output_margin=True), output, m.predict(X))
    print(f"wrote {folder} with xgboost {xgb.__version__}")


def main():
    major_minor = tuple(int(p) for p in xgb.__version__.split(".")[:2])
    if major_minor == (1, 7):
        run("xgb17-binary", "breast_cancer", objective="binary:logistic",
            n_estimators=20, max_depth=3)
    elif major_minor == (2, 1):
        run("xgb21-multi", "wine", objective="multi:softprob", n_estimators=8, max_depth=3)
    else:
        sys.exit(f"xgboost {xgb.__version__}: expected 1.7.x or 2.1.x (see the header)")


if __name__ == "__main__":
    main()
