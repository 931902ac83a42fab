"""cpu_xgboost: XGBoost's own predict speed (rows/s) on one thread and on all threads for each XGBoost example, written to bench/results/cpu_xgboost.json.

Usage (make bench runs it in .venv-bench): python bench/cpu_xgboost.py ROWS
Each example's data.csv is tiled to ROWS rows; the time is the best of 5 runs of
`Booster.inplace_predict` (margins of every class), the same rows the locus
reference predicts in bench_reference.
"""
import json
import os
import sys

import xgboost as xgb

from cpu_models import best, tiled  # the same tiling and timing as the bench models

MODELS = ["iris-xgb", "diabetes-xgb", "digits-xgb"]


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = []
    for name in MODELS:
        ex = os.path.join(root, "examples", name)
        b = xgb.Booster(model_file=os.path.join(ex, "model.json"))
        x = tiled(os.path.join(ex, "data.csv"), rows)
        entry = {"model": name, "rows": rows, "trees": len(b.get_dump())}
        for label, threads in (("one_thread", 1), ("all_threads", os.cpu_count() or 1)):
            b.set_param({"nthread": threads})
            b.inplace_predict(x[:1000], predict_type="margin")  # warm up
            s = best(lambda: b.inplace_predict(x, predict_type="margin"))
            entry[f"xgboost_{label}_rows_per_second"] = rows / s
        entry["threads"] = os.cpu_count() or 1
        entry["xgboost"] = xgb.__version__
        out.append(entry)
        print(f"{name}: {entry['xgboost_one_thread_rows_per_second']:.0f} rows/s on one thread", file=sys.stderr)
    os.makedirs(os.path.join(root, "bench", "results"), exist_ok=True)
    with open(os.path.join(root, "bench", "results", "cpu_xgboost.json"), "w") as f:
        json.dump({"benchmark": "cpu_xgboost", "results": out}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
