"""conifer_adapter: one benchmark model through conifer's VHDL backend into one Verilog file (GHDL --synth), with the fixed-point accuracy of that very design, for bench_compare.

Usage: .venv-bench/bin/python bench/adapters/conifer_adapter.py MODEL_DIR OUT_DIR

MODEL_DIR is bench/train_models.py output (model.pkl, train.csv, test.csv, meta.json).
OUT_DIR gets
  core.v         every Verilog module of the design, top `BDTTop` (GHDL's translation of
                 conifer's VHDL, unmodified);
  design.json    ports, ties, latency, precision, float and fixed metrics (the contract
                 documented in locus/examples/bench_compare.rs);
  conifer-prj/   conifer's VHDL project of the chosen precision (kept for reference).

Precision. conifer's VHDL backend takes one `ap_fixed<W,I>` for inputs, thresholds and
scores (VHDLConfig asserts the three equal). I is the fewest integer bits (sign included)
that hold every training input and every training score; W is the narrowest, scanning
W = I+2, I+3, ... up to 32 (conifer passes codes through C/VHDL `integer`), whose test
metric stays within 0.5 accuracy points of float (regression: RMSE within 0.5 %).
Features are not rescaled: every tool sees the same raw values.

Accuracy. The fixed metric comes from conifer's own `decision_function` of the VHDL
backend, a GHDL simulation of the VHDL. The Verilog that GHDL synthesises from it
(core.v) is then simulated with Icarus Verilog on every test row, with the same ties
the harness uses; its scores must equal conifer's bit for bit, and the cycle at which
they appear is the latency written to design.json.

Isolation. conifer 1.11's FixedPointConverter compiles a pybind11 module named
`fixed_point` per precision, but Python hands every later converter of the same process
the first module loaded: a second precision in one process silently converts with the
first one's codes. So every conifer call for a precision runs in a fresh process.
"""

import json
import logging
import math
import multiprocessing
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

# conifer's VHDL, in the order GHDL must analyse it (Arrays<k>.vhd go before BDT.vhd).
VHDL_BEFORE_ARRAYS = ["Constants.vhd", "Split.vhd", "Types.vhd", "Tree.vhd", "AddReduce.vhd"]
VHDL_AFTER_ARRAYS = ["BDT.vhd", "BDTTop.vhd"]
TOP = "BDTTop"
MAX_WIDTH = 32  # conifer's to_int and VHDL generics carry codes as 32-bit integers


def setup_environment():
    """Makes conifer's fixed-point converter buildable: this venv's python (for
    `python3 -m pybind11`) first on PATH, and the ap_types headers of the hls4ml wheel."""
    venv_bin = os.path.dirname(os.path.abspath(sys.executable))
    os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")
    if "XILINX_AP_INCLUDE" not in os.environ:
        import importlib.util

        hls4ml = os.path.dirname(importlib.util.find_spec("hls4ml").origin)
        os.environ["XILINX_AP_INCLUDE"] = os.path.join(hls4ml, "templates", "vivado", "ap_types")


def read_csv(path):
    """Feature matrix and label vector of a train_models.py CSV (last column `label`)."""
    with open(path) as f:
        header = f.readline().strip().split(",")
        data = np.loadtxt(f, delimiter=",", ndmin=2)
    if header[-1] != "label":
        raise SystemExit(f"{path}: expected the last column to be `label`, got {header[-1]!r}")
    return data[:, :-1], data[:, -1]


def reference_scores(model, meta, x):
    """The float scores that conifer's scores approximate, one column per output:
    XGBoost raw margins (base score included), or for a random forest the mean
    probability of class 0 (what conifer's sklearn converter puts in the leaves)."""
    if meta["library"] == "xgb":
        m = model.get_booster().inplace_predict(x, predict_type="margin")
        return np.asarray(m, dtype=float).reshape(len(x), -1)
    return model.predict_proba(x)[:, :1].astype(float)


def decide(scores, meta):
    """Predicted class (or value) per row from conifer's scores."""
    if meta["task"] == "regression":
        return scores[:, 0]
    if meta["task"] == "multiclass":
        return np.argmax(scores, axis=1).astype(float)
    if meta["library"] == "xgb":
        return (scores[:, 0] > 0).astype(float)
    # Random forest: the score is P(class 0); sklearn picks class 0 on a tie.
    return (scores[:, 0] < 0.5).astype(float)


