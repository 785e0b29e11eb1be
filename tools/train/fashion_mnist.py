#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Train, quantize and export the Fashion-MNIST example networks.

    /usr/bin/python3 tools/train/fashion_mnist.py all        # everything below, both networks
    /usr/bin/python3 tools/train/fashion_mnist.py train  [--net cnn|resdw|all]
    /usr/bin/python3 tools/train/fashion_mnist.py export [--net ...]
    /usr/bin/python3 tools/train/fashion_mnist.py eval   [--net ...]

train:  fixed seed, deterministic; writes the float checkpoint WORK/<net>.pt
export: folds batch norm, calibrates (MinMax over CALIB training images), quantizes
        per channel and writes OUT/<net>_fp32.onnx, <net>_qop.onnx, <net>_qdq.onnx
eval:   accuracy on the 10,000 test images: torch (float), the folded float graph,
        and the integer emulation of each quantized file (read back from the file);
        with --ort also ONNX Runtime through tools/golden/fashion_golden.js (Node.js,
        onnxruntime-node, installed by tools/golden/setup.sh) and the number of images
        whose quantized logits ONNX Runtime and the emulation agree on exactly

Needs Debian's python3-torch, python3-onnx, python3-numpy and dataset-fashion-mnist.
Run it with /usr/bin/python3. Defaults: WORK=build/fashion_mnist, OUT=examples/fashion_mnist.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

import fm_data   # noqa: E402
import fm_emul   # noqa: E402
import fm_nets   # noqa: E402
import fm_onnx   # noqa: E402
import fm_quant  # noqa: E402
import fm_train  # noqa: E402

NETS = ["cnn", "resdw"]
SEED = 1
CALIB = 5000
CALIB_SEED = 2024

DESCRIPTIONS = {
    "cnn": "Fashion-MNIST small CNN: conv3x3(16)+ReLU, maxpool, conv3x3(32)+ReLU, maxpool, "
           "FC 128 + ReLU, FC 10. Input x = pixel / 255, float32 [N,1,28,28]; output logits [N,10].",
    "resdw": "Fashion-MNIST residual network of depthwise-separable blocks (16 -> 32 -> 64 "
             "channels, 28 -> 14 -> 7), global average pool, FC 10. Input x = pixel / 255, "
             "float32 [N,1,28,28]; output logits [N,10].",
}
FORM_DOC = {
    "fp32": "float32 reference (batch norm folded)",
    "qop": "QOperator: uint8 activations, int8 per-channel weights with reduce_range (7 bit)",
    "qdq": "QDQ: uint8 activations, int8 per-channel weights with reduce_range (7 bit), "
           "the quantization of the QOperator form",
}


def log(msg):
    print(msg, flush=True)


def ckpt_path(args, net):
    return os.path.join(args.work, f"{net}.pt")


def load_model(args, net):
    p = ckpt_path(args, net)
    if not os.path.exists(p):
        sys.exit(f"{p}: no checkpoint; run the train step first")
    m = fm_nets.NETS[net]()
    m.load_state_dict(torch.load(p))
    m.eval()
    return m


def calib_images():
    img, _ = fm_data.load("train")
    idx = np.random.RandomState(CALIB_SEED).permutation(img.shape[0])[:CALIB]
    return fm_data.to_input(img[np.sort(idx)])


# ---------------------------------------------------------------- steps

def step_train(args):
    os.makedirs(args.work, exist_ok=True)
    times = {}
    for net in args.nets:
        log(f"== train {net}")
        model, secs = fm_train.train(net, seed=args.seed, log=log)
        torch.save(model.state_dict(), ckpt_path(args, net))
        times[net] = secs
        log(f"{net}: trained in {secs:.0f} s -> {ckpt_path(args, net)}")
    with open(os.path.join(args.work, "train_times.json"), "w") as f:
        json.dump(times, f)


def quantized_graphs(args, net):
    model = load_model(args, net)
    graph = fm_nets.fold(net, model)
    ranges = fm_quant.calibrate(graph, calib_images(), method=args.calib_method)
    return graph, {form: fm_quant.quantize(graph, ranges, form) for form in ("qop", "qdq")}


