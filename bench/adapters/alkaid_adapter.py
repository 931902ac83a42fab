"""alkaid_adapter: one benchmark model through alkaid (plain XGBoost, and QXGB's quantisation-aware model of the same size), combinational and pipelined, into Verilog cores with their fixed-point accuracy, for bench_compare.

Usage: .venv-bench/bin/python bench/adapters/alkaid_adapter.py MODEL_DIR DESIGNS_DIR

MODEL_DIR is bench/train_models.py output (model.pkl, train.csv, test.csv, meta.json).
DESIGNS_DIR gets four design directories, alkaid-comb, alkaid-pipe, qxgb-comb and
qxgb-pipe, each with
  core.v         every Verilog module of the design, top `model` (alkaid's RTLModel
                 output, unmodified: src/*.v but the Verilator wrapper, src/static/*.v);
  design.json    ports, latency, precision, float and fixed metrics (the contract
                 documented in locus/examples/bench_compare.rs), or `unsupported`;
  alkaid-prj/    alkaid's RTL project (kept for reference).

Tracing. alkaid 0.8.2 reaches XGBoost through the `alir_tracer.plugins` entry point
`xgboost`, which is QXGB's `QXGBParser` (installed with qxgb): it reads the Booster
JSON and replays every tree on alkaid's symbolic fixed-point inputs (mode 'mux').
It adds the stored `base_score` as a margin and asserts one output per `num_class`;
XGBoost 3 stores `num_class` 0 for binary and regression models and, for
`binary:logistic`, the base score as a probability. The parser is therefore handed a
booster view (`MarginBooster`) whose JSON has `num_class` >= 1 and the base score as a
margin (logit for binary:logistic), checked against XGBoost's own margins.

alkaid-*: the SAME plain XGBoost model locus compiles. Traced with exact float32 leaves,
alkaid sizes the sums to hold them exactly (36-bit scores for bc-s), so once the input
width is chosen, the parser's own `leaf_quantizer` hook rounds the leaves and the base
score to multiples of 2^-L, L scanned upwards from the coarsest useful step, the first
L within the same rule kept (exact leaves if none is).
qxgb-*: `qxgb.QXGBClassifier` (quantisation-aware training: after every boosting round
the new trees' leaves are rounded to steps of 1/scale above the tree's lowest leaf,
`bias=np.min`) with the same trees, depth, learning rate and seed, trained on the same
train.csv. What alkaid traces is its integer booster (`ibooster()`: leaves and base
score times scale, rounded), as QXGB's README does; the smallest scale in QXGB_SCALES
whose integer booster scores (XGBoost, raw features) within 0.5 accuracy points of the
plain model is kept, and that score is the design's `float`. Binary models train with
`binary:logitraw` (see train_qxgb); QXGB 0.1.0 has no regressor.

Precision. Inputs are fixed point, one width W for every feature, each feature with its
own binary point covering its training values and the model's thresholds on it
(alkaid's (keep_negative, integer, fraction) per input; the scheme locus uses).
Host-side encoding: floor to the feature's step, then saturate to its range. W is the
narrowest from 1 up to MAX_WIDTH whose test metric stays within 0.5 accuracy points of
the float model's (regression: RMSE within 0.5 %).

Accuracy. The fixed metric comes from alkaid's own bit-exact emulation, the C++ ALIR
interpreter (`CombLogic.predict`), on the quantised test rows. core.v is then simulated
with Icarus Verilog on every test row; its output codes must equal the emulation's bit
for bit, and the cycle at which they appear is the latency written to design.json.

Pipelining. The `-pipe` variant is RTLModel's own pipelining at the `alkaid convert`
CLI's default `--latency-cutoff 5` (alkaid's delay units, default clock period 5 ns):
ceil(total delay / 5) stages plus an input and an output register.
"""

import json
import math
import os
import pickle
import shutil
import sys
import tempfile
import time
from importlib.metadata import version

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conifer_adapter import close_enough, measured_latency, metric, read_csv, run_icarus  # noqa: E402

