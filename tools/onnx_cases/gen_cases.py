#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""gen_cases.py - single-op ONNX models, their inputs and ONNX Runtime's outputs.

Builds small models with onnx.helper (QOperator ops, com.microsoft ops and
DQ -> op -> Q groups that ORT's QDQ transformer fuses), random inputs from a
fixed seed, runs them all through ONNX Runtime with tools/golden/ort_run.js
(one node process, default session options = graph optimizations "all") and
stores per case, under OUT/<case>/:

  model.onnx           the model
  in<i>.bin            runtime inputs (raw little-endian, ONNX order, NCHW)
  init<i>.bin          constant inputs the C test needs (weights, bias)
  out<i>.bin           ORT's outputs
  case.json            everything else (see tools/onnx_cases/README.md)

Run with Debian's python3 (python3-onnx, numpy):
  /usr/bin/python3 tools/onnx_cases/gen_cases.py [--out tests/onnx/cases] [--seed 20261129]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ORT_RUN = os.path.join(ROOT, "tools", "golden", "ort_run.js")

NP = {"int8": np.int8, "uint8": np.uint8, "int32": np.int32, "float32": np.float32,
      "int64": np.int64}
TP = {"int8": TensorProto.INT8, "uint8": TensorProto.UINT8, "int32": TensorProto.INT32,
      "float32": TensorProto.FLOAT, "int64": TensorProto.INT64}
RANGE = {"int8": (-128, 127), "uint8": (0, 255)}


def f32(x):
    return float(np.float32(x))


class Case:
    """One model: nodes, runtime inputs (with data), constants, parameters."""

    def __init__(self, name, op, opset, kind="qop", domain=""):
        self.name, self.op, self.opset, self.kind, self.domain = name, op, opset, kind, domain
        self.nodes = []
        self.inputs = []        # (name, type, array)
        self.inits = []         # onnx initializers
        self.c_inits = []       # (name, type, array): constants the C test reads
        self.outputs = []       # names
        self.params = {}
        self.ms = False
        self.note = ""

    def inp(self, name, typ, arr):
        self.inputs.append((name, typ, np.ascontiguousarray(arr.astype(NP[typ]))))
        return name

    def const(self, name, typ, value, dims=None, c_side=False):
        arr = np.asarray(value, dtype=NP[typ])
        if dims is None:
            dims = list(arr.shape)
        arr = arr.reshape(dims)
        self.inits.append(helper.make_tensor(name, TP[typ], dims, arr.flatten().tolist()))
        if c_side:
            self.c_inits.append((name, typ, np.ascontiguousarray(arr)))
        return name

    def node(self, op, ins, outs, domain="", **attrs):
        if domain == "com.microsoft":
            self.ms = True
        self.nodes.append(helper.make_node(op, ins, outs, domain=domain or None, **attrs))

    def model(self):
        g = helper.make_graph(
            self.nodes, self.name,
            [helper.make_tensor_value_info(n, TP[t], list(a.shape)) for n, t, a in self.inputs],
            [helper.make_empty_tensor_value_info(o) for o in self.outputs],
            self.inits)
        ops = [helper.make_opsetid("", self.opset)]
        if self.ms:
            ops.append(helper.make_opsetid("com.microsoft", 1))
        m = helper.make_model(g, opset_imports=ops, producer_name="npu gen_cases.py")
        m.ir_version = 7 if self.opset < 15 else (8 if self.opset < 19 else 9)
        return m


def rand_q(rng, typ, shape):
    lo, hi = RANGE[typ]
    return rng.integers(lo, hi + 1, size=shape)


# ---------------------------------------------------------------- QOperator cases

def qlinear_add(rng, cases):
    variants = [
        # name, type, a_scale, a_zp, b_scale, b_zp, c_scale, c_zp, dims
        ("ties_u8", "uint8", 0.5, 128, 0.25, 100, 1.0, 128, [1, 3, 5, 7]),
        ("ties_s8", "int8", 0.5, 0, 0.25, -3, 1.0, 1, [1, 3, 5, 7]),
        ("sat_s8", "int8", 0.1, 10, 0.07, -20, 0.02, 5, [1, 4, 6, 6]),
        ("sat_u8", "uint8", 0.1, 120, 0.07, 140, 0.03, 128, [1, 4, 6, 6]),
        ("odd_s8", "int8", 0.013, -7, 0.029, 11, 0.031, -2, [2, 5, 7, 3]),
        ("odd_u8", "uint8", 0.0171, 131, 0.0093, 77, 0.0219, 140, [2, 5, 7, 3]),
        ("fma_s8", "int8", 0.3, 101, 0.7, -99, 0.11, 17, [1, 8, 4, 4]),
        ("fma_u8", "uint8", 0.3, 230, 0.7, 3, 0.11, 200, [1, 8, 4, 4]),
    ]
    for nm, t, sa, za, sb, zb, sc, zc, dims in variants:
        c = Case(f"qlinearadd_{nm}", "QLinearAdd", 13, domain="com.microsoft")
        c.inp("A", t, rand_q(rng, t, dims))
        c.inp("B", t, rand_q(rng, t, dims))
        c.node("QLinearAdd", ["A", c.const("a_s", "float32", sa), c.const("a_z", t, za),
                              "B", c.const("b_s", "float32", sb), c.const("b_z", t, zb),
                              c.const("c_s", "float32", sc), c.const("c_z", t, zc)],
               ["C"], domain="com.microsoft")
        c.outputs = ["C"]
        c.params = {"type": t, "a_scale": f32(sa), "a_zp": za, "b_scale": f32(sb), "b_zp": zb,
                    "c_scale": f32(sc), "c_zp": zc}
        cases.append(c)
    # B broadcast along channels: ORT's scalar-B kernel path (documented, no C kernel).
    c = Case("qlinearadd_bcast_u8", "QLinearAdd", 13, domain="com.microsoft")
    c.inp("A", "uint8", rand_q(rng, "uint8", [1, 4, 5, 5]))
    c.inp("B", "uint8", rand_q(rng, "uint8", [1, 4, 1, 1]))
    c.node("QLinearAdd", ["A", c.const("a_s", "float32", 0.3), c.const("a_z", "uint8", 230),
                          "B", c.const("b_s", "float32", 0.7), c.const("b_z", "uint8", 3),
                          c.const("c_s", "float32", 0.11), c.const("c_z", "uint8", 200)],
           ["C"], domain="com.microsoft")
    c.outputs = ["C"]
    c.params = {"type": "uint8", "a_scale": f32(0.3), "a_zp": 230, "b_scale": f32(0.7), "b_zp": 3,
                "c_scale": f32(0.11), "c_zp": 200, "broadcast_b": True}
    cases.append(c)


def pool_attrs(kernel, strides, pads, ceil_mode=0, count_include_pad=None, dilations=None,
               auto_pad=None):
    a = {"kernel_shape": kernel, "strides": strides}
    if auto_pad:
        a["auto_pad"] = auto_pad
    else:
        a["pads"] = [pads[0], pads[1], pads[2], pads[3]]
    if ceil_mode:
        a["ceil_mode"] = ceil_mode
    if count_include_pad is not None:
        a["count_include_pad"] = count_include_pad
    if dilations:
        a["dilations"] = dilations
    return a


def qlinear_avgpool(rng, cases):
    variants = [
        # name, type, dims NCHW, kernel, strides, pads [t,l,b,r], ceil, cip, scales/zps, channels_last
        ("k3s2p1_excl_u8", "uint8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], 0, 0, (0.05, 128, 0.05, 128), 0),
        ("k3s2p1_incl_u8", "uint8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], 0, 1, (0.05, 128, 0.05, 128), 0),
        ("k3s2p1_excl_s8", "int8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], 0, 0, (0.05, 3, 0.04, -5), 0),
        ("k3s2p1_incl_s8", "int8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], 0, 1, (0.05, 3, 0.04, -5), 0),
        ("ceil_lastpad_excl_s8", "int8", [1, 2, 6, 6], [3, 3], [2, 2], [1, 1, 1, 1], 1, 0, (0.1, 0, 0.1, 0), 0),
        ("ceil_lastpad_incl_s8", "int8", [1, 2, 6, 6], [3, 3], [2, 2], [1, 1, 1, 1], 1, 1, (0.1, 0, 0.1, 0), 0),
        ("ceil_k2s2_u8", "uint8", [1, 3, 5, 5], [2, 2], [2, 2], [0, 0, 0, 0], 1, 0, (0.02, 10, 0.03, 20), 0),
        ("ceil_k2s2_incl_u8", "uint8", [1, 3, 5, 5], [2, 2], [2, 2], [0, 0, 0, 0], 1, 1, (0.02, 10, 0.03, 20), 0),
        ("asym_pads_s8", "int8", [1, 4, 6, 5], [3, 2], [1, 2], [0, 1, 2, 0], 0, 0, (0.07, -10, 0.05, 7), 0),
        ("asym_pads_incl_u8", "uint8", [1, 4, 6, 5], [3, 2], [1, 2], [2, 0, 1, 1], 0, 1, (0.07, 100, 0.05, 90), 0),
        ("ties_s8", "int8", [1, 2, 4, 4], [2, 2], [1, 1], [0, 0, 0, 0], 0, 0, (0.25, 0, 0.25, 0), 0),
        ("ties_u8", "uint8", [1, 2, 4, 4], [2, 2], [1, 1], [1, 1, 0, 0], 0, 0, (0.5, 100, 1.0, 101), 0),
        ("sat_s8", "int8", [1, 3, 5, 5], [2, 2], [1, 1], [0, 0, 0, 0], 0, 0, (0.1, 0, 0.02, 0), 0),
        ("nhwc_s8", "int8", [1, 5, 6, 3], [3, 3], [2, 2], [1, 1, 1, 1], 0, 0, (0.05, 3, 0.04, -5), 1),
        ("nhwc_incl_u8", "uint8", [2, 4, 5, 6], [2, 3], [1, 2], [1, 0, 0, 1], 1, 1, (0.03, 128, 0.02, 120), 1),
        ("ceil_rule_incl_u8", "uint8", [1, 2, 5, 8], [3, 3], [3, 3], [0, 0, 2, 2], 1, 1, (0.05, 128, 0.04, 120), 0),
        ("ceil_rule_excl_s8", "int8", [1, 2, 5, 8], [3, 3], [3, 3], [0, 0, 2, 2], 1, 0, (0.05, 3, 0.04, -5), 0),
        ("global_fallback_u8", "uint8", [1, 6, 4, 5], [4, 5], [1, 1], [0, 0, 0, 0], 0, 0, (0.05, 128, 0.01, 120), 0),
        ("global_fallback_s8", "int8", [1, 6, 4, 5], [4, 5], [1, 1], [0, 0, 0, 0], 0, 0, (0.05, 3, 0.01, -2), 0),
    ]
    for nm, t, dims, k, s, p, ceil, cip, (xs, xz, ys, yz), cl in variants:
        c = Case(f"qlinearavgpool_{nm}", "QLinearAveragePool", 13, domain="com.microsoft")
        c.inp("X", t, rand_q(rng, t, dims))
        attrs = pool_attrs(k, s, p, ceil, cip)
        if cl:
            attrs["channels_last"] = 1
        c.node("QLinearAveragePool", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                      c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
               ["Y"], domain="com.microsoft", **attrs)
        c.outputs = ["Y"]
        c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz,
                    "kernel": k, "strides": s, "pads": p, "dilations": [1, 1], "ceil_mode": ceil,
                    "count_include_pad": cip, "auto_pad": "NOTSET", "channels_last": cl}
        cases.append(c)
    # dilations on QLinearAveragePool: record what ORT does (error or output).
    c = Case("qlinearavgpool_dilated_u8", "QLinearAveragePool", 13, domain="com.microsoft")
    c.inp("X", "uint8", rand_q(rng, "uint8", [1, 2, 7, 7]))
    c.node("QLinearAveragePool", ["X", c.const("x_s", "float32", 0.05), c.const("x_z", "uint8", 128),
                                  c.const("y_s", "float32", 0.05), c.const("y_z", "uint8", 128)],
           ["Y"], domain="com.microsoft", kernel_shape=[2, 2], strides=[1, 1], pads=[0, 0, 0, 0],
           dilations=[2, 2])
    c.outputs = ["Y"]
    c.params = {"type": "uint8", "x_scale": 0.05, "x_zp": 128, "y_scale": 0.05, "y_zp": 128,
                "kernel": [2, 2], "strides": [1, 1], "pads": [0, 0, 0, 0], "dilations": [2, 2],
                "ceil_mode": 0, "count_include_pad": 0, "auto_pad": "NOTSET", "channels_last": 0,
                "probe": "dilations"}
    cases.append(c)
    for ap in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        c = Case(f"qlinearavgpool_autopad_{ap.lower()}_s8", "QLinearAveragePool", 13,
                 domain="com.microsoft")
        c.inp("X", "int8", rand_q(rng, "int8", [1, 3, 7, 6]))
        c.node("QLinearAveragePool", ["X", c.const("x_s", "float32", 0.05), c.const("x_z", "int8", 1),
                                      c.const("y_s", "float32", 0.04), c.const("y_z", "int8", -1)],
               ["Y"], domain="com.microsoft", kernel_shape=[3, 2], strides=[2, 2], auto_pad=ap)
        c.outputs = ["Y"]
        c.params = {"type": "int8", "x_scale": f32(0.05), "x_zp": 1, "y_scale": f32(0.04), "y_zp": -1,
                    "kernel": [3, 2], "strides": [2, 2], "pads": [0, 0, 0, 0], "dilations": [1, 1],
                    "ceil_mode": 0, "count_include_pad": 0, "auto_pad": ap, "channels_last": 0}
        cases.append(c)


def maxpool(rng, cases):
    variants = [
        # name, type, dims, kernel, strides, pads, dilations, ceil, auto_pad
        ("k3s2p1_s8", "int8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 0, None),
        ("k3s2p1_u8", "uint8", [1, 3, 7, 7], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 0, None),
        ("dil2_s8", "int8", [1, 2, 8, 9], [3, 2], [1, 2], [1, 0, 2, 1], [2, 3], 0, None),
        ("ceil_lastpad_u8", "uint8", [1, 2, 6, 6], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 1, None),
        ("ceil_k2s2_s8", "int8", [1, 2, 5, 5], [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], 1, None),
        ("ceil_dil_s8", "int8", [1, 2, 9, 8], [2, 3], [3, 2], [1, 0, 1, 2], [2, 1], 1, None),
        ("same_upper_s8", "int8", [1, 2, 7, 6], [3, 2], [2, 2], None, [1, 1], 0, "SAME_UPPER"),
        ("same_lower_u8", "uint8", [1, 2, 7, 6], [3, 2], [2, 2], None, [1, 1], 0, "SAME_LOWER"),
        ("valid_s8", "int8", [1, 2, 7, 6], [3, 2], [2, 2], None, [1, 1], 0, "VALID"),
        ("same_upper_dil_u8", "uint8", [1, 2, 9, 9], [3, 3], [2, 1], None, [2, 2], 0, "SAME_UPPER"),
        ("same_lower_ceil_s8", "int8", [1, 2, 8, 7], [2, 3], [3, 2], None, [1, 1], 1, "SAME_LOWER"),
        # ceil_mode's last-window rule: H 5 -> 2 (not 3), W 8 -> 3 (not 4)
        ("ceil_rule_u8", "uint8", [1, 2, 5, 8], [3, 3], [3, 3], [0, 0, 2, 2], [1, 1], 1, None),
        ("floor_rule_u8", "uint8", [1, 2, 5, 8], [3, 3], [3, 3], [0, 0, 2, 2], [1, 1], 0, None),
        # ORT refuses a pad >= the kernel (recorded)
        ("pad_ge_kernel_u8", "uint8", [1, 2, 5, 6], [2, 2], [2, 2], [0, 0, 2, 2], [1, 1], 1, None),
    ]
    for nm, t, dims, k, s, p, d, ceil, ap in variants:
        c = Case(f"maxpool_{nm}", "MaxPool", 12)
        c.inp("X", t, rand_q(rng, t, dims))
        attrs = pool_attrs(k, s, p or [0, 0, 0, 0], ceil, None, d, ap)
        c.node("MaxPool", ["X"], ["Y"], **attrs)
        c.outputs = ["Y"]
        c.params = {"type": t, "kernel": k, "strides": s, "pads": p or [0, 0, 0, 0], "dilations": d,
                    "ceil_mode": ceil, "auto_pad": ap or "NOTSET"}
        cases.append(c)


def global_avgpool(rng, cases):
    variants = [
        ("7x7_u8", "uint8", [1, 10, 7, 7], (0.05, 128, 0.02, 120), 0),
        ("7x7_s8", "int8", [1, 10, 7, 7], (0.05, -3, 0.02, 5), 0),
        ("5x3_s8", "int8", [2, 9, 5, 3], (0.11, 20, 0.013, -9), 0),
        ("1x1_u8", "uint8", [1, 17, 1, 1], (0.05, 128, 0.07, 100), 0),
        ("ties_u8", "uint8", [1, 8, 2, 2], (0.5, 100, 0.5, 100), 0),
        ("nhwc_u8", "uint8", [2, 4, 5, 19], (0.05, 128, 0.02, 120), 1),
        ("nhwc_s8", "int8", [1, 6, 6, 11], (0.05, -3, 0.02, 5), 1),
        ("sat_s8", "int8", [1, 4, 3, 3], (0.1, -100, 0.01, 0), 0),
    ]
    for nm, t, dims, (xs, xz, ys, yz), cl in variants:
        c = Case(f"qlinearglobalavgpool_{nm}", "QLinearGlobalAveragePool", 13, domain="com.microsoft")
        c.inp("X", t, rand_q(rng, t, dims))
        c.node("QLinearGlobalAveragePool", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                            c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
               ["Y"], domain="com.microsoft", channels_last=cl)
        c.outputs = ["Y"]
        c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz,
                    "channels_last": cl}
        cases.append(c)


def qlinear_concat(rng, cases):
    variants = [
        ("3in_u8", "uint8", (0.05, 128), [(0.05, 128, 3), (0.1, 100, 2), (0.023, 140, 5)]),
        ("3in_s8", "int8", (0.04, -2), [(0.02, 0, 4), (0.04, -2, 1), (0.09, 7, 3)]),
        ("4in_ties_s8", "int8", (1.0, 0), [(0.5, 0, 2), (1.5, -1, 2), (0.25, 3, 1), (2.0, 0, 1)]),
        ("sat_u8", "uint8", (0.01, 128), [(0.05, 128, 3), (0.002, 0, 2)]),
    ]
    for nm, t, (ys, yz), ins in variants:
        c = Case(f"qlinearconcat_{nm}", "QLinearConcat", 13, domain="com.microsoft")
        args = [c.const("y_s", "float32", ys), c.const("y_z", t, yz)]
        plist = []
        for i, (s, z, ch) in enumerate(ins):
            x = c.inp(f"X{i}", t, rand_q(rng, t, [1, ch, 3, 4]))
            args += [x, c.const(f"s{i}", "float32", s), c.const(f"z{i}", t, z)]
            plist.append({"scale": f32(s), "zp": z})
        c.node("QLinearConcat", args, ["Y"], domain="com.microsoft", axis=1)
        c.outputs = ["Y"]
        c.params = {"type": t, "axis": 1, "y_scale": f32(ys), "y_zp": yz, "inputs": plist}
        cases.append(c)


def qlinear_sigmoid(rng, cases):
    variants = [
        ("u8_a", "uint8", (0.05, 128, 1.0 / 256, 0)),
        ("u8_b", "uint8", (0.1, 100, 0.004, 3)),
        ("u8_c", "uint8", (0.0371, 200, 0.0039, 0)),
        ("s8_a", "int8", (0.05, 0, 1.0 / 256, -128)),
        ("s8_b", "int8", (0.13, -20, 0.0045, -120)),
        ("s8_c", "int8", (0.02, 10, 0.003, -100)),
    ]
    for nm, t, (xs, xz, ys, yz) in variants:
        c = Case(f"qlinearsigmoid_{nm}", "QLinearSigmoid", 13, domain="com.microsoft")
        lo, hi = RANGE[t]
        allv = np.arange(lo, hi + 1).reshape(1, 4, 8, 8)   # every input value once
        c.inp("X", t, allv)
        c.node("QLinearSigmoid", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                  c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
               ["Y"], domain="com.microsoft")
        c.outputs = ["Y"]
        c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz}
        cases.append(c)


def special_floats(scale):
    s = np.float32(scale)
    ties = [(k + 0.5) * s for k in range(-140, 140, 7)]
    return np.array(ties + [0.0, -0.0, 1e30, -1e30, np.inf, -np.inf, 127.5 * s, -128.5 * s,
                            255.5 * s, 2.5 * s, -2.5 * s, 3.5 * s, np.nextafter(np.float32(0.5) * s, 0)],
                    dtype=np.float32)


def quantize_linear(rng, cases):
    for opset in (10, 13, 19, 21):
        for t in ("int8", "uint8"):
            s, z = (0.0625, 3) if t == "int8" else (0.125, 128)
            c = Case(f"quantizelinear_op{opset}_{t}", "QuantizeLinear", opset)
            n = 4 * 5 * 6
            base = rng.normal(0, 10, size=n).astype(np.float32)
            sp = special_floats(s)
            base[:len(sp)] = sp
            c.inp("X", "float32", base.reshape(1, 4, 5, 6))
            c.node("QuantizeLinear", ["X", c.const("s", "float32", s), c.const("z", t, z)], ["Y"])
            c.outputs = ["Y"]
            c.params = {"type": t, "axis": 1, "scale": [f32(s)], "zp": [z]}
            cases.append(c)
        # NaN probe (recorded; documented)
    c = Case("quantizelinear_nan_u8", "QuantizeLinear", 13)
    c.inp("X", "float32", np.array([np.nan, -np.nan, 1.0, np.nan, 2.0, 3.0, np.nan, 0.0], np.float32).reshape(1, 8, 1, 1))
    c.node("QuantizeLinear", ["X", c.const("s", "float32", 0.5), c.const("z", "uint8", 7)], ["Y"])
    c.outputs = ["Y"]
    c.params = {"type": "uint8", "axis": 1, "scale": [0.5], "zp": [7], "probe": "nan"}
    cases.append(c)
    c = Case("quantizelinear_nan_s8", "QuantizeLinear", 13)
    c.inp("X", "float32", np.array([np.nan, -np.nan, 1.0, np.nan, 2.0, 3.0, np.nan, 0.0], np.float32).reshape(1, 8, 1, 1))
    c.node("QuantizeLinear", ["X", c.const("s", "float32", 0.5), c.const("z", "int8", 7)], ["Y"])
    c.outputs = ["Y"]
    c.params = {"type": "int8", "axis": 1, "scale": [0.5], "zp": [7], "probe": "nan"}
    cases.append(c)
    # per-axis along C (opset 13+), int8 and uint8
    for opset in (13, 21):
        for t in ("int8", "uint8"):
            C = 5
            scales = [0.0625, 0.1, 0.03125, 0.37, 0.011]
            zps = [0, 3, -7, 12, -1] if t == "int8" else [128, 0, 255, 100, 7]
            c = Case(f"quantizelinear_axis1_op{opset}_{t}", "QuantizeLinear", opset)
            x = rng.normal(0, 6, size=(1, C, 4, 3)).astype(np.float32)
            x[0, 0, 0, :] = [2.5 * 0.0625, -2.5 * 0.0625, 0.5 * 0.0625]
            x[0, 2, 0, :] = [1.5 * 0.03125, 100.0, -100.0]
            c.inp("X", "float32", x)
            c.node("QuantizeLinear", ["X", c.const("s", "float32", scales), c.const("z", t, zps)],
                   ["Y"], axis=1)
            c.outputs = ["Y"]
            c.params = {"type": t, "axis": 1, "scale": [f32(v) for v in scales], "zp": zps}
            cases.append(c)
    # opset 21: no zero point, output_dtype attribute
    c = Case("quantizelinear_op21_outdtype_s8", "QuantizeLinear", 21)
    x = rng.normal(0, 3, size=(1, 3, 4, 4)).astype(np.float32)
    c.inp("X", "float32", x)
    c.node("QuantizeLinear", ["X", c.const("s", "float32", 0.05)], ["Y"], output_dtype=TensorProto.INT8)
    c.outputs = ["Y"]
    c.params = {"type": "int8", "axis": 1, "scale": [f32(0.05)], "zp": [0]}
    cases.append(c)
    # opset 21 blocked quantization (recorded; no C kernel)
    c = Case("quantizelinear_op21_block_u8", "QuantizeLinear", 21)
    x = rng.normal(0, 3, size=(1, 4, 2, 2)).astype(np.float32)
    c.inp("X", "float32", x)
    c.node("QuantizeLinear", ["X", c.const("s", "float32", [0.05, 0.1] * 4, [1, 2, 2, 2]),
                              c.const("z", "uint8", [100, 130] * 4, [1, 2, 2, 2])],
           ["Y"], axis=1, block_size=2)
    c.outputs = ["Y"]
    c.params = {"probe": "block_size"}
    cases.append(c)


def dequantize_linear(rng, cases):
    for opset in (10, 13, 21):
        for t in ("int8", "uint8", "int32"):
            if t == "int32":
                x = rng.integers(-(1 << 27), 1 << 27, size=(1, 3, 4, 5))
                x.flat[0:4] = [2**31 - 1, -2**31, 16777217, -16777217]
                s, z = 0.00037, None
            else:
                x = rand_q(rng, t, (1, 3, 4, 5))
                s, z = (0.0371, -5) if t == "int8" else (0.0173, 131)
            c = Case(f"dequantizelinear_op{opset}_{t}", "DequantizeLinear", opset)
            c.inp("X", t, x)
            ins = ["X", c.const("s", "float32", s)]
            if z is not None:
                ins.append(c.const("z", t, z))
            c.node("DequantizeLinear", ins, ["Y"])
            c.outputs = ["Y"]
            c.params = {"in_type": t, "axis": 1, "scale": [f32(s)], "zp": [z or 0]}
            cases.append(c)
    for t in ("int8", "uint8"):
        scales = [0.0625, 0.1, 0.03125, 0.37]
        zps = [0, 3, -7, 12] if t == "int8" else [128, 0, 255, 100]
        c = Case(f"dequantizelinear_axis1_op13_{t}", "DequantizeLinear", 13)
        c.inp("X", t, rand_q(rng, t, (2, 4, 3, 3)))
        c.node("DequantizeLinear", ["X", c.const("s", "float32", scales), c.const("z", t, zps)], ["Y"],
               axis=1)
        c.outputs = ["Y"]
        c.params = {"in_type": t, "axis": 1, "scale": [f32(v) for v in scales], "zp": zps}
        cases.append(c)


def conv_case(rng, name, xt, wt, yt, dims, K, k, strides, pads, dil, group, xq, wq, yq,
              per_channel, bias, opset=10, qdq=False):
    N, C, H, W = dims
    xs, xz = xq
    ys, yz = yq
    ws_list = [f32(v) for v in (wq[0] if per_channel else [wq[0]])]
    wz_list = list(wq[1]) if per_channel else [wq[1]]
    x = rand_q(rng, xt, dims)
    w = rand_q(rng, wt, (K, C // group, k[0], k[1]))
    b = rng.integers(-3000, 3000, size=K) if bias else None
    c = Case(name, "QLinearConv", opset)
    c.inp("X", xt, x)
    wname = c.const("W", wt, w, c_side=True)
    ins = ["X", c.const("x_s", "float32", xs), c.const("x_z", xt, xz), wname,
           c.const("w_s", "float32", ws_list if per_channel else ws_list[0]),
           c.const("w_z", wt, wz_list if per_channel else wz_list[0]),
           c.const("y_s", "float32", ys), c.const("y_z", yt, yz)]
    if bias:
        ins.append(c.const("B", "int32", b, c_side=True))
    attrs = {"kernel_shape": k, "strides": strides, "pads": pads, "dilations": dil, "group": group}
    c.node("QLinearConv", ins, ["Y"], **attrs)
    c.outputs = ["Y"]
    c.params = {"x_type": xt, "w_type": wt, "y_type": yt, "x_scale": f32(xs), "x_zp": xz,
                "w_scale": ws_list, "w_zp": wz_list, "y_scale": f32(ys), "y_zp": yz,
                "kernel": k, "strides": strides, "pads": pads, "dilations": dil, "group": group,
                "out_channels": K, "has_bias": bool(bias)}
    return c


def qlinear_conv(rng, cases):
    cases.append(conv_case(rng, "qlinearconv_u8u8_wzp", "uint8", "uint8", "uint8", [1, 5, 7, 6], 6, [3, 3],
                           [1, 1], [1, 1, 1, 1], [1, 1], 1, (0.02, 128), (0.01, 131), (0.05, 120), False, True))
    cases.append(conv_case(rng, "qlinearconv_u8s8_perch", "uint8", "int8", "uint8", [1, 4, 8, 7], 5, [3, 2],
                           [2, 1], [0, 1, 2, 0], [1, 2], 1, (0.03, 100),
                           ([0.01, 0.02, 0.005, 0.013, 0.03], [0, 0, 0, 0, 0]), (0.2, 110), True, True))
    cases.append(conv_case(rng, "qlinearconv_s8s8", "int8", "int8", "int8", [1, 6, 6, 6], 4, [3, 3],
                           [1, 1], [1, 1, 1, 1], [1, 1], 1, (0.05, -3), (0.02, 0), (0.3, 2), False, True))
    cases.append(conv_case(rng, "qlinearconv_s8s8_dw_perch", "int8", "int8", "int8", [1, 8, 7, 7], 8, [3, 3],
                           [2, 2], [1, 1, 1, 1], [1, 1], 8, (0.05, 1),
                           ([0.01 * (i + 1) for i in range(8)], [0] * 8), (0.1, -4), True, True))
    cases.append(conv_case(rng, "qlinearconv_u8u8_group2_perch_wzp", "uint8", "uint8", "uint8", [1, 4, 6, 5], 6,
                           [2, 2], [1, 1], [1, 0, 0, 1], [2, 1], 2, (0.04, 128),
                           ([0.01, 0.02, 0.03, 0.015, 0.025, 0.005], [120, 128, 131, 140, 100, 127]),
                           (0.1, 128), True, True))
    cases.append(conv_case(rng, "qlinearconv_u8s8_ties", "uint8", "int8", "uint8", [1, 3, 5, 5], 4, [1, 1],
                           [1, 1], [0, 0, 0, 0], [1, 1], 1, (0.5, 128), (0.25, 0), (1.0, 128), False, False))
    cases.append(conv_case(rng, "qlinearconv_u8s8_sat", "uint8", "int8", "uint8", [1, 8, 4, 4], 3, [3, 3],
                           [1, 1], [1, 1, 1, 1], [1, 1], 1, (0.1, 0), (0.1, 0), (0.05, 128), False, True))
    # MLAS's symmetric-conv kernels (ConvSym, AVX-512 VNNI here): uint8 input,
    # int8 weights with zero point 0, C % 4 == 0 and K >= 16, or depthwise
    # with groups a multiple of 16 (qlinearconv.cc / convsym.cpp
    # MlasConvSymPackWSize).
    cases.append(conv_case(rng, "qlinearconv_u8s8_convsym", "uint8", "int8", "uint8", [1, 8, 7, 6], 32, [3, 3],
                           [1, 1], [1, 1, 1, 1], [1, 1], 1, (0.02, 120),
                           ([0.002 + 0.0003 * i for i in range(32)], [0] * 32), (0.1, 128), True, True))
    cases.append(conv_case(rng, "qlinearconv_u8s8_convsym_dw16", "uint8", "int8", "uint8", [1, 16, 7, 7], 16,
                           [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 16, (0.02, 120),
                           ([0.01 + 0.001 * i for i in range(16)], [0] * 16), (0.05, 128), True, True))
    # u8 x s8 pairs whose sum overflows int16 (255*127*2): exact on VNNI,
    # saturated by vpmaddubsw on an AVX2-only machine.
    c = conv_case(rng, "qlinearconv_u8s8_int16_overflow", "uint8", "int8", "uint8", [1, 32, 2, 2], 16, [1, 1],
                  [1, 1], [0, 0, 0, 0], [1, 1], 1, (0.01, 0), (0.01, 0), (30.0, 0), False, False)
    c.inputs[0] = ("X", "uint8", np.full((1, 32, 2, 2), 255, np.uint8))
    w = np.full((16, 32, 1, 1), 127, np.int8)
    w[8:] = -128
    c.inits[[t.name for t in c.inits].index("W")] = helper.make_tensor("W", TensorProto.INT8, list(w.shape),
                                                                     w.flatten().tolist())
    c.c_inits[0] = ("W", "int8", w)
    cases.append(c)


def qlinear_matmul(rng, cases):
    for nm, at, bt, M, K, N, (as_, az), (bs, bz), (ys, yz), perc in [
        ("u8u8", "uint8", "uint8", 5, 19, 7, (0.02, 128), (0.01, 130), (0.05, 120), False),
        ("u8s8_percol", "uint8", "int8", 4, 33, 6, (0.03, 100), ([0.01, 0.02, 0.005, 0.013, 0.03, 0.007], [0] * 6), (0.2, 110), True),
        ("s8s8", "int8", "int8", 3, 16, 9, (0.05, -3), (0.02, 0), (0.3, 2), False),
    ]:
        c = Case(f"qlinearmatmul_{nm}", "QLinearMatMul", 13)
        c.inp("A", at, rand_q(rng, at, (M, K)))
        bw = rand_q(rng, bt, (K, N))
        bn = c.const("Bm", bt, bw, c_side=True)
        bsl = [f32(v) for v in (bs if perc else [bs])]
        bzl = list(bz) if perc else [bz]
        c.node("QLinearMatMul", ["A", c.const("a_s", "float32", as_), c.const("a_z", at, az), bn,
                                 c.const("b_s", "float32", bsl if perc else bsl[0]),
                                 c.const("b_z", bt, bzl if perc else bzl[0]),
                                 c.const("y_s", "float32", ys), c.const("y_z", at, yz)], ["Y"])
        c.outputs = ["Y"]
        c.params = {"a_type": at, "b_type": bt, "y_type": at, "a_scale": f32(as_), "a_zp": az,
                    "b_scale": bsl, "b_zp": bzl, "y_scale": f32(ys), "y_zp": yz, "M": M, "K": K, "N": N}
        cases.append(c)


def qgemm(rng, cases):
    for nm, at, bt, M, K, N, alpha, trans_b, has_c, quant_out in [
        ("u8s8_alpha_c_q", "uint8", "int8", 4, 20, 6, 0.75, 1, True, True),
        ("u8u8_float", "uint8", "uint8", 3, 17, 5, 1.0, 0, True, False),
        ("s8s8_alpha_float", "int8", "int8", 5, 9, 4, 1.3, 1, False, False),
        ("s8s8_q", "int8", "int8", 2, 24, 8, 1.0, 0, False, True),
    ]:
        c = Case(f"qgemm_{nm}", "QGemm", 13, domain="com.microsoft")
        a_s, a_z = (0.03, 128 if at == "uint8" else -2)
        b_s, b_z = (0.02, 125 if bt == "uint8" else 0)
        y_s, y_z = (0.25, 120 if at == "uint8" else 3)
        c.inp("A", at, rand_q(rng, at, (M, K)))
        bw = rand_q(rng, bt, (N, K) if trans_b else (K, N))
        ins = ["A", c.const("a_s", "float32", a_s), c.const("a_z", at, a_z),
               c.const("Bm", bt, bw, c_side=True), c.const("b_s", "float32", b_s), c.const("b_z", bt, b_z)]
        ins.append(c.const("Cb", "int32", rng.integers(-2000, 2000, size=N), c_side=True) if has_c else "")
        if quant_out:
            ins += [c.const("y_s", "float32", y_s), c.const("y_z", at, y_z)]
        c.node("QGemm", ins, ["Y"], domain="com.microsoft", alpha=alpha, transB=trans_b)
        c.outputs = ["Y"]
        c.params = {"a_type": at, "b_type": bt, "a_scale": f32(a_s), "a_zp": a_z, "b_scale": [f32(b_s)],
                    "b_zp": [b_z], "alpha": f32(alpha), "trans_b": trans_b, "has_c": has_c,
                    "quantized_output": quant_out, "y_scale": f32(y_s), "y_zp": y_z, "M": M, "K": K, "N": N}
        cases.append(c)


def integer_ops(rng, cases):
    c = Case("convinteger_u8u8_zp", "ConvInteger", 10)
    c.inp("X", "uint8", rand_q(rng, "uint8", (1, 3, 6, 5)))
    w = rand_q(rng, "uint8", (4, 3, 3, 3))
    c.node("ConvInteger", ["X", c.const("W", "uint8", w, c_side=True), c.const("x_z", "uint8", 120),
                           c.const("w_z", "uint8", 130)], ["Y"], kernel_shape=[3, 3], pads=[1, 0, 0, 1],
           strides=[1, 2])
    c.outputs = ["Y"]
    c.params = {"x_type": "uint8", "w_type": "uint8", "x_zp": 120, "w_zp": [130], "kernel": [3, 3],
                "strides": [1, 2], "pads": [1, 0, 0, 1], "dilations": [1, 1], "group": 1, "out_channels": 4}
    cases.append(c)
    c = Case("matmulinteger_u8s8", "MatMulInteger", 10)
    c.inp("A", "uint8", rand_q(rng, "uint8", (4, 21)))
    bw = rand_q(rng, "int8", (21, 5))
    c.node("MatMulInteger", ["A", c.const("Bm", "int8", bw, c_side=True), c.const("a_z", "uint8", 129),
                             c.const("b_z", "int8", 0)], ["Y"])
    c.outputs = ["Y"]
    c.params = {"a_type": "uint8", "b_type": "int8", "a_zp": 129, "b_zp": [0], "M": 4, "K": 21, "N": 5}
    cases.append(c)


def pad(rng, cases):
    for opset in (11, 13, 18, 19):
        for t in ("int8", "uint8"):
            c = Case(f"pad_op{opset}_{t}", "Pad", opset)
            c.inp("X", t, rand_q(rng, t, (1, 3, 4, 5)))
            pads = [0, 0, 1, 2, 0, 0, 3, 1]
            val = -7 if t == "int8" else 133
            c.node("Pad", ["X", c.const("pads", "int64", pads), c.const("v", t, val)], ["Y"], mode="constant")
            c.outputs = ["Y"]
            c.params = {"type": t, "pads": pads, "value": val}
            cases.append(c)


def softmax(rng, cases):
    for opset in (11, 13):
        c = Case(f"softmax_op{opset}", "Softmax", opset)
        x = rng.normal(0, 4, size=(3, 10)).astype(np.float32)
        c.inp("X", "float32", x)
        c.node("Softmax", ["X"], ["Y"], axis=1)
        c.outputs = ["Y"]
        c.params = {"axis": 1, "rows": 3, "cols": 10}
        cases.append(c)


def float_avgpool_sizes(rng, cases):
    """Float AveragePool: output sizes (auto_pad, ceil_mode, dilations)."""
    for nm, dims, k, s, p, d, ceil, ap, cip in [
        ("ceil_lastpad", [1, 1, 6, 6], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 1, None, 0),
        ("ceil_lastpad_incl", [1, 1, 6, 6], [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 1, None, 1),
        ("same_upper", [1, 1, 7, 6], [3, 2], [2, 2], None, [1, 1], 0, "SAME_UPPER", 0),
        ("same_lower", [1, 1, 7, 6], [3, 2], [2, 2], None, [1, 1], 0, "SAME_LOWER", 0),
        ("dil_ceil", [1, 1, 9, 8], [2, 3], [3, 2], [1, 0, 1, 2], [2, 1], 1, None, 0),
        ("ceil_rule", [1, 1, 5, 8], [3, 3], [3, 3], [0, 0, 2, 2], [1, 1], 1, None, 1),
    ]:
        c = Case(f"averagepool_f32_{nm}", "AveragePool", 19)
        c.inp("X", "float32", rng.integers(-8, 8, size=dims).astype(np.float32))
        attrs = pool_attrs(k, s, p or [0, 0, 0, 0], ceil, cip, d, ap)
        c.node("AveragePool", ["X"], ["Y"], **attrs)
        c.outputs = ["Y"]
        c.params = {"kernel": k, "strides": s, "pads": p or [0, 0, 0, 0], "dilations": d,
                    "ceil_mode": ceil, "auto_pad": ap or "NOTSET", "count_include_pad": cip}
        cases.append(c)



# ---------------------------------------------------------------- sweeps
# Larger inputs that make near-ties frequent, so that a formula with one
# rounding in another place (no FMA, a reciprocal instead of a division,
# double instead of float) gives different bytes somewhere.

def add_alternative_pairs(t, sa, za, sb, zb, sc, zc):
    """Flat indices (a*256 + b order of the sweep) where QLinearAdd computed
    without FMA, or with F contracted, would give another byte than the
    AVX2 kernel (fma emulated in float64: a*r is exact there)."""
    lo, hi = RANGE[t]
    a = np.repeat(np.arange(lo, hi + 1), 256).astype(np.float64)
    b = np.tile(np.arange(lo, hi + 1), 256).astype(np.float64)
    f = np.float32
    ra, rb = f(f(sa) / f(sc)), f(f(sb) / f(sc))
    F = f(f(zc) - f(f(ra * f(za)) + f(rb * f(zb))))
    F2 = f(f(zc) - f(np.float64(ra) * za + np.float64(f(rb * f(zb)))))

    def fused(F):
        t1 = (b * np.float64(rb) + np.float64(F)).astype(f)
        return np.clip(np.rint((a * np.float64(ra) + t1.astype(np.float64)).astype(f)), lo, hi)
    ref = fused(F)
    non = np.clip(np.rint(f(f(F + f(a.astype(f) * ra)) + f(b.astype(f) * rb))), lo, hi)
    return np.nonzero((ref != non) | (ref != fused(F2)))[0]


def add_bcast_b_values(t, sa, za, sb, zb, sc, zc):
    """The b values (one per channel) for which ORT's scalar-B QLinearAdd
    path (F + b*rb folded first) gives another byte than the same-shape
    path for some a (fma emulated in float64)."""
    lo, hi = RANGE[t]
    a = np.tile(np.arange(lo, hi + 1), 256).astype(np.float64)
    b = np.repeat(np.arange(lo, hi + 1), 256).astype(np.float64)
    f = np.float32
    ra, rb = f(f(sa) / f(sc)), f(f(sb) / f(sc))
    F = f(f(zc) - f(np.float64(ra) * za + np.float64(f(rb * f(zb)))))
    t1 = (b * np.float64(rb) + np.float64(F)).astype(f)
    fused = np.clip(np.rint((a * np.float64(ra) + t1.astype(np.float64)).astype(f)), lo, hi)
    fb = f(F + f(b.astype(f) * rb))
    bc = np.clip(np.rint((a * np.float64(ra) + fb.astype(np.float64)).astype(f)), lo, hi)
    return sorted(set(int(v) for v in b[fused != bc]))


def sweeps(rng, cases):
    for t in ("int8", "uint8"):
        lo, hi = RANGE[t]
        allv = np.arange(lo, hi + 1)
        a = np.repeat(allv, 256).reshape(1, 256, 16, 16)      # every (a, b) pair once
        b = np.tile(allv, 256).reshape(1, 256, 16, 16)
        # Scales found by a search over random scale sets for where fma and
        # mul+add round differently after clamping ("a"), or where a
        # contracted ra*za + rb*zb would change F ("b"). The case keeps the
        # (a, b) pairs where any of those alternatives differs, plus 4000
        # random pairs.
        if t == "int8":
            vs = [("a", 0.021128559485077858, -42, 0.014047608710825443, 10, 0.05280320346355438, -106),
                  ("b", 0.007780381012707949, -44, 0.010820286348462105, -70, 0.028165562078356743, 22)]
        else:
            vs = [("a", 0.038304731249809265, 101, 0.03362266346812248, 107, 0.0791623443365097, 153),
                  ("b", 0.04565256088972092, 98, 0.04846784844994545, 194, 0.0860796868801117, 44)]
        for nm, sa, za, sb, zb, sc, zc in vs:
            c = Case(f"qlinearadd_sweep_{nm}_{t}", "QLinearAdd", 13, domain="com.microsoft")
            idx = np.concatenate([add_alternative_pairs(t, sa, za, sb, zb, sc, zc),
                                  rng.integers(0, 65536, size=4000)])
            idx = np.resize(idx, (len(idx) + 63) // 64 * 64)
            c.inp("A", t, a.flatten()[idx].reshape(1, -1, 8, 8))
            c.inp("B", t, b.flatten()[idx].reshape(1, -1, 8, 8))
            c.node("QLinearAdd", ["A", c.const("a_s", "float32", sa), c.const("a_z", t, za),
                                  "B", c.const("b_s", "float32", sb), c.const("b_z", t, zb),
                                  c.const("c_s", "float32", sc), c.const("c_z", t, zc)],
                   ["C"], domain="com.microsoft")
            c.outputs = ["C"]
            c.params = {"type": t, "a_scale": f32(sa), "a_zp": za, "b_scale": f32(sb), "b_zp": zb,
                        "c_scale": f32(sc), "c_zp": zc}
            cases.append(c)
        # QLinearAdd with B [1,C,1,1]: ORT's scalar-B path. Channels = b values
        # where that path differs from the same-shape one (found by a search
        # over scales), plus random ones; every a value in each channel.
        if t == "uint8":
            sa, za, sb, zb, sc, zc = 0.03443990647792816, 140, 0.020269643515348434, 48, 0.06886222213506699, 162
        else:
            sa, za, sb, zb, sc, zc = 0.03443990647792816, 12, 0.020269643515348434, -80, 0.06886222213506699, 34
        bvals = add_bcast_b_values(t, sa, za, sb, zb, sc, zc) + [int(v) for v in rand_q(rng, t, 6)]
        c = Case(f"qlinearadd_bcast_sweep_{t}", "QLinearAdd", 13, domain="com.microsoft")
        c.inp("A", t, np.tile(allv, len(bvals)).reshape(1, len(bvals), 16, 16))
        c.inp("B", t, np.array(bvals).reshape(1, len(bvals), 1, 1))
        c.node("QLinearAdd", ["A", c.const("a_s", "float32", sa), c.const("a_z", t, za),
                              "B", c.const("b_s", "float32", sb), c.const("b_z", t, zb),
                              c.const("c_s", "float32", sc), c.const("c_z", t, zc)],
               ["C"], domain="com.microsoft")
        c.outputs = ["C"]
        c.params = {"type": t, "a_scale": f32(sa), "a_zp": za, "b_scale": f32(sb), "b_zp": zb,
                    "c_scale": f32(sc), "c_zp": zc, "broadcast_b": True}
        cases.append(c)
        # QuantizeLinear near ties with a scale that is not a power of two
        for sc, z in ((0.1, 3), (0.0371, -11)):
            if t == "uint8":
                z += 128
            k = rng.integers(-140, 140, size=4096).astype(np.float32)
            x = (k + np.float32(0.5)) * np.float32(sc)
            ulps = rng.integers(-2, 3, size=4096)
            x = np.array([np.nextafter(v, np.float32(np.inf) if u > 0 else np.float32(-np.inf))
                          if u else v for v, u in zip(x.astype(np.float32), ulps)], np.float32)
            for _ in range(1):
                x = np.where(np.abs(ulps) == 2, np.nextafter(x, np.sign(ulps).astype(np.float32) * np.float32(np.inf)), x)
            c = Case(f"quantizelinear_sweep_{str(sc).replace('.', 'p')}_{t}", "QuantizeLinear", 13)
            c.inp("X", "float32", x.astype(np.float32).reshape(1, 4, 32, 32))
            c.node("QuantizeLinear", ["X", c.const("s", "float32", sc), c.const("z", t, z)], ["Y"])
            c.outputs = ["Y"]
            c.params = {"type": t, "axis": 1, "scale": [f32(sc)], "zp": [z]}
            cases.append(c)
        # QLinearSigmoid: many scales, every input value
        for i in range(12):
            xs = float(np.float32(rng.uniform(0.01, 0.2)))
            xz = int(rng.integers(lo + 40, hi - 40))
            ys = float(np.float32(rng.uniform(0.0036, 0.0045)))
            yz = int(lo if i % 2 else lo + int(rng.integers(0, 8)))
            c = Case(f"qlinearsigmoid_sweep{i}_{t}", "QLinearSigmoid", 13, domain="com.microsoft")
            c.inp("X", t, allv.reshape(1, 4, 8, 8))
            c.node("QLinearSigmoid", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                      c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
                   ["Y"], domain="com.microsoft")
            c.outputs = ["Y"]
            c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz}
            cases.append(c)
        # QLinearSigmoid with output scales placed (by an offline search) so
        # that one table entry sits on a rounding tie between MLAS's FMA
        # logistic and the same polynomial without FMA.
        for i, ys in enumerate((0.009931077249348164, 0.009923065081238747, 0.009918679483234882,
                                0.009905509650707245)):
            xz, yz = (128, 0) if t == "uint8" else (0, -128)
            c = Case(f"qlinearsigmoid_fmaprobe{i}_{t}", "QLinearSigmoid", 13, domain="com.microsoft")
            c.inp("X", t, allv.reshape(1, 4, 8, 8))
            c.node("QLinearSigmoid", ["X", c.const("x_s", "float32", 0.05), c.const("x_z", t, xz),
                                      c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
                   ["Y"], domain="com.microsoft")
            c.outputs = ["Y"]
            c.params = {"type": t, "x_scale": f32(0.05), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz}
            cases.append(c)
        # QLinearAveragePool with odd scales on a larger image
        for nm, k, st, pd, cip, ceil, (xs, xz, ys, yz) in [
                ("k3s1p1", [3, 3], [1, 1], [1, 1, 1, 1], 0, 0, (0.1, 5, 0.3, -7)),
                ("k3s2p1_incl_ceil", [3, 3], [2, 2], [1, 1, 1, 1], 1, 1, (0.0371, -20, 0.0173, 3)),
                ("k2s2", [2, 2], [2, 2], [0, 0, 0, 0], 0, 0, (0.07, 0, 0.21, 0))]:
            if t == "uint8":
                xz, yz = xz + 128, yz + 128
            c = Case(f"qlinearavgpool_sweep_{nm}_{t}", "QLinearAveragePool", 13, domain="com.microsoft")
            c.inp("X", t, rand_q(rng, t, (1, 16, 13, 13)))
            c.node("QLinearAveragePool", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                          c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
                   ["Y"], domain="com.microsoft", **pool_attrs(k, st, pd, ceil, cip))
            c.outputs = ["Y"]
            c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz,
                        "kernel": k, "strides": st, "pads": pd, "dilations": [1, 1], "ceil_mode": ceil,
                        "count_include_pad": cip, "auto_pad": "NOTSET", "channels_last": 0}
            cases.append(c)
        # QLinearGlobalAveragePool, odd scales, many channels
        for nm, dims, (xs, xz, ys, yz) in [("7x7", (1, 256, 7, 7), (0.1, 5, 0.03, -7)),
                                            ("3x5", (2, 128, 3, 5), (0.0371, -20, 0.0173, 3))]:
            if t == "uint8":
                xz, yz = xz + 128, yz + 128
            c = Case(f"qlinearglobalavgpool_sweep_{nm}_{t}", "QLinearGlobalAveragePool", 13,
                     domain="com.microsoft")
            c.inp("X", t, rand_q(rng, t, dims))
            c.node("QLinearGlobalAveragePool", ["X", c.const("x_s", "float32", xs), c.const("x_z", t, xz),
                                                c.const("y_s", "float32", ys), c.const("y_z", t, yz)],
                   ["Y"], domain="com.microsoft", channels_last=0)
            c.outputs = ["Y"]
            c.params = {"type": t, "x_scale": f32(xs), "x_zp": xz, "y_scale": f32(ys), "y_zp": yz,
                        "channels_last": 0}
            cases.append(c)
        # QLinearConcat: every byte value through every input's table
        c = Case(f"qlinearconcat_sweep_{t}", "QLinearConcat", 13, domain="com.microsoft")
        ys, yz = 0.0531, (lo + hi + 1) // 2 - 3
        args = [c.const("y_s", "float32", ys), c.const("y_z", t, yz)]
        plist = []
        for i, (sx, zx) in enumerate([(0.0173, lo + 100), (0.1, lo + 140), (0.0531, yz), (0.0377, lo + 3)]):
            c.inp(f"X{i}", t, allv.reshape(1, 4, 8, 8))
            args += [f"X{i}", c.const(f"s{i}", "float32", sx), c.const(f"z{i}", t, zx)]
            plist.append({"scale": f32(sx), "zp": zx})
        c.node("QLinearConcat", args, ["Y"], domain="com.microsoft", axis=1)
        c.outputs = ["Y"]
        c.params = {"type": t, "axis": 1, "y_scale": f32(ys), "y_zp": yz, "inputs": plist}
        cases.append(c)

# ---------------------------------------------------------------- QDQ groups

def dq(c, x, t, s, z, tag, axis=None):
    ins = [x, c.const(f"{tag}_s", "float32", s), c.const(f"{tag}_z", t, z)]
    c.node("DequantizeLinear", ins, [f"{tag}_f"], **({"axis": axis} if axis is not None else {}))
    return f"{tag}_f"


def q(c, x, t, s, z, out):
    c.node("QuantizeLinear", [x, c.const(f"{out}_s", "float32", s), c.const(f"{out}_z", t, z)], [out])
    return out


def qdq_cases(rng, cases):
    for t in ("uint8", "int8"):
        zp = 128 if t == "uint8" else 0
        # DQ -> AveragePool -> Q  (QLinearAveragePool)
        c = Case(f"qdq_avgpool_{t}", "QDQ", 13, kind="qdq")
        c.inp("X", t, rand_q(rng, t, (1, 3, 7, 7)))
        f = dq(c, "X", t, 0.05, zp + 3, "x")
        c.node("AveragePool", [f], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
               count_include_pad=0, ceil_mode=1)
        q(c, "p", t, 0.04, zp - 5, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearAveragePool", "type": t, "x_scale": f32(0.05), "x_zp": zp + 3,
                    "y_scale": f32(0.04), "y_zp": zp - 5, "kernel": [3, 3], "strides": [2, 2],
                    "pads": [1, 1, 1, 1], "dilations": [1, 1], "ceil_mode": 1, "count_include_pad": 0,
                    "auto_pad": "NOTSET", "channels_last": 0}
        cases.append(c)
        # DQ, DQ -> Add -> Q  (QLinearAdd)
        c = Case(f"qdq_add_{t}", "QDQ", 13, kind="qdq")
        c.inp("A", t, rand_q(rng, t, (1, 4, 5, 5)))
        c.inp("B", t, rand_q(rng, t, (1, 4, 5, 5)))
        fa = dq(c, "A", t, 0.3, zp + 101 if t == "int8" else 230, "a")
        fb = dq(c, "B", t, 0.7, zp - 99 if t == "int8" else 3, "b")
        c.node("Add", [fa, fb], ["s"])
        q(c, "s", t, 0.11, zp + 17 if t == "int8" else 200, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearAdd", "type": t, "a_scale": f32(0.3), "a_zp": zp + 101 if t == "int8" else 230,
                    "b_scale": f32(0.7), "b_zp": zp - 99 if t == "int8" else 3, "c_scale": f32(0.11),
                    "c_zp": zp + 17 if t == "int8" else 200}
        cases.append(c)
        # DQ x3 -> Concat -> Q (QLinearConcat)
        c = Case(f"qdq_concat_{t}", "QDQ", 13, kind="qdq")
        fs, plist = [], []
        for i, (s, z) in enumerate([(0.05, zp), (0.1, zp - 20), (0.023, zp + 12)]):
            c.inp(f"X{i}", t, rand_q(rng, t, (1, 2, 3, 3)))
            fs.append(dq(c, f"X{i}", t, s, z, f"x{i}"))
            plist.append({"scale": f32(s), "zp": z})
        c.node("Concat", fs, ["cat"], axis=1)
        q(c, "cat", t, 0.05, zp, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearConcat", "type": t, "axis": 1, "y_scale": f32(0.05), "y_zp": zp,
                    "inputs": plist}
        cases.append(c)
        # DQ -> MaxPool -> Q with equal scale/zp (dropped Q/DQ: MaxPool on 8 bits)
        c = Case(f"qdq_maxpool_{t}", "QDQ", 12, kind="qdq")
        c.inp("X", t, rand_q(rng, t, (1, 3, 7, 7)))
        f = dq(c, "X", t, 0.05, zp + 1, "x")
        c.node("MaxPool", [f], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        q(c, "p", t, 0.05, zp + 1, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "MaxPool", "type": t, "kernel": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
                    "dilations": [1, 1], "ceil_mode": 0, "auto_pad": "NOTSET"}
        cases.append(c)
        # DQ -> MaxPool -> Q with different scales: not dropped (float MaxPool)
        c = Case(f"qdq_maxpool_unequal_{t}", "QDQ", 12, kind="qdq")
        c.inp("X", t, rand_q(rng, t, (1, 3, 7, 7)))
        f = dq(c, "X", t, 0.05, zp + 1, "x")
        c.node("MaxPool", [f], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        q(c, "p", t, 0.06, zp + 1, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "DQ,MaxPool,Q", "type": t, "kernel": [3, 3], "strides": [2, 2],
                    "pads": [1, 1, 1, 1], "dilations": [1, 1], "ceil_mode": 0, "auto_pad": "NOTSET",
                    "x_scale": f32(0.05), "x_zp": zp + 1, "y_scale": f32(0.06), "y_zp": zp + 1}
        cases.append(c)
        # DQ -> Reshape -> Q with equal params: dropped
        c = Case(f"qdq_reshape_{t}", "QDQ", 13, kind="qdq")
        c.inp("X", t, rand_q(rng, t, (1, 3, 4, 4)))
        f = dq(c, "X", t, 0.05, zp + 1, "x")
        c.node("Reshape", [f, c.const("shape", "int64", [1, 48])], ["p"])
        q(c, "p", t, 0.05, zp + 1, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "none"}
        cases.append(c)
        # DQ -> GlobalAveragePool -> Q
        c = Case(f"qdq_globalavgpool_{t}", "QDQ", 13, kind="qdq")
        c.inp("X", t, rand_q(rng, t, (1, 6, 5, 5)))
        f = dq(c, "X", t, 0.05, zp - 3, "x")
        c.node("GlobalAveragePool", [f], ["p"])
        q(c, "p", t, 0.02, zp + 5, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearGlobalAveragePool", "type": t, "x_scale": f32(0.05), "x_zp": zp - 3,
                    "y_scale": f32(0.02), "y_zp": zp + 5, "channels_last": 0}
        cases.append(c)
        # DQ -> Sigmoid -> Q
        c = Case(f"qdq_sigmoid_{t}", "QDQ", 13, kind="qdq")
        lo, hi = RANGE[t]
        c.inp("X", t, np.arange(lo, hi + 1).reshape(1, 4, 8, 8))
        f = dq(c, "X", t, 0.05, zp, "x")
        c.node("Sigmoid", [f], ["p"])
        q(c, "p", t, 1.0 / 256, lo if t == "int8" else 0, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearSigmoid", "type": t, "x_scale": f32(0.05), "x_zp": zp,
                    "y_scale": f32(1.0 / 256), "y_zp": lo if t == "int8" else 0}
        cases.append(c)
        # DQ(x), DQ(w const), DQ(b int32 const) -> Conv -> [Relu|Clip] -> Q
        for act, opset in (("none", 13), ("relu", 13), ("clip", 13), ("clip6", 13), ("relu", 21),
                           ("clip6", 19), ("clip6", 21)):
            c = Case(f"qdq_conv_{act}_{t}" + (f"_op{opset}" if opset != 13 else ""), "QDQ", opset, kind="qdq")
            K, C = 4, 3
            c.inp("X", t, rand_q(rng, t, (1, C, 6, 6)))
            w = rand_q(rng, "int8", (K, C, 3, 3))
            wsc = [0.01, 0.02, 0.015, 0.005]
            xs, xz = 0.05, zp + 2
            bias = rng.integers(-500, 500, size=K)
            fx = dq(c, "X", t, xs, xz, "x")
            c.const("W", "int8", w, c_side=True)
            fw = dq(c, "W", "int8", wsc, [0] * K, "w", axis=0)
            c.const("Bq", "int32", bias, c_side=True)
            c.node("DequantizeLinear", ["Bq", c.const("b_s", "float32", [f32(f32(xs) * f32(v)) for v in wsc]),
                                        c.const("b_z", "int32", [0] * K)], ["b_f"], axis=0)
            c.node("Conv", [fx, fw, "b_f"], ["conv"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
            last = "conv"
            ys, yz = (0.08 if act != "clip6" else 0.02), (zp - 128 if act != "none" else zp)
            if t == "uint8" and act != "none":
                yz = 0
            if act == "relu":
                c.node("Relu", ["conv"], ["act"])
                last = "act"
            elif act in ("clip", "clip6"):
                c.node("Clip", ["conv", c.const("cmin", "float32", 0.0), c.const("cmax", "float32", 6.0)], ["act"])
                last = "act"
            q(c, last, t, ys, yz, "Y")
            c.outputs = ["Y"]
            c.params = {"as": "QLinearConv", "x_type": t, "w_type": "int8", "y_type": t, "x_scale": f32(xs),
                        "x_zp": xz, "w_scale": [f32(v) for v in wsc], "w_zp": [0] * K, "y_scale": f32(ys),
                        "y_zp": yz, "kernel": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1],
                        "dilations": [1, 1], "group": 1, "out_channels": K, "has_bias": True, "act": act}
            cases.append(c)
        # DQ(a), DQ(b const) -> MatMul -> Q
        c = Case(f"qdq_matmul_{t}", "QDQ", 13, kind="qdq")
        M, K, N = 3, 12, 5
        c.inp("A", t, rand_q(rng, t, (M, K)))
        bw = rand_q(rng, "int8", (K, N))
        fa = dq(c, "A", t, 0.04, zp + 1, "a")
        c.const("Bm", "int8", bw, c_side=True)
        fb = dq(c, "Bm", "int8", 0.02, 0, "b")
        c.node("MatMul", [fa, fb], ["mm"])
        q(c, "mm", t, 0.1, zp - 2, "Y")
        c.outputs = ["Y"]
        c.params = {"as": "QLinearMatMul", "a_type": t, "b_type": "int8", "y_type": t, "a_scale": f32(0.04),
                    "a_zp": zp + 1, "b_scale": [f32(0.02)], "b_zp": [0], "y_scale": f32(0.1), "y_zp": zp - 2,
                    "M": M, "K": K, "N": N}
        cases.append(c)
    # A float chain: x(float) -> Q -> DQ -> AveragePool -> Q -> DQ -> y(float), int8.
    # On x86 ORT turns the int8 Q/DQ pairs into uint8 (zero point + 128) before fusing.
    for t in ("int8", "uint8"):
        zp = 0 if t == "int8" else 128
        c = Case(f"qdq_chain_avgpool_{t}", "QDQ", 13, kind="qdq")
        c.inp("X", "float32", rng.normal(0, 2, size=(1, 3, 7, 7)).astype(np.float32))
        q(c, "X", t, 0.05, zp + 3, "xq")
        f = dq(c, "xq", t, 0.05, zp + 3, "x")
        c.node("AveragePool", [f], ["p"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
               count_include_pad=0)
        q(c, "p", t, 0.04, zp - 5, "pq")
        dq(c, "pq", t, 0.04, zp - 5, "Y")
        c.nodes[-1].output[0] = "Y"
        c.outputs = ["Y"]
        c.params = {"as": "chain:QuantizeLinear,QLinearAveragePool,DequantizeLinear", "type": t,
                    "x_scale": f32(0.05), "x_zp": zp + 3, "y_scale": f32(0.04), "y_zp": zp - 5,
                    "kernel": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [1, 1],
                    "ceil_mode": 0, "count_include_pad": 0, "auto_pad": "NOTSET", "channels_last": 0}
        cases.append(c)
        # int8 conv chain: ORT converts the activations' Q/DQ pairs to uint8
        # (zp + 128) and fuses a U8S8 QLinearConv.
        c = Case(f"qdq_chain_conv_{t}", "QDQ", 13, kind="qdq")
        K, C = 4, 3
        c.inp("X", "float32", rng.normal(0, 2, size=(1, C, 6, 6)).astype(np.float32))
        w = rand_q(rng, "int8", (K, C, 3, 3))
        wsc = [0.01, 0.02, 0.015, 0.005]
        xs, xz = 0.05, zp + 2
        ys, yz = 0.08, zp - 1
        bias = rng.integers(-500, 500, size=K)
        q(c, "X", t, xs, xz, "xq")
        fx = dq(c, "xq", t, xs, xz, "x")
        c.const("W", "int8", w, c_side=True)
        fw = dq(c, "W", "int8", wsc, [0] * K, "w", axis=0)
        c.const("Bq", "int32", bias, c_side=True)
        c.node("DequantizeLinear", ["Bq", c.const("b_s", "float32", [f32(f32(xs) * f32(v)) for v in wsc]),
                                    c.const("b_z", "int32", [0] * K)], ["b_f"], axis=0)
        c.node("Conv", [fx, fw, "b_f"], ["conv"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
        q(c, "conv", t, ys, yz, "yq")
        dq(c, "yq", t, ys, yz, "Y")
        c.nodes[-1].output[0] = "Y"
        c.outputs = ["Y"]
        c.params = {"as": "chain:QuantizeLinear,QLinearConv,DequantizeLinear", "type": t,
                    "x_type": t, "w_type": "int8", "y_type": t, "x_scale": f32(xs), "x_zp": xz,
                    "w_scale": [f32(v) for v in wsc], "w_zp": [0] * K, "y_scale": f32(ys), "y_zp": yz,
                    "kernel": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1], "dilations": [1, 1],
                    "group": 1, "out_channels": K, "has_bias": True}
        cases.append(c)
        c = Case(f"qdq_chain_add_{t}", "QDQ", 13, kind="qdq")
        c.inp("A", "float32", rng.normal(0, 20, size=(1, 4, 5, 5)).astype(np.float32))
        c.inp("B", "float32", rng.normal(0, 20, size=(1, 4, 5, 5)).astype(np.float32))
        za, zb, zc = (zp + 101, zp - 99, zp + 17) if t == "int8" else (230, 3, 200)
        q(c, "A", t, 0.3, za, "aq")
        q(c, "B", t, 0.7, zb, "bq")
        fa = dq(c, "aq", t, 0.3, za, "a")
        fb = dq(c, "bq", t, 0.7, zb, "b")
        c.node("Add", [fa, fb], ["s"])
        q(c, "s", t, 0.11, zc, "sq")
        dq(c, "sq", t, 0.11, zc, "Y")
        c.nodes[-1].output[0] = "Y"
        c.outputs = ["Y"]
        c.params = {"as": "chain:QuantizeLinear,QLinearAdd,DequantizeLinear", "type": t, "a_scale": f32(0.3),
                    "a_zp": za, "b_scale": f32(0.7), "b_zp": zb, "c_scale": f32(0.11), "c_zp": zc}
        cases.append(c)


# ---------------------------------------------------------------- driver

def write_case(c, outdir):
    d = os.path.join(outdir, c.name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    m = c.model()
    onnx.save(m, os.path.join(d, "model.onnx"))
    spec = {"inputs": []}
    ins = []
    for i, (n, t, a) in enumerate(c.inputs):
        fn = f"in{i}.bin"
        a.tofile(os.path.join(d, fn))
        spec["inputs"].append({"name": n, "type": t, "dims": list(a.shape), "file": fn})
        ins.append({"name": n, "type": t, "dims": list(a.shape), "file": fn})
    inits = []
    for i, (n, t, a) in enumerate(c.c_inits):
        fn = f"init{i}.bin"
        a.tofile(os.path.join(d, fn))
        inits.append({"name": n, "type": t, "dims": list(a.shape), "file": fn})
    with open(os.path.join(d, "spec.json"), "w") as f:
        json.dump(spec, f)
    return d, ins, inits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "onnx", "cases"))
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--only", default="", help="substring filter on case names")
    args = ap.parse_args()
    print(f"gen_cases.py: seed {args.seed}", file=sys.stderr)
    rng = np.random.default_rng(args.seed)
    cases = []
    for fn in (qlinear_add, qlinear_avgpool, maxpool, global_avgpool, qlinear_concat, qlinear_sigmoid,
               quantize_linear, dequantize_linear, qlinear_conv, qlinear_matmul, qgemm, integer_ops, pad,
               softmax, float_avgpool_sizes, qdq_cases, sweeps):
        fn(rng, cases)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    os.makedirs(args.out, exist_ok=True)
    tmp = os.path.join(args.out, ".ortout")
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    jobs, meta = [], []
    for c in cases:
        d, ins, inits = write_case(c, args.out)
        jobs.append({"model": os.path.join(d, "model.onnx"), "spec": os.path.join(d, "spec.json"),
                     "out": os.path.join(tmp, c.name), "optimized": os.path.join(tmp, c.name, "opt.onnx")})
        meta.append((c, d, ins, inits))
    batch = os.path.join(tmp, "batch.json")
    os.makedirs(tmp)
    with open(batch, "w") as f:
        json.dump(jobs, f)
    r = subprocess.run(["node", ORT_RUN, "--batch", batch], capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    n_ok = 0
    for c, d, ins, inits in meta:
        od = os.path.join(tmp, c.name)
        info = {"name": c.name, "op": c.op, "domain": c.domain, "opset": c.opset, "kind": c.kind,
                "inputs": ins, "initializers": inits, "params": c.params,
                "nodes": [{"op": n.op_type, "domain": n.domain} for n in c.nodes]}
        if os.path.exists(os.path.join(od, "error.txt")):
            info["ort_error"] = open(os.path.join(od, "error.txt")).read().strip()
            info["outputs"] = []
        else:
            desc = json.load(open(os.path.join(od, "outputs.json")))
            info["ort_version"] = desc["ort_version"]
            info["graph_optimization_level"] = desc["graph_optimization_level"]
            outs = []
            for i, o in enumerate(desc["outputs"]):
                fn = f"out{i}.bin"
                shutil.copy(os.path.join(od, o["file"]), os.path.join(d, fn))
                outs.append({"name": o["name"], "type": o["type"], "dims": o["dims"], "file": fn})
            info["outputs"] = outs
            opt = os.path.join(od, "opt.onnx")
            if os.path.exists(opt):
                om = onnx.load(opt)
                info["ort_optimized_nodes"] = [
                    (n.domain + "." if n.domain else "") + n.op_type for n in om.graph.node]
            n_ok += 1
        os.remove(os.path.join(d, "spec.json"))
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(info, f, indent=1)
            f.write("\n")
    shutil.rmtree(tmp)
    print(f"gen_cases.py: {len(cases)} cases, {n_ok} ran in ORT, {len(cases) - n_ok} recorded ORT's error",
          file=sys.stderr)


if __name__ == "__main__":
    main()