def metric(meta, pred, y):
    """Accuracy, or RMSE for regression."""
    if meta["task"] == "regression":
        return float(np.sqrt(np.mean((pred - y) ** 2)))
    return float(np.mean(pred == y))


def close_enough(meta, float_m, fixed_m):
    """The acceptance rule: within 0.5 accuracy points, or RMSE within 0.5 %."""
    if meta["task"] == "regression":
        return fixed_m <= float_m * 1.005
    return fixed_m >= float_m - 0.005


def integer_bits(model, meta, xtr):
    """Fewest integer bits (sign included) whose signed range holds every training
    input (so every threshold that matters) and every training score."""
    big = max(float(np.abs(xtr).max()), float(np.abs(reference_scores(model, meta, xtr)).max()), 1.0)
    return int(math.floor(math.log2(big))) + 2


def convert(model, meta, precision, prj):
    """conifer's VHDL model of `model` at `precision`, its project written to `prj`."""
    import conifer

    cfg = conifer.backends.vhdl.auto_config()
    cfg["OutputDir"] = prj
    cfg["Precision"] = precision
    if meta["library"] == "xgb":
        patch_multiclass_base_score()
        return conifer.converters.convert_from_xgboost(model, cfg)
    return conifer.converters.convert_from_sklearn(model, cfg)


def patch_multiclass_base_score():
    """Works around conifer 1.11 on XGBoost 3 multi-class models. XGBoost 3 stores one
    base_score per class for `multi:softprob`, already as margins (log-space, often
    negative); conifer takes their logit as it does for a binary model's probability, so
    the intercepts become NaN (or wrong) and its accuracy collapses to chance. For those
    models the stored values are used as they are; binary and regression models keep
    conifer's own parsing. The converted ensemble then equals XGBoost's margins (digits-s:
    largest difference 5e-7 in float)."""
    from conifer.converters import xgboost as conifer_xgb

    original = getattr(conifer_xgb.parse_base_score, "conifer_original", conifer_xgb.parse_base_score)

    def parse_base_score(meta_json, n_classes):
        objective = meta_json["learner"]["objective"]["name"]
        values = meta_json["learner"]["learner_model_param"]["base_score"].strip("[]").split(",")
        if objective.startswith("multi:") and len(values) == n_classes > 1:
            return [float(v) for v in values]
        return original(meta_json, n_classes)

    parse_base_score.conifer_original = original
    conifer_xgb.parse_base_score = parse_base_score


def emulate(cm, x):
    """conifer's scores for rows `x`: its VHDL backend's decision_function, which
    compiles and runs the project under GHDL."""
    if not cm.compile():
        raise SystemExit(f"conifer's GHDL compile failed, see {cm.config.output_dir}/ghdl_compile.log")
    scores = cm.decision_function(np.asarray(x, dtype=np.float64))
    if scores is None:
        raise SystemExit(f"conifer's GHDL simulation failed, see {cm.config.output_dir}/ghdl.log")
    return np.asarray(scores, dtype=float).reshape(len(x), -1)