TOP = "model"
MAX_WIDTH = 24
LATENCY_CUTOFF = 5.0  # `alkaid convert` CLI default (--latency-cutoff)
QXGB_SCALES = [1, 2, 4, 8, 16, 32, 64]
MAX_LEAF_FRAC = 32  # float32 leaves of these models are exact well before 2^-32
VARIANTS = ("comb", "pipe")
MARGIN_OBJECTIVES = ("binary:logitraw", "reg:squarederror", "multi:softprob", "multi:softmax")


class MarginBooster:
    """What QXGBParser reads of a Booster (save_raw('json'), num_features()), with
    num_class >= 1 and the base score as a margin (see Tracing in the module doc)."""

    def __init__(self, booster):
        j = json.loads(booster.save_raw("json"))
        param = j["learner"]["learner_model_param"]
        objective = j["learner"]["objective"]["name"]
        base = np.atleast_1d(np.asarray(json.loads(param["base_score"]), dtype=np.float32))
        if objective == "binary:logistic":
            base = np.log(base / (np.float32(1) - base)).astype(np.float32)
        elif objective not in MARGIN_OBJECTIVES:
            raise SystemExit(f"objective {objective}: base score semantics unknown to this adapter")
        n_out = max(1, int(param["num_class"]))
        if len(base) == 1 and n_out > 1:  # one intercept for every class
            base = np.full(n_out, base[0], dtype=np.float32)
        param["base_score"] = json.dumps([float(v) for v in base])
        param["num_class"] = str(n_out)
        self.json = j
        self.n_features = booster.num_features()
        self.base = base

    def save_raw(self, raw_format="json"):
        assert raw_format == "json"
        return bytearray(json.dumps(self.json), "utf-8")

    def num_features(self):
        return self.n_features

    def check(self, booster, x):
        """Base score + leaf values equal XGBoost's margins on rows `x` (up to float32
        rounding of XGBoost's sum): the base score was read right."""
        import xgboost as xgb

        model = self.json["learner"]["gradient_booster"]["model"]
        leaves = booster.predict(xgb.DMatrix(x), pred_leaf=True).reshape(len(x), -1)
        ours = np.tile(self.base.astype(float), (len(x), 1))
        for t, (tree, cls) in enumerate(zip(model["trees"], model["tree_info"])):
            vals = np.asarray(tree["split_conditions"], dtype=float)
            ours[:, cls] += vals[leaves[:, t].astype(int)]
        theirs = margins(booster, x)
        err = float(np.abs(ours - theirs).max())
        if err > 1e-3 * max(1.0, float(np.abs(theirs).max())):
            raise SystemExit(f"base score misread: base + leaves differ from XGBoost's margins by {err}")


def margins(booster, x):
    """XGBoost's raw margins, one column per output."""
    import xgboost as xgb

    m = booster.predict(xgb.DMatrix(x), output_margin=True)
    return np.asarray(m, dtype=float).reshape(len(x), -1)


def decide(scores, task):
    """Predicted class (or value) per row from margins/scores."""
    if task == "regression":
        return scores[:, 0]
    if task == "multiclass":
        return np.argmax(scores, axis=1).astype(float)
    return (scores[:, 0] > 0).astype(float)


def feature_ranges(mb, xtr):
    """Per feature (lowest, highest) over the training values and the model's
    thresholds on that feature."""
    lo, hi = xtr.min(axis=0).astype(float), xtr.max(axis=0).astype(float)
    for tree in mb.json["learner"]["gradient_booster"]["model"]["trees"]:
        for left, feat, cond in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"]):
            if left != -1:
                lo[feat] = min(lo[feat], cond)
                hi[feat] = max(hi[feat], cond)
    return lo, hi


def input_formats(lo, hi, width):
    """Per feature (k, i, f), k + i + f = width: sign bit when the range has negatives,
    integer bits so that 2^i exceeds the largest magnitude, the rest fraction bits."""
    k = (lo < 0).astype(np.int64)
    mag = np.maximum(np.abs(lo), np.abs(hi))
    i = np.array([math.floor(math.log2(m)) + 1 if m > 0 else 0 for m in mag], dtype=np.int64)
    f = width - k - i
    return k, i, f