def step_export(args):
    os.makedirs(args.out, exist_ok=True)
    for net in args.nets:
        log(f"== export {net}")
        graph, qgs = quantized_graphs(args, net)
        doc = DESCRIPTIONS[net]
        models = {
            "fp32": fm_onnx.export_fp32(graph, f"{net}_fp32", f"{doc} {FORM_DOC['fp32']}."),
            "qop": fm_onnx.export_qop(qgs["qop"], f"{net}_qop", f"{doc} {FORM_DOC['qop']}."),
            "qdq": fm_onnx.export_qdq(qgs["qdq"], f"{net}_qdq", f"{doc} {FORM_DOC['qdq']}."),
        }
        for form, m in models.items():
            p = os.path.join(args.out, f"{net}_{form}.onnx")
            onnx.save(m, p)
            onnx.checker.check_model(p)
            log(f"{p}: {os.path.getsize(p)} bytes, {len(m.graph.node)} nodes")


def read_back(qg, path):
    """The quantized graph with every number replaced by the one stored in the ONNX file."""
    m = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    qg = dict(qg)
    params = {}
    for t, (s, zp) in qg["params"].items():
        src = t
        # pass-through tensors carry their input's initializers
        while src + "_scale" not in init:
            src = next(L["inputs"][0] for L in qg["layers"] if L["output"] == src)
        params[t] = (np.float32(init[src + "_scale"]), int(init[src + "_zero_point"]))
        if params[t] != (np.float32(s), int(zp)):
            raise ValueError(f"{path}: {t}: {params[t]} in the file, {(s, zp)} computed")
    qg["params"] = params
    layers = []
    for L in qg["layers"]:
        L = dict(L)
        if L["op"] in ("conv", "gemm"):
            n = L["name"]
            L["wq"] = init[n + "_w_quantized"]
            L["ws"] = init[n + "_w_scale"]
            L["wzp"] = init[n + "_w_zero_point"]
            L["bq"] = init[n + "_b_quantized"]
        layers.append(L)
    qg["layers"] = layers
    return qg