def conifer_job(mdir, meta, precision, prj, x):
    """One conifer run at `precision` (call it through `isolated`): converts the model
    into the VHDL project `prj` (its stderr goes to `prj`.log). With rows `x`, also emulates them and returns
    (scores, score codes, input codes); without, only writes the project and
    returns its wall seconds."""
    # conifer's os.system calls write GHDL warnings to this process's stderr: keep them
    # in a log beside the project instead of the adapter's output.
    log = os.open(prj.rstrip("/") + ".log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 2)
    import conifer

    logging.basicConfig(level=logging.ERROR)
    sim = conifer.backends.vhdl.set_simulator("ghdl")
    # GHDL refuses to elaborate objects over 128 KB on the stack by default; conifer's
    # testbench declares its whole input array there (rf-m at 21 bits: 130 KB).
    # `--max-stack-alloc=0` lifts the check; the design is untouched.
    sim._run_cmd = sim._run_cmd.replace(" testbench ", " testbench --max-stack-alloc=0 ")
    with open(os.path.join(mdir, "model.pkl"), "rb") as fh:
        model = pickle.load(fh)
    t0 = time.time()
    cm = convert(model, meta, precision, prj)
    if x is None:
        cm.write()
        return time.time() - t0
    scores = emulate(cm, x)
    fp = cm._fp_converter
    score_codes = np.array([[fp.to_int(float(v)) for v in row] for row in scores], dtype=np.int64)
    x_codes = np.array([[fp.to_int(float(v)) for v in row] for row in x], dtype=np.int64)
    return scores, score_codes, x_codes


def isolated(fn, *args):
    """fn(*args) in a fresh Python process (see Isolation in the module doc)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as ex:
        return ex.submit(fn, *args).result()


def vhdl_files(prj):
    """conifer's synthesisable VHDL files of project `prj`, in analysis order."""
    fw = os.path.join(prj, "firmware")
    arrays = sorted((f for f in os.listdir(fw) if f.startswith("Arrays") and f.endswith(".vhd")),
                    key=lambda f: int(f[len("Arrays"):-len(".vhd")]))
    return [os.path.join(fw, f) for f in VHDL_BEFORE_ARRAYS + arrays + VHDL_AFTER_ARRAYS]


PAD_ANCHOR = "    d_vldInt(d'length to intLen - 1) <= (others => true);\n"
PAD_LINE = "    dInt(d'length to intLen - 1) <= (others => (others => '0')); -- conifer_adapter\n"


def pad_addreduce(prj):
    """Drives AddReduce's padding element with 0 explicitly. conifer leaves it undriven,
    relying on the signal's initial value 0, which VHDL simulation honours but GHDL
    2.0's --synth turns into `'bZ` (an X in Verilog simulation, undefined for yosys).
    The VHDL's simulated behaviour is unchanged."""
    path = os.path.join(prj, "firmware", "AddReduce.vhd")
    with open(path) as fh:
        text = fh.read()
    if text.count(PAD_ANCHOR) != 1:
        raise SystemExit(f"{path}: expected one line {PAD_ANCHOR.strip()!r} (has conifer's AddReduce changed?)")
    with open(path, "w") as fh:
        fh.write(text.replace(PAD_ANCHOR, PAD_ANCHOR + PAD_LINE))


def ghdl_verilog(prj, work):
    """GHDL: the project's VHDL analysed into library BDT, BDTTop synthesised to Verilog."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for f in vhdl_files(prj):
        subprocess.run(["ghdl", "-a", "--std=08", "--work=BDT", f], cwd=work, check=True,
                       capture_output=True, text=True)
    r = subprocess.run(["ghdl", "--synth", "--std=08", "--work=BDT", "--out=verilog", TOP],
                       cwd=work, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"ghdl --synth failed:\n{r.stderr}")
    return r.stdout


def top_ports(verilog):
    """(direction, name, width) of each port of module BDTTop in GHDL's Verilog."""
    start = verilog.index(f"module {TOP}\n")
    header = verilog[start:verilog.index(");", start)]
    ports = []
    for line in header.splitlines()[1:]:
        words = line.strip(" (,").split()
        width = 1
        if words[1].startswith("["):
            hi, lo = words[1][1:-1].split(":")
            width = int(hi) - int(lo) + 1
        ports.append((words[0], words[-1], width))
    return ports


def iverilog_scores(core_v, codes, n_out, width, work):
    """Icarus Verilog run of core.v: one row per clock with X_vld tied high (as the
    harness ties it), fed with conifer's input codes. Returns, per cycle c (after c rising edges, the input of cycle
    c applied), the n_out signed scores as codes and the y_vld bits.
    Feature k of a row occupies X[(F-1-k)*W +: W] and class k's score
    y[(C-1-k)*W +: W]: GHDL puts element 0 of VHDL's ascending arrays at the top."""
    n, f = codes.shape
    mask = (1 << width) - 1
    with open(os.path.join(work, "x.hex"), "w") as fh:
        for row in codes:
            word = 0
            for v in row:  # feature 0 ends at the most significant end
                word = (word << width) | (int(v) & mask)
            fh.write(f"{word:0{(f * width + 3) // 4}x}\n")
    extra = 64  # cycles after the last row: longer than any latency we could meet
    ports = dict((name, w) for _, name, w in top_ports(open(core_v).read()))
    tb = f"""`timescale 1ns/1ps
module tb;
  reg clk = 1'b0;
  reg [{f * width - 1}:0] mem [0:{n - 1}];
  reg [{f * width - 1}:0] X = 0;
  wire [{n_out * width - 1}:0] y;
  wire [{ports['y_vld'] - 1}:0] y_vld;
  integer i;
  {TOP} dut(.clk(clk), .X(X), .X_vld(1'b1), .y(y), .y_vld(y_vld));
  initial begin
    $readmemh("x.hex", mem);
    for (i = 0; i < {n + extra}; i = i + 1) begin
      X = (i < {n}) ? mem[i] : 0;
      #1 $display("%0d %h %b", i, y, y_vld);
      #1 clk = 1'b1;
      #1 clk = 1'b0;
    end
    $finish;
  end
endmodule
"""
    out = run_icarus(work, tb, core_v, "-g2005")
    ys, vld = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            continue
        word = int(parts[1], 16) if "x" not in parts[1].lower() else None
        row = None
        if word is not None:
            row = []
            for k in range(n_out):
                v = (word >> ((n_out - 1 - k) * width)) & mask
                row.append(v - (1 << width) if v >> (width - 1) else v)
        ys.append(row)
        vld.append(parts[2])
    return ys, vld


def run_icarus(work, tb, core_v, std):
    """Icarus Verilog (`std`, e.g. -g2005) on testbench text `tb` and `core_v`, in
    `work`; returns what the simulation printed."""
    with open(os.path.join(work, "tb.v"), "w") as fh:
        fh.write(tb)
    subprocess.run(["iverilog", std, "-o", "sim.vvp", "tb.v", os.path.abspath(core_v)],
                   cwd=work, check=True, capture_output=True, text=True)
    return subprocess.run(["vvp", "-n", "sim.vvp"], cwd=work, check=True, capture_output=True,
                          text=True).stdout


def measured_latency(ys, expected):
    """The one latency L for which core.v's scores at cycle t+L equal conifer's
    scores of row t for every row, or None."""
    n = len(expected)
    for lat in range(len(ys) - n + 1):
        if all(ys[t + lat] is not None and list(ys[t + lat]) == list(expected[t]) for t in range(n)):
            return lat
    return None


def first_valid(vld):
    """First cycle at which every bit of y_vld is 1 (conifer's own valid pipeline)."""
    for c, bits in enumerate(vld):
        if set(bits) == {"1"}:
            return c
    return None


def search_precision(mdir, model, meta, xtr, xte, yte, f_metric, scratch, log):
    """Scans W upwards at fixed I (see the module doc); returns the chosen
    (precision, width, ibits, (scores, score codes, input codes), fixed metric),
    the search log and whether the rule was met."""
    ibits = integer_bits(model, meta, xtr)
    tried = []
    best = None
    for width in range(ibits + 2, MAX_WIDTH + 1):
        precision = f"ap_fixed<{width},{ibits}>"
        t0 = time.time()
        emu = isolated(conifer_job, mdir, meta, precision, os.path.join(scratch, f"prj-{width}"), xte)
        fx = metric(meta, decide(emu[0], meta), yte)
        tried.append({"precision": precision, "fixed": fx, "seconds": round(time.time() - t0, 2)})
        log(f"{precision}: fixed {fx:.4f} (float {f_metric:.4f})")
        cand = (precision, width, ibits, emu, fx)
        if best is None or (fx > best[4] if meta["task"] != "regression" else fx < best[4]):
            best = cand
        if close_enough(meta, f_metric, fx):
            return cand, tried, True
    return best, tried, False


def unsupported(out, why, version):
    """design.json saying that conifer cannot take this model."""
    design = {"tool": "conifer", "variant": "vhdl", "tool_version": version, "unsupported": why}
    with open(os.path.join(out, "design.json"), "w") as fh:
        json.dump(design, fh, indent=2)
        fh.write("\n")


def main():
    """Converts MODEL_DIR (argv[1]) into OUT_DIR (argv[2]); see the module doc."""
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    mdir, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    name = os.path.basename(mdir.rstrip("/"))

    def log(msg):
        print(f"conifer_adapter {name}: {msg}", file=sys.stderr, flush=True)

    logging.basicConfig(level=logging.ERROR)
    setup_environment()
    import conifer

    version = f"{conifer.__version__.major}.{conifer.__version__.minor}"
    os.makedirs(out, exist_ok=True)
    for f in ("core.v", "design.json"):
        if os.path.exists(os.path.join(out, f)):
            os.remove(os.path.join(out, f))
    with open(os.path.join(mdir, "meta.json")) as fh:
        meta = json.load(fh)
    with open(os.path.join(mdir, "model.pkl"), "rb") as fh:
        model = pickle.load(fh)
    xtr, _ = read_csv(os.path.join(mdir, "train.csv"))
    xte, yte = read_csv(os.path.join(mdir, "test.csv"))
    f_metric = metric(meta, np.asarray(model.predict(xte), dtype=float), yte)

    if meta["library"] == "rf":
        # conifer 1.11's sklearn converter: RandomForest* goes to convert_random_forest;
        # refuse anything it would silently return None for.
        if "RandomForestClassifier" not in type(model).__name__:
            unsupported(out, f"conifer {version}: no converter for {type(model).__name__}", version)
            return
        if model.max_depth is None:
            unsupported(out, f"conifer {version}: a random forest without max_depth cannot be padded", version)
            return

    # conifer builds its fixed-point converters in the working directory: use a scratch one.
    scratch = tempfile.mkdtemp(prefix=f"conifer-{name}-")
    cwd = os.getcwd()
    os.chdir(scratch)
    done = False
    try:
        t_search = time.time()
        (precision, width, ibits, (scores, score_codes, x_codes), fx), tried, ok = search_precision(
            mdir, model, meta, xtr, xte, yte, f_metric, scratch, log)
        search_seconds = time.time() - t_search

        # The reported conversion: conifer's converter + project writer, then GHDL.
        prj = os.path.join(out, "conifer-prj")
        shutil.rmtree(prj, ignore_errors=True)
        conifer_seconds = isolated(conifer_job, mdir, meta, precision, prj, None)
        t0 = time.time()
        pad_addreduce(prj)
        verilog = ghdl_verilog(prj, os.path.join(scratch, "ghdl-synth"))
        if "'bZ" in verilog or "'bz" in verilog:
            raise SystemExit("GHDL's Verilog still has undriven ('bZ) bits")
        convert_seconds = conifer_seconds + time.time() - t0
        core_v = os.path.join(out, "core.v")
        with open(core_v, "w") as fh:
            fh.write(verilog)
        log(f"chosen {precision}; conversion + GHDL {convert_seconds:.1f} s")

        # Cross-check: core.v under Icarus against conifer's own scores, bit for bit.
        n_out = scores.shape[1]
        expected = score_codes.tolist()
        sim = os.path.join(scratch, "iverilog")
        os.makedirs(sim)
        t0 = time.time()
        try:
            ys, vld = iverilog_scores(core_v, x_codes, n_out, width, sim)
        except subprocess.CalledProcessError as e:
            if "input buffer overflow" not in (e.stderr or ""):
                raise
            # bc-l: 1,000 trees make a Verilog file of hundreds of MB that Icarus's
            # lexer cannot read; unchecked, it is not built either.
            size = os.path.getsize(core_v) / 1e6
            os.remove(core_v)
            unsupported(out, f"GHDL's Verilog of conifer's {precision} design is {size:.0f} MB; "
                        "Icarus Verilog cannot read it (input buffer overflow), so it is "
                        "neither checked nor built", version)
            log(f"core.v is {size:.0f} MB: Icarus cannot read it; reported unsupported")
            done = True
            return
        lat = measured_latency(ys, expected)
        if lat is None:
            raise SystemExit("core.v under Icarus does not reproduce conifer's GHDL scores at any latency")
        vld_lat = first_valid(vld)
        log(f"Icarus: core.v matches conifer on all {len(xte)} rows at latency {lat} ({time.time() - t0:.1f} s)")
        done = True
    finally:
        os.chdir(cwd)
        if done:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            log(f"failed; work kept in {scratch}")

    n_trees = meta["trees"] // (meta["classes"] if meta["task"] == "multiclass" else 1)
    report_latency = 1 + meta["depth"] + math.ceil(math.log2(n_trees))
    # Reading the VHDL: a tree (padded to full depth) takes depth + 3 cycles, the adder
    # tree sums trees + 1 operands (the base score too), and the normalisation stage is
    # always built (BDT.vhd compares the fixed-point 1.0 with the integer 1).
    read_latency = meta["depth"] + 3 + math.ceil(math.log2(n_trees + 1)) + 1
    ports = {p[1]: p for p in top_ports(verilog)}
    ref = reference_scores(model, meta, xte)
    dev = float(np.abs(scores - ref).max())
    frac = width - ibits
    notes = [
        f"conifer {conifer.__version__} VHDL backend, default config except Precision; "
        f"GHDL {ghdl_version()} --synth --std=08 translated it to Verilog (core.v is GHDL's output, unedited).",
        f"One precision {precision} ({frac} fraction bits) for inputs, thresholds and scores "
        "(conifer's VHDL backend asserts them equal); raw features, not rescaled.",
        f"Port layout: X is {meta['features']} inputs of {width} bits, feature k at "
        f"X[({meta['features']}-1-k)*{width} +: {width}] (feature 0 in the top bits, "
        "GHDL flattens VHDL's ascending arrays element 0 first); "
        f"y is {n_out} signed score(s) of {width} bits, class k at y[({n_out}-1-k)*{width} +: {width}]. "
        f"y_vld ({ports['y_vld'][2]} bit(s)) is left unconnected (the harness has its own valid line).",
        "One edit to conifer's VHDL before GHDL --synth: AddReduce's padding element (odd "
        "operand counts) is driven with 0 explicitly; conifer relies on the signal's initial "
        "value 0, which GHDL's synthesis turned into 'bZ. Simulated behaviour is unchanged "
        "(the emulation ran on the unedited VHDL and core.v matches it bit for bit).",
        "Input code = conifer's ap_fixed conversion (AP_TRN, AP_WRAP): floor(x * 2^frac).",
        f"Latency {lat} cycles measured by Icarus simulation of core.v on every test row "
        f"(scores of row t appear after {lat} rising edges, bit-equal to conifer's GHDL emulation); "
        f"conifer's own y_vld rises after {vld_lat} edges; conifer's read_report formula "
        f"1 + depth + ceil(log2 trees) says {report_latency}. Reading the VHDL gives {read_latency}: "
        "each tree is padded to full depth and takes depth + 3 cycles; the adder tree also sums "
        "the base score (ceil(log2(trees + 1)) stages); a final register multiplies by the "
        "normalisation (BDT.vhd compares the fixed-point 1.0 with the integer 1, so that stage "
        "is always built; a multiply by 2^frac that synthesis reduces to wiring).",
        "Fixed metric: conifer VHDLModel.decision_function (GHDL simulation of this VHDL); "
        + ("binary decision score > 0." if meta["task"] == "binary" and meta["library"] == "xgb" else
           "random forest: the score is the mean P(class 0), class 1 when score < 0.5." if meta["library"] == "rf" else
           "argmax of the class scores." if meta["task"] == "multiclass" else
           "regression: the score includes XGBoost's base score."),
        f"Largest |conifer score - float score| on test rows: {dev:.4g}.",
    ]
    if not ok:
        notes.append(f"No width up to {MAX_WIDTH} met the 0.5-point (0.5 %) rule; the best one is used.")
    design = {
        "tool": "conifer",
        "variant": "vhdl",
        "tool_version": version,
        "top": TOP,
        "clock": "clk",
        "inputs": [{"port": "X", "width": ports["X"][2]}],
        "outputs": [{"port": "y", "width": ports["y"][2], "signed": True}],
        "ties": {"X_vld": 1},
        "latency_cycles": lat,
        "ii": 1,
        "precision": f"{precision} for inputs, thresholds and scores "
                     f"(each of {meta['features']} inputs {width} bits, each of {n_out} scores {width} bits)",
        "metric": meta["metric"],
        "float": f_metric,
        "fixed": fx,
        "convert_seconds": round(convert_seconds, 2),
        "precision_search": {"integer_bits": ibits, "tried": tried, "met_rule": ok,
                             "seconds": round(search_seconds, 1)},
        "notes": " ".join(notes),
    }
    with open(os.path.join(out, "design.json"), "w") as fh:
        json.dump(design, fh, indent=2)
        fh.write("\n")


def ghdl_version():
    """GHDL's version number, e.g. 2.0.0."""
    r = subprocess.run(["ghdl", "--version"], capture_output=True, text=True)
    return r.stdout.split()[1] if r.returncode == 0 else "?"


if __name__ == "__main__":
    main()