def quantize(x, k, i, f):
    """Host-side input encoding: floor to the step 2^-f, saturate to the format's range."""
    step = np.power(2.0, -f.astype(float))
    low = np.where(k > 0, -np.power(2.0, i.astype(float)), 0.0)
    high = np.power(2.0, i.astype(float)) - step
    return np.clip(np.floor(x / step) * step, low, high)


def leaf_rounder(frac):
    """QXGBParser leaf_quantizer: leaf values (and, by the parser, the base score)
    rounded to the nearest multiple of 2^-frac, no offset."""
    step = 2.0 ** -frac

    def quantizer(values):
        return np.round(np.asarray(values, dtype=float) / step) * step, 0.0

    return quantizer


def trace_model(mb, k, i, f, leaf_frac=None):
    """alkaid's CombLogic of booster view `mb` on inputs of formats (k, i, f), leaves
    exact or rounded to `leaf_frac` fraction bits."""
    from alkaid.trace import FVArray, HWConfig, trace
    from qxgb.parser import QXGBParser

    leaf_q = None if leaf_frac is None else leaf_rounder(leaf_frac)
    inp = FVArray.new(len(k)).quantize(k, i, f).as_new()
    _, out = QXGBParser(mb, HWConfig(1, 1, -1), leaf_quantizer=leaf_q, mode="mux").trace(inputs=inp)
    return trace(inp, out)


def emulate(comb, xq):
    """alkaid's bit-exact emulation (the C++ ALIR interpreter), one column per output."""
    return np.asarray(comb.predict(np.ascontiguousarray(xq, dtype=np.float64), n_threads=1),
                      dtype=float).reshape(len(xq), -1)


def search_width(mb, xtr, xte, yte, task, f_metric, log):
    """Scans W upwards (see Precision in the module doc); returns the chosen
    (width, (k, i, f), comb, quantised test rows, emulated scores, fixed metric),
    the search log and whether the rule was met."""
    lo, hi = feature_ranges(mb, xtr)
    tried, best = [], None
    for width in range(1, MAX_WIDTH + 1):
        t0 = time.time()
        kif = input_formats(lo, hi, width)
        comb = trace_model(mb, *kif)
        xq = quantize(xte, *kif)
        scores = emulate(comb, xq)
        fx = metric({"task": task}, decide(scores, task), yte)
        tried.append({"width": width, "fixed": fx, "seconds": round(time.time() - t0, 2)})
        log(f"inputs {width} bits: fixed {fx:.4f} (float {f_metric:.4f})")
        cand = (width, kif, comb, xq, scores, fx)
        if best is None or (fx < best[5] if task == "regression" else fx > best[5]):
            best = cand
        if close_enough({"task": task}, f_metric, fx):
            return cand, tried, True
    return best, tried, False


def leaf_values(mb):
    """Every leaf value of the booster view."""
    return np.array([v for tree in mb.json["learner"]["gradient_booster"]["model"]["trees"]
                     for left, v in zip(tree["left_children"], tree["split_conditions"]) if left == -1])


def search_leaves(mb, kif, xq, yte, task, f_metric, log):
    """At the chosen inputs, scans leaf fraction bits upwards from the coarsest step
    that still exceeds every |leaf|; returns (fraction bits, comb, scores, fixed
    metric) of the first within the rule, or None (leaves stay exact), and the log."""
    big = float(np.abs(leaf_values(mb)).max())
    start = -(math.floor(math.log2(big)) + 1) if big > 0 else 0
    tried = []
    for frac in range(start, MAX_LEAF_FRAC + 1):
        t0 = time.time()
        comb = trace_model(mb, *kif, leaf_frac=frac)
        scores = emulate(comb, xq)
        fx = metric({"task": task}, decide(scores, task), yte)
        tried.append({"leaf_fraction_bits": frac, "fixed": fx, "seconds": round(time.time() - t0, 2)})
        log(f"leaves to steps of 2^{-frac}: fixed {fx:.4f} (float {f_metric:.4f})")
        if close_enough({"task": task}, f_metric, fx):
            return (frac, comb, scores, fx), tried
    return None, tried


