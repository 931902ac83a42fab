"""cpu_models: each benchmark model's own library predicting on this CPU (rows/s, one thread and all threads), for the FPGA-vs-CPU table of bench_compare.

Usage (make bench runs it in .venv-bench): python bench/cpu_models.py MODELS_DIR OUT_JSON [ROWS]
MODELS_DIR holds bench/train_models.py's output. Each model's test.csv is tiled to
ROWS rows (float32); the time is the best of 5 runs of the library's own batch
prediction: XGBoost `Booster.inplace_predict` (margins) for GBDTs, scikit-learn
`predict_proba` for random forests (n_jobs 1, then all cores).
"""
import json
import os
import pickle
import sys
import time

import numpy as np


def tiled(path, rows):
    with open(path) as f:
        header = f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",", ndmin=2)
    cols = [i for i, h in enumerate(header) if h != "label"]
    x = data[:, cols]
    reps = -(-rows // len(x))
    return np.tile(x, (reps, 1))[:rows].astype(np.float32)


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def rates(model, x, library):
    """Rows per second on one thread and on all threads."""
    out = {}
    threads = os.cpu_count() or 1
    for label, n in (("one_thread", 1), ("all_threads", threads)):
        if library == "xgb":
            b = model.get_booster()
            b.set_param({"nthread": n})
            fn = lambda: b.inplace_predict(x, predict_type="margin")  # noqa: E731
        else:
            model.set_params(n_jobs=n)
            fn = lambda: model.predict_proba(x)  # noqa: E731
        fn()  # warm up
        out[f"{label}_rows_per_second"] = len(x) / best(fn)
    out["threads"] = threads
    return out


def main():
    models_dir, out_json = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    results = []
    for name in sorted(os.listdir(models_dir)):
        d = os.path.join(models_dir, name)
        if not os.path.exists(os.path.join(d, "meta.json")):
            continue
        meta = json.load(open(os.path.join(d, "meta.json")))
        with open(os.path.join(d, "model.pkl"), "rb") as f:
            model = pickle.load(f)
        x = tiled(os.path.join(d, "test.csv"), rows)
        lib = meta["library"]
        entry = {"model": name, "rows": rows, "library": "xgboost" if lib == "xgb" else "scikit-learn"}
        if lib == "xgb":
            import xgboost

            entry["version"] = xgboost.__version__
        else:
            import sklearn

            entry["version"] = sklearn.__version__
        entry.update(rates(model, x, lib))
        results.append(entry)
        print(f"{name}: {entry['one_thread_rows_per_second']:.0f} rows/s on one thread", file=sys.stderr)
    with open(out_json, "w") as f:
        json.dump({"benchmark": "cpu_models", "results": results}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