def run_ort(args, path):
    """ONNX Runtime on the 10,000 test images through tools/golden/fashion_golden.js
    (Node.js, the pinned onnxruntime-node; tools/golden/setup.sh installs it).
    Returns (accuracy, ORT version, logits float32 [10000, 10]) or None."""
    script = os.path.join(ROOT, "tools", "golden", "fashion_golden.js")
    if not os.path.exists(script):
        log(f"note: {script} not found; no ONNX Runtime figures")
        return None
    gdir = os.path.join(args.work, "golden")
    os.makedirs(gdir, exist_ok=True)
    prefix = os.path.join(gdir, os.path.basename(path)[:-len(".onnx")])
    cmd = ["node", script, path, prefix, "--images", "10000", "--labels"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        log(f"{' '.join(cmd)} failed:\n{r.stderr}")
        return None
    with open(prefix + ".golden.json") as f:
        desc = json.load(f)
    n_ok = int(r.stdout.split("top-1 accuracy:")[1].split("/")[0])
    logits = np.fromfile(prefix + ".golden.bin", dtype="<f4").reshape(10000, 10)
    return n_ok / 10000, desc["ort_version"], logits


def step_eval(args):
    timg, tlab = fm_data.load("t10k")
    tx = fm_data.to_input(timg)
    ty = tlab.astype(np.int64)
    results = {}
    for net in args.nets:
        log(f"== eval {net}")
        model = load_model(args, net)
        acc_torch = fm_train.evaluate(model, torch.from_numpy(tx), torch.from_numpy(ty))
        graph, qgs = quantized_graphs(args, net)
        with torch.no_grad():
            logits = fm_nets.run_graph(graph, torch.from_numpy(tx)).numpy()
        acc_fold = float((logits.argmax(1) == ty).mean())
        rows, macs, params = fm_nets.summary(graph)
        r = {"macs": macs, "params": params, "torch": acc_torch, "folded": acc_fold}
        if args.ort:
            o = run_ort(args, os.path.join(args.out, f"{net}_fp32.onnx"))
            if o:
                r["ort_fp32"], r["ort_version"] = o[0], o[1]
        for form in ("qop", "qdq"):
            p = os.path.join(args.out, f"{net}_{form}.onnx")
            qg = read_back(qgs[form], p)
            t0 = time.time()
            em = np.concatenate([fm_emul.run(qg, tx[i:i + 1000]) for i in range(0, tx.shape[0], 1000)])
            r["emul_" + form] = float((em.argmax(1) == ty).mean())
            log(f"{net} {form}: emulated {100 * r['emul_' + form]:.2f} % ({time.time() - t0:.0f} s)")
            if args.ort:
                o = run_ort(args, p)
                if o:
                    r["ort_" + form], r["ort_version"], ol = o
                    # both are dequantized from the same quantized logits: compare in steps of the scale
                    s = qg["params"]["logits"][0]
                    d = np.rint((em - ol) / s).astype(np.int64)
                    same = int((d == 0).all(1).sum())
                    r["same_" + form] = same
                    log(f"{net} {form}: ONNX Runtime {100 * o[0]:.2f} %; quantized logits equal to the "
                        f"emulation's for {same} of 10000 images (largest difference {int(np.abs(d).max())})")
        results[net] = r
    log("")
    log(f"{'net':6} {'MACs':>10} {'params':>8} {'torch':>7} {'folded':>7} {'qop emu':>8} {'qdq emu':>8}"
        + (f" {'fp32 ort':>8} {'qop ort':>8} {'qdq ort':>8}" if args.ort else ""))
    for net, r in results.items():
        line = (f"{net:6} {r['macs']:>10,} {r['params']:>8,} {100 * r['torch']:6.2f}% {100 * r['folded']:6.2f}% "
                f"{100 * r['emul_qop']:7.2f}% {100 * r['emul_qdq']:7.2f}%")
        if args.ort:
            line += "".join(f" {100 * r[k]:7.2f}%" if k in r else "        -"
                            for k in ("ort_fp32", "ort_qop", "ort_qdq"))
        log(line)
        for form in ("qop", "qdq"):
            for k in ("emul_" + form, "ort_" + form):
                if k in r and abs(r[k] - r["torch"]) > 0.01:
                    log(f"WARNING: {net} {k} is more than 1 point from float")
    if args.ort and any("ort_version" in r for r in results.values()):
        log(f"ONNX Runtime {next(r['ort_version'] for r in results.values() if 'ort_version' in r)} "
            "(onnxruntime-node, CPU execution provider, default session options)")
    with open(os.path.join(args.work, "eval.json"), "w") as f:
        json.dump(results, f, indent=1)
    return results


def step_summary(args):
    for net in args.nets:
        model = fm_nets.NETS[net]()
        rows, macs, params = fm_nets.summary(fm_nets.fold(net, model))
        log(f"{net}:")
        for name, desc, shape, m, p in rows:
            log(f"  {name:10} {desc:26} {'x'.join(map(str, shape)):>10} {m:>10,} {p:>8,}")
        log(f"  total: {macs:,} MACs, {params:,} parameters")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["all", "train", "export", "eval", "summary"])
    ap.add_argument("--net", default="all", help="cnn, resdw or all")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "fashion_mnist"))
    ap.add_argument("--out", default=os.path.join(ROOT, "examples", "fashion_mnist"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--calib-method", default="minmax", choices=["minmax", "percentile"])
    ap.add_argument("--ort", action="store_true",
                    help="eval: also run ONNX Runtime (tools/golden/fashion_golden.js; golden files go to WORK/golden)")
    args = ap.parse_args()
    args.nets = NETS if args.net == "all" else args.net.split(",")
    t0 = time.time()
    if args.step == "summary":
        step_summary(args)
        return
    if args.step in ("all", "train"):
        step_train(args)
    if args.step in ("all", "export"):
        step_export(args)
    if args.step in ("all", "eval"):
        step_eval(args)
    log(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