def element_codes(values, precisions):
    """Two's-complement codes (as non-negative ints of each element's width) of
    `values` (rows x elements) in alkaid's per-element precisions; a zero-width
    element has no bits."""
    rows = []
    for row in values:
        codes = []
        for v, p in zip(row, precisions):
            w = int(sum(p))
            if w == 0:
                codes.append(0)
                continue
            if w > 53:
                raise SystemExit(f"a {w}-bit element cannot be checked through float64 emulation output")
            scaled = float(v) * 2.0 ** int(p[2])
            c = int(round(scaled))
            lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if p[0] else (0, (1 << w) - 1)
            if c != scaled or not lo <= c <= hi:
                raise SystemExit(f"value {v} is not a code of alkaid's format {tuple(p)}")
            codes.append(c & ((1 << w) - 1))
        rows.append(codes)
    return rows


def pack(codes, precisions):
    """One integer per row: elements packed LSB first in element order (alkaid's
    packing of a port, as its io_map does)."""
    words = []
    for row in codes:
        word, lsb = 0, 0
        for c, p in zip(row, precisions):
            w = int(sum(p))
            word |= c << lsb
            lsb += w
        words.append(word)
    return words


def module_ports(verilog, name):
    """(direction, port, width) of module `name` in alkaid's Verilog."""
    start = verilog.index(f"module {name} (")
    header = verilog[start:verilog.index(");", start)]
    ports = []
    for line in header.splitlines()[1:]:
        words = line.strip(" ,").replace("wire", "").replace("reg", "").split()
        if not words or words[0] not in ("input", "output"):
            continue
        width = 1
        if words[1].startswith("["):
            hi, lo = words[1][1:-1].split(":")
            width = int(hi) - int(lo) + 1
        ports.append((words[0], words[-1], width))
    return ports


def iverilog_outputs(core_v, in_words, in_width, out_width, clocked, work):
    """Icarus Verilog run of core.v: one row per clock. Returns, per cycle c (after c
    rising edges, the row of cycle c applied), the output word (None if it has X)."""
    n = len(in_words)
    with open(os.path.join(work, "x.hex"), "w") as fh:
        for word in in_words:
            fh.write(f"{word:0{(in_width + 3) // 4}x}\n")
    extra = 16 if clocked else 1
    clk = ".clk(clk), " if clocked else ""
    tb = f"""`timescale 1ns/1ps
module tb;
  reg clk = 1'b0;
  reg [{in_width - 1}:0] mem [0:{n - 1}];
  reg [{in_width - 1}:0] X = 0;
  wire [{out_width - 1}:0] y;
  integer i;
  {TOP} dut({clk}.model_inp(X), .model_out(y));
  initial begin
    $readmemh("x.hex", mem);
    for (i = 0; i < {n + extra}; i = i + 1) begin
      X = (i < {n}) ? mem[i] : 0;
      #1 $display("%0d %h", i, y);
      #1 clk = 1'b1;
      #1 clk = 1'b0;
    end
    $finish;
  end
endmodule
"""
    out = run_icarus(work, tb, core_v, "-g2012")
    ys = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            continue
        ys.append(None if any(ch in parts[1].lower() for ch in "xz") else int(parts[1], 16))
    return ys


def write_core(prj, out):
    """core.v: alkaid's RTL modules (its Verilator wrapper excluded) and the static
    library modules, concatenated unmodified."""
    src = os.path.join(prj, "src")
    files = sorted(f for f in os.listdir(src) if f.endswith(".v") and f != f"{TOP}_wrapper.v")
    files += [os.path.join("static", f) for f in sorted(os.listdir(os.path.join(src, "static")))]
    text = ""
    for f in files:
        with open(os.path.join(src, f)) as fh:
            text += f"// ---- alkaid {f}\n" + fh.read().rstrip("\n") + "\n\n"
    path = os.path.join(out, "core.v")
    with open(path, "w") as fh:
        fh.write(text)
    return path, text


