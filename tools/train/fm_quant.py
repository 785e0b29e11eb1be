# SPDX-License-Identifier: MIT
"""Post-training static quantization of a folded graph, following the rules of
ONNX Runtime's quantizer (onnxruntime/python/tools/quantization: quant_utils.py
compute_scale_zp and get_qmin_qmax_for_qType, base_quantizer.py bias and
per-channel weights, calibrate.py MinMax). Written from those rules, numpy only.

Two forms:
  "qop": uint8 activations [0, 255], int8 symmetric per-channel weights with
         reduce_range (7 bits: [-64, 64]);
  "qdq": the same quantization written as QuantizeLinear/DequantizeLinear pairs.
Why not int8 activations in QDQ (ORT's default for QDQ): on x86, ONNX Runtime turns an
int8 Q -> DQ pair into uint8 only where the Q has one reader, so in a residual network
(tensors that feed a block and its shortcut) the convs and adds on shared tensors are
left in float32 between DQ and Q (lib/onnx/ORT_ARITHMETIC.md, section 4): ONNX Runtime's
own answer then depends on its float kernels. uint8 activations fuse fully. The 7-bit
weights keep ORT's AVX2 U8S8 kernels (vpmaddubsw, 16-bit) from saturating on machines
without VNNI, as ORT's quantizer does with reduce_range.
Activations are asymmetric; the range of every tensor is extended to include 0.
A ReLU folded into a layer makes that layer's output range [0, max] (the
calibrated range is the ReLU's output), so its zero point is the type's minimum.
"""

import numpy as np
import torch

import fm_nets

FORMS = {
    "qop": {"act": "uint8", "act_q": (0, 255), "w_q": (-64, 64)},
    "qdq": {"act": "uint8", "act_q": (0, 255), "w_q": (-64, 64)},
}
NP_TYPES = {"uint8": np.uint8, "int8": np.int8}


# ---------------------------------------------------------------- calibration

def calibrate(graph, x, batch=500, method="minmax", percentile=99.999):
    """Range (rmin, rmax) as float32 of every tensor of the graph over the images x
    (float32 [N,1,28,28] numpy). method "minmax": the smallest and largest value seen
    (ORT's MinMaxCalibrater, the default and what the committed files use);
    "percentile": a fallback in the spirit of ORT's Percentile calibrater (not its
    histogram binning): [-p, p] with p the given percentile of |value| for tensors that
    can be negative, [0, p] for non-negative ones."""
    rng = {}
    samples = {}
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            _, t = fm_nets.run_graph(graph, torch.from_numpy(x[i:i + batch]), keep=True)
            for k, v in t.items():
                v = v.numpy()
                lo, hi = np.float32(v.min()), np.float32(v.max())
                if k in rng:
                    rng[k] = (min(rng[k][0], lo), max(rng[k][1], hi))
                else:
                    rng[k] = (lo, hi)
                if method == "percentile":
                    samples.setdefault(k, []).append(np.abs(v).ravel())
    if method == "percentile":
        for k, (lo, hi) in rng.items():
            if k == "input":
                continue
            p = np.float32(np.percentile(np.concatenate(samples[k]), percentile))
            rng[k] = (np.float32(0.0) if lo >= 0 else -p, min(hi, p))
    # tensors that pass values through share their input's range
    for L in graph:
        if L["op"] in ("maxpool", "flatten"):
            rng[L["output"]] = rng[L["inputs"][0]]
    return rng


# ---------------------------------------------------------------- ORT's rules

def compute_scale_zp(rmin, rmax, qmin, qmax, symmetric=False):
    """ORT's compute_scale_zp: range extended to include 0; scale in float64, then float32."""
    rmin = np.minimum(np.float32(rmin), np.float32(0))
    rmax = np.maximum(np.float32(rmax), np.float32(0))
    if symmetric:
        absmax = np.maximum(np.abs(rmin), np.abs(rmax))
        rmin, rmax = -absmax, absmax
    dr = np.float64(np.float32(rmax - rmin))
    scale = dr / (np.float64(qmax) - np.float64(qmin))
    if scale < np.finfo(np.float32).tiny:
        return 0, np.float32(1.0)
    if symmetric:
        zp = int(np.round((qmin + qmax) / 2.0))
    else:
        zp = int(np.round(qmin - np.float64(rmin) / scale))
    return zp, np.float32(scale)


def quantize_array(a, scale, zp, qmin, qmax):
    """ORT's quantize_nparray: round half to even of a / scale (float32), + zero point, clip."""
    q = np.round(a.astype(np.float32) / np.float32(scale)) + zp
    return np.clip(q, qmin, qmax)


def quantize_weight_per_channel(w, qrange):
    """Symmetric int8 per output channel (axis 0). Returns (q int8, scale f32 [K], zp int8 [K])."""
    qmin, qmax = qrange
    k = w.shape[0]
    q = np.empty(w.shape, np.int8)
    scales = np.empty(k, np.float32)
    for i in range(k):
        d = w[i].ravel()
        zp, s = compute_scale_zp(d.min(), d.max(), qmin, qmax, symmetric=True)
        assert zp == 0
        scales[i] = s
        q[i] = quantize_array(w[i], s, 0, -128, 127).astype(np.int8)
    return q, scales, np.zeros(k, np.int8)


def quantize_bias(b, in_scale, w_scale):
    """int32 bias with scale in_scale * w_scale[k] (float32 product), zero point 0."""
    bs = (np.float32(in_scale) * w_scale.astype(np.float32)).astype(np.float32)
    q = np.round(b.astype(np.float64) / bs.astype(np.float64))
    q = np.clip(q, np.iinfo(np.int32).min, np.iinfo(np.int32).max).astype(np.int32)
    return q, bs


# ---------------------------------------------------------------- quantized graph

def quantize(graph, ranges, form):
    """The quantized description of a graph in one form ("qop" or "qdq"):
    {"form", "act": type name, "act_q": (qmin, qmax), "params": {tensor: (scale f32, zp int)},
     "layers": [layer dicts with "wq", "ws", "wzp", "bq", "bs" added for conv/gemm]}"""
    f = FORMS[form]
    qmin, qmax = f["act_q"]
    params = {}

    def act(name):
        lo, hi = ranges[name]
        params[name] = compute_scale_zp(lo, hi, qmin, qmax)[::-1]   # (scale, zp)

    act("input")
    layers = []
    for L in graph:
        L = dict(L)
        if L["op"] in ("maxpool", "flatten"):
            params[L["output"]] = params[L["inputs"][0]]
        else:
            act(L["output"])
        if L["op"] in ("conv", "gemm"):
            L["wq"], L["ws"], L["wzp"] = quantize_weight_per_channel(L["w"], f["w_q"])
            L["bq"], L["bs"] = quantize_bias(L["b"], params[L["inputs"][0]][0], L["ws"])
        layers.append(L)
    s_in, zp_in = params["input"]
    if s_in != np.float32(1.0 / 255.0) or zp_in != qmin:
        raise ValueError(f"input quantization is ({s_in!r}, {zp_in}), expected (1/255, {qmin}): "
                         "the calibration images must reach both 0 and 255")
    return {"form": form, "act": f["act"], "act_q": f["act_q"], "params": params, "layers": layers}