def build_variant(comb, variant, out, xq, scores, scratch, log):
    """Writes alkaid's RTL of `comb` (`variant` comb or pipe) into `out` and checks
    core.v under Icarus against the emulation; returns (ports, precisions, latency,
    alkaid's own latency figure, RTLModel seconds, metadata)."""
    from alkaid.codegen import RTLModel

    prj = os.path.join(out, "alkaid-prj")
    shutil.rmtree(prj, ignore_errors=True)
    t0 = time.time()
    rtl = RTLModel(comb, prj, TOP, flavor="verilog",
                   latency_cutoff=LATENCY_CUTOFF if variant == "pipe" else -1)
    rtl.write()
    seconds = time.time() - t0
    core_v, verilog = write_core(prj, out)
    ports = {name: (d, w) for d, name, w in module_ports(verilog, TOP)}
    in_sig, out_sig = rtl.fsm.inp_signals[0], rtl.fsm.out_signals[0]
    in_prec, out_prec = in_sig._precisions, out_sig._precisions
    in_width, out_width = ports["model_inp"][1], ports["model_out"][1]
    if sum(map(sum, in_prec)) != in_width or sum(map(sum, out_prec)) != out_width:
        raise SystemExit("alkaid's signal precisions do not add up to its port widths")
    in_words = pack(element_codes(xq, in_prec), in_prec)
    expected = pack(element_codes(scores, out_prec), out_prec)
    sim = os.path.join(scratch, f"iverilog-{os.path.basename(out)}")
    os.makedirs(sim)
    t0 = time.time()
    ys = iverilog_outputs(core_v, in_words, in_width, out_width, "clk" in ports, sim)
    lat = measured_latency([None if y is None else [y] for y in ys], [[e] for e in expected])
    if lat is None:
        raise SystemExit(f"{variant}: core.v under Icarus does not reproduce alkaid's emulation at any latency")
    log(f"{variant}: Icarus matches alkaid's emulation on all {len(xq)} rows at latency {lat} "
        f"({time.time() - t0:.1f} s)")
    with open(os.path.join(prj, "metadata.json")) as fh:
        meta = json.load(fh)
    return ports, (in_prec, out_prec), lat, rtl.latency, seconds, meta


def unsupported(out, tool, variant, why):
    """design.json saying that the tool cannot take this model."""
    os.makedirs(out, exist_ok=True)
    design = {"tool": tool, "variant": variant, "tool_version": tool_version(tool), "unsupported": why}
    with open(os.path.join(out, "design.json"), "w") as fh:
        json.dump(design, fh, indent=2)
        fh.write("\n")


def tool_version(tool):
    """alkaid's version, or `qxgb <v> + alkaid <v>`."""
    a = version("alkaid")
    return a if tool == "alkaid" else f"{version('qxgb')} (alkaid {a})"


def precision_text(width, kif, in_prec, out_prec):
    """design.json `precision`: the input width and formats, the output formats."""
    used = [p for p in in_prec if sum(p) > 0]
    fracs = [int(p[2]) for p in used] or [0]
    widths = sorted({int(sum(p)) for p in used})
    outs = ", ".join(f"({int(p[0])},{p[1]},{p[2]})" for p in out_prec)
    return (f"inputs {width} bits each as requested (alkaid kept widths {widths}; fraction bits "
            f"{min(fracs)}..{max(fracs)}); {len(used)} of {len(kif[0])} features reach the core, "
            f"{sum(map(sum, in_prec))} bits in all; "
            f"outputs (keep_negative, integer, fraction) {outs}")


def convert_tool(tool, mb, xtr, xte, yte, meta, f_metric, ddir, scratch, log, extra_notes, trace_seconds0,
                 round_leaves):
    """Input width search (then, with `round_leaves`, leaf precision search), then both
    variants of `mb` into DESIGNS_DIR/<tool>-<variant>."""
    task = meta["task"]
    t_search = time.time()
    (width, kif, comb, xq, scores, fx), tried, ok = search_width(mb, xtr, xte, yte, task, f_metric, log)
    leaf_frac, leaf_tried = None, []
    if round_leaves and ok:
        found, leaf_tried = search_leaves(mb, kif, xq, yte, task, f_metric, log)
        if found is not None:
            leaf_frac, comb, scores, fx = found
    search_seconds = time.time() - t_search
    t0 = time.time()
    comb = trace_model(mb, *kif, leaf_frac=leaf_frac)  # the reported conversion: trace once more, timed
    trace_seconds = time.time() - t0 + trace_seconds0
    again = emulate(comb, xq)
    if not np.array_equal(again, scores):
        raise SystemExit("alkaid's trace is not reproducible")
    for variant in VARIANTS:
        out = os.path.join(ddir, f"{tool}-{variant}")
        os.makedirs(out, exist_ok=True)
        for fn in ("core.v", "design.json"):
            if os.path.exists(os.path.join(out, fn)):
                os.remove(os.path.join(out, fn))
        ports, (in_prec, out_prec), lat, alk_lat, rtl_seconds, rmeta = build_variant(
            comb, variant, out, xq, scores, scratch, log)
        in_layout = []
        lsb = 0
        for feat, p in enumerate(in_prec):
            w = int(sum(p))
            if w:
                in_layout.append(f"f{feat}@{lsb}:{w}")
                lsb += w
        out_layout = []
        lsb = 0
        for c, p in enumerate(out_prec):
            out_layout.append(f"out{c}@{lsb}:{int(sum(p))}")
            lsb += int(sum(p))
        notes = [
            f"alkaid {version('alkaid')} through its `xgboost` tracer plugin (qxgb {version('qxgb')} "
            "QXGBParser, mode 'mux'), trace() with alkaid's default optimisation, RTLModel "
            "Verilog; core.v is alkaid's src/*.v (its Verilator wrapper excluded) and src/static/*.v, unedited.",
            "The booster JSON handed to the parser has num_class >= 1 and the base score as a margin "
            "(QXGBParser asserts one output per num_class, which XGBoost 3 stores as 0 for binary and "
            "regression models, and adds base_score as a margin, which binary:logistic stores as a "
            "probability); base + leaves were checked against XGBoost's margins.",
        ] + extra_notes + [
            f"Inputs: {width} bits per feature, each feature its own (keep_negative, integer, fraction) "
            "covering its training values and the model's thresholds; host encoding floor to the step, "
            "saturate to the range. alkaid drops features no split reads: model_inp packs the used "
            f"features LSB first, feature@lsb:width {' '.join(in_layout)}. Outputs: model_out packs "
            f"the score(s) LSB first, {' '.join(out_layout)}, each score = code * 2^-fraction "
            f"(two's complement when keep_negative), formats in `precision`.",
            ("Combinational: RTLModel without pipelining (latency_cutoff -1), no clock."
             if variant == "comb" else
             f"Pipelined by RTLModel(latency_cutoff={LATENCY_CUTOFF:g}), the `alkaid convert` CLI default "
             f"(alkaid delay units; total combinational delay {comb.latency[1]:g}, "
             f"largest stage delay {rmeta.get('max_comb_delay')}, {rmeta.get('reg_bits')} register bits); "
             f"inputs and outputs registered. alkaid's RTLModel.latency says {alk_lat}."),
            f"Latency {lat} cycles measured by Icarus simulation of core.v on every test row "
            "(output of row t after that many rising edges, bit-equal to alkaid's emulation).",
            "Fixed metric: alkaid CombLogic.predict (C++ ALIR interpreter) on the quantised test rows; "
            + ("regression: the score includes the base score." if task == "regression" else
               "binary: class 1 when the margin > 0." if task == "binary" else
               "argmax of the class scores."),
            f"alkaid cost estimate {rmeta.get('cost')}.",
        ]
        if not ok:
            notes.append(f"No width up to {MAX_WIDTH} met the 0.5-point (0.5 %) rule; the best one is used.")
        design = {
            "tool": tool,
            "variant": variant,
            "tool_version": tool_version(tool),
            "top": TOP,
            "clock": "clk" if "clk" in ports else None,
            "inputs": [{"port": "model_inp", "width": ports["model_inp"][1]}],
            "outputs": [{"port": "model_out", "width": ports["model_out"][1],
                         "signed": bool(out_prec[-1][0])}],
            "ties": {},
            "latency_cycles": lat,
            "ii": 1,
            "precision": precision_text(width, kif, in_prec, out_prec)
            + ("" if not round_leaves else
               f"; leaves and base score rounded to multiples of 2^{-leaf_frac}" if leaf_frac is not None else
               "; leaves and base score exact float32"),
            "metric": meta["metric"],
            "float": f_metric,
            "fixed": fx,
            "convert_seconds": round(trace_seconds + rtl_seconds, 2),
            "precision_search": {"tried": tried, "met_rule": ok, "leaf_fraction_bits": leaf_frac,
                                 "leaves_tried": leaf_tried, "seconds": round(search_seconds, 1)},
            "notes": " ".join(notes),
        }
        with open(os.path.join(out, "design.json"), "w") as fh:
            json.dump(design, fh, indent=2)
            fh.write("\n")


def train_qxgb(meta, xtr, ytr, xte, yte, plain_float, log):
    """QXGBClassifier of the plain model's size, the smallest scale in QXGB_SCALES
    whose integer booster (what alkaid traces) has a float accuracy within 0.5 points
    of the plain model's; returns (model, scale, that accuracy, scan log, seconds of
    the chosen training, whether the rule was met)."""
    from qxgb import QXGBClassifier

    n_trees = meta["trees"] // (meta["classes"] if meta["task"] == "multiclass" else 1)
    kwargs = dict(n_estimators=n_trees, max_depth=meta["depth"], learning_rate=0.3, n_jobs=1,
                  random_state=0, tree_method="exact")
    if meta["task"] == "binary":
        # QXGB adds each tree's leaf offset to base_score, which binary:logistic stores
        # as a probability (XGBoost then refuses it): train on the margin objective.
        kwargs["objective"] = "binary:logitraw"
    tried, best = [], None
    for scale in QXGB_SCALES:
        t0 = time.time()
        q = QXGBClassifier(scale=scale, bias=np.min, **kwargs)
        q.fit(xtr, ytr.astype(int), verbose=False)
        secs = time.time() - t0
        own = metric(meta, decide(margins(q.get_booster(), xte), meta["task"]), yte)
        acc = metric(meta, decide(margins(q.ibooster(), xte), meta["task"]), yte)
        tried.append({"scale": scale, "float": acc, "qxgb_predict": own, "seconds": round(secs, 2)})
        log(f"QXGB scale {scale}: integer booster float {acc:.4f}, QXGB model {own:.4f} "
            f"(plain {plain_float:.4f})")
        if best is None or acc > best[2]:
            best = (q, scale, acc, secs)
        if close_enough(meta, plain_float, acc):
            return q, scale, acc, tried, secs, True
    return best[0], best[1], best[2], tried, best[3], False


def main():
    """Converts MODEL_DIR (argv[1]) into DESIGNS_DIR (argv[2]); see the module doc."""
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    mdir, ddir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    name = os.path.basename(mdir.rstrip("/"))

    def log(msg):
        print(f"alkaid_adapter {name}: {msg}", file=sys.stderr, flush=True)

    with open(os.path.join(mdir, "meta.json")) as fh:
        meta = json.load(fh)
    os.makedirs(ddir, exist_ok=True)
    if meta["library"] != "xgb":
        why = (f"alkaid {version('alkaid')} traces models through its alir_tracer.plugins entry points "
               "(keras, torch, and xgboost = qxgb's QXGBParser, which reads XGBoost Booster JSON only); "
               "none takes a scikit-learn RandomForestClassifier")
        for v in VARIANTS:
            unsupported(os.path.join(ddir, f"alkaid-{v}"), "alkaid", v, why)
            unsupported(os.path.join(ddir, f"qxgb-{v}"), "qxgb", v,
                        f"qxgb {version('qxgb')} trains only gradient-boosted trees (QXGBClassifier, an "
                        "xgboost.XGBClassifier); a random forest has no QXGB counterpart")
        log("random forest: unsupported by alkaid and QXGB")
        return

    with open(os.path.join(mdir, "model.pkl"), "rb") as fh:
        model = pickle.load(fh)
    xtr, ytr = read_csv(os.path.join(mdir, "train.csv"))
    xte, yte = read_csv(os.path.join(mdir, "test.csv"))
    if not (np.isfinite(xtr).all() and np.isfinite(xte).all()):
        raise SystemExit("missing values: this adapter encodes finite features only")
    booster = model.get_booster()
    plain_float = metric(meta, np.asarray(model.predict(xte), dtype=float), yte)

    scratch = tempfile.mkdtemp(prefix=f"alkaid-{name}-")
    done = False
    try:
        mb = MarginBooster(booster)
        mb.check(booster, xtr[:64])
        convert_tool("alkaid", mb, xtr, xte, yte, meta, plain_float, ddir, scratch, log,
                     ["The plain XGBoost model (model.pkl). Leaves: after the input width is fixed, "
                      "QXGBParser's leaf_quantizer hook rounds every leaf and the base score to the nearest "
                      "multiple of 2^-L, L scanned upwards from the coarsest step above every |leaf|; the "
                      "first L within the same rule is kept (none: exact float32 constants, which alkaid "
                      "sums exactly, e.g. 36-bit scores for bc-s)."], 0.0, True)

        if meta["task"] == "regression":
            why = (f"qxgb {version('qxgb')} provides only QXGBClassifier (quantisation-aware training "
                   "for classification); it has no regressor")
            for v in VARIANTS:
                unsupported(os.path.join(ddir, f"qxgb-{v}"), "qxgb", v, why)
            log("regression: QXGB unsupported")
        else:
            q, scale, q_float, q_tried, q_secs, q_ok = train_qxgb(meta, xtr, ytr, xte, yte, plain_float, log)
            hw = q.ibooster()
            qmb = MarginBooster(hw)
            qmb.check(hw, xtr[:64])
            notes = [
                f"QXGB model: QXGBClassifier(scale={scale}, bias=np.min, n_estimators="
                f"{q.n_estimators}, max_depth={meta['depth']}, learning_rate=0.3, random_state=0, "
                "tree_method='exact'"
                + (", objective='binary:logitraw'" if meta["task"] == "binary" else "")
                + ") on train.csv; scales tried "
                + ", ".join(f"{t['scale']}: {t['float']:.4f}" for t in q_tried)
                + f" (plain XGBoost float {plain_float:.4f}; "
                + ("the first within 0.5 points is kept)." if q_ok else "none within 0.5 points; the best is kept).")
                + " Traced: its integer booster ibooster() (leaves and base score times scale, rounded), "
                "QXGB's README flow. `float` and the scan figures are that integer booster's accuracy "
                "under XGBoost on raw features (the QXGB model before ibooster's rounding of the base "
                "score scored " + ", ".join(f"{t['qxgb_predict']:.4f}" for t in q_tried) + ").",
            ]
            if meta["task"] == "binary":
                notes.append("Binary QXGB trains with objective binary:logitraw: with XGBoost 3's default "
                             "binary:logistic, QXGB adds leaf offsets to base_score, stored as a probability, "
                             "and XGBoost stops with 'base_score must be in (0,1) for the logistic loss'.")
            convert_tool("qxgb", qmb, xtr, xte, yte, meta, q_float, ddir, scratch, log, notes, q_secs, False)
        done = True
    finally:
        if done:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            log(f"failed; work kept in {scratch}")


if __name__ == "__main__":
    main()
