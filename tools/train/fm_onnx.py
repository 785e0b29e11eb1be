# SPDX-License-Identifier: MIT
"""ONNX export of a folded graph: float32, QOperator and QDQ, built with onnx.helper.

The quantized forms follow the patterns ONNX Runtime's quantize_static writes
(names included: <tensor>_quantized, <tensor>_scale, <tensor>_zero_point,
<tensor>_QuantizeLinear_Output, <tensor>_DequantizeLinear_Output, ...):

QOperator (uint8 activations, int8 weights):
  QuantizeLinear -> QLinearConv / MaxPool / com.microsoft QLinearAdd /
  com.microsoft QLinearGlobalAveragePool / Flatten / com.microsoft QGemm -> DequantizeLinear
  A ReLU after a conv, FC or add is absorbed into the output range (zero point 0).

QDQ (int8 activations, int8 weights):
  every activation tensor T: T -> QuantizeLinear -> DequantizeLinear -> consumers;
  weights: int8 initializer -> DequantizeLinear (axis 0); biases: int32 initializer ->
  DequantizeLinear (axis 0) -> the float op's bias input. MaxPool and Flatten outputs
  use their input's scale and zero point. ReLUs are removed (the Q that follows has
  zero point -128).
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import fm_data

OPSET = 13
MS = "com.microsoft"
TYPES = {"uint8": TensorProto.UINT8, "int8": TensorProto.INT8}
PRODUCER = "npu tools/train/fashion_mnist.py"


def _io():
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 28, 28])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])
    return inp, out


def _model(nodes, inits, name, doc, ms=False):
    inp, out = _io()
    g = helper.make_graph(nodes, name, [inp], [out], initializer=inits)
    ops = [helper.make_opsetid("", OPSET)]
    if ms:
        ops.append(helper.make_opsetid(MS, 1))
    m = helper.make_model(g, opset_imports=ops, producer_name=PRODUCER, producer_version="1",
                          doc_string=doc)
    m.ir_version = 8
    helper.set_model_props(m, {"classes": ",".join(fm_data.CLASSES)})
    onnx.checker.check_model(m, full_check=True)
    return m


def _conv_attrs(L):
    k = L["w"].shape[2]
    p = L["pad"]
    return {"dilations": [1, 1], "group": L["group"], "kernel_shape": [k, k],
            "pads": [p, p, p, p], "strides": [L["stride"], L["stride"]]}


def _scalar(name, v, dtype):
    return numpy_helper.from_array(np.array(v, dtype=dtype), name)


# ---------------------------------------------------------------- float

def export_fp32(graph, name, doc=""):
    nodes, inits = [], []
    for L in graph:
        op = L["op"]
        ins = list(L["inputs"])
        out = L["output"]
        y = out + "_prerelu" if L["relu"] else out
        if op == "conv":
            inits += [numpy_helper.from_array(L["w"], L["name"] + "_w"),
                      numpy_helper.from_array(L["b"], L["name"] + "_b")]
            nodes.append(helper.make_node("Conv", ins + [L["name"] + "_w", L["name"] + "_b"], [y],
                                          L["name"], **_conv_attrs(L)))
        elif op == "gemm":
            inits += [numpy_helper.from_array(L["w"], L["name"] + "_w"),
                      numpy_helper.from_array(L["b"], L["name"] + "_b")]
            nodes.append(helper.make_node("Gemm", ins + [L["name"] + "_w", L["name"] + "_b"], [y],
                                          L["name"], alpha=1.0, beta=1.0, transB=1))
        elif op == "maxpool":
            nodes.append(helper.make_node("MaxPool", ins, [y], L["name"],
                                          kernel_shape=[L["kernel"]] * 2, strides=[L["stride"]] * 2))
        elif op == "add":
            nodes.append(helper.make_node("Add", ins, [y], L["name"]))
        elif op == "gap":
            nodes.append(helper.make_node("GlobalAveragePool", ins, [y], L["name"]))
        elif op == "flatten":
            nodes.append(helper.make_node("Flatten", ins, [y], L["name"], axis=1))
        if L["relu"]:
            nodes.append(helper.make_node("Relu", [y], [out], L["name"] + "_relu"))
    return _model(nodes, inits, name, doc)


# ---------------------------------------------------------------- QOperator

def export_qop(qg, name, doc=""):
    assert qg["form"] == "qop"
    P = qg["params"]
    at = qg["act"]
    adt = np.uint8 if at == "uint8" else np.int8
    nodes, inits = [], []
    have = set()

    def qparams(t):
        """Scale and zero-point initializers of activation tensor t (shared by pass-through ops)."""
        s, zp = P[t]
        sn, zn = t + "_scale", t + "_zero_point"
        if sn not in have:
            have.add(sn)
            inits.extend([_scalar(sn, s, np.float32), _scalar(zn, zp, adt)])
        return sn, zn

    qname = {}   # float tensor name -> (quantized tensor, scale name, zero point name)
    sn, zn = qparams("input")
    nodes.append(helper.make_node("QuantizeLinear", ["input", sn, zn], ["input_quantized"],
                                  "input_QuantizeLinear"))
    qname["input"] = ("input_quantized", sn, zn)
    for L in qg["layers"]:
        op = L["op"]
        out = L["output"]
        xq = [qname[i] for i in L["inputs"]]
        yq = out + "_quantized"
        if op in ("maxpool", "flatten"):
            ys, yz = xq[0][1], xq[0][2]          # same quantization as the input
        else:
            ys, yz = qparams(out)
        n = L["name"]
        if op in ("conv", "gemm"):
            w, ws, wz, b = n + "_w_quantized", n + "_w_scale", n + "_w_zero_point", n + "_b_quantized"
            inits += [numpy_helper.from_array(L["wq"], w), numpy_helper.from_array(L["ws"], ws),
                      numpy_helper.from_array(L["wzp"], wz), numpy_helper.from_array(L["bq"], b)]
            if op == "conv":
                nodes.append(helper.make_node("QLinearConv", [*xq[0], w, ws, wz, ys, yz, b], [yq],
                                              n + "_quant", **_conv_attrs(L)))
            else:
                nodes.append(helper.make_node("QGemm", [*xq[0], w, ws, wz, b, ys, yz], [yq],
                                              n + "_quant", domain=MS, alpha=1.0, transB=1))
        elif op == "maxpool":
            nodes.append(helper.make_node("MaxPool", [xq[0][0]], [yq], n,
                                          kernel_shape=[L["kernel"]] * 2, strides=[L["stride"]] * 2))
        elif op == "flatten":
            nodes.append(helper.make_node("Flatten", [xq[0][0]], [yq], n, axis=1))
        elif op == "add":
            nodes.append(helper.make_node("QLinearAdd", [*xq[0], *xq[1], ys, yz], [yq], n + "_quant",
                                          domain=MS))
        elif op == "gap":
            nodes.append(helper.make_node("QLinearGlobalAveragePool", [*xq[0], ys, yz], [yq],
                                          n + "_quant", domain=MS, channels_last=0))
        else:
            raise ValueError(op)
        qname[out] = (yq, ys, yz)
    last = qname["logits"]
    nodes.append(helper.make_node("DequantizeLinear", list(last), ["logits"], "logits_DequantizeLinear"))
    return _model(nodes, inits, name, doc, ms=True)


# ---------------------------------------------------------------- QDQ

def export_qdq(qg, name, doc=""):
    assert qg["form"] == "qdq"
    P = qg["params"]
    adt = np.uint8 if qg["act"] == "uint8" else np.int8
    nodes, inits = [], []
    have = set()

    def qparams(t):
        s, zp = P[t]
        sn, zn = t + "_scale", t + "_zero_point"
        if sn not in have:
            have.add(sn)
            inits.extend([_scalar(sn, s, np.float32), _scalar(zn, zp, adt)])
        return sn, zn

    dq = {}   # float tensor -> the DequantizeLinear output its consumers read
    pn = {}   # float tensor -> (scale, zero point) initializer names

    def qdq_pair(t, sn, zn, graph_output=False):
        """t -> Q -> DQ. For the graph output the producer writes t_QuantizeLinear_Input and the
        DQ writes t itself."""
        src = t + "_QuantizeLinear_Input" if graph_output else t
        dst = t if graph_output else t + "_DequantizeLinear_Output"
        nodes.append(helper.make_node("QuantizeLinear", [src, sn, zn], [t + "_QuantizeLinear_Output"],
                                      t + "_QuantizeLinear"))
        nodes.append(helper.make_node("DequantizeLinear", [t + "_QuantizeLinear_Output", sn, zn], [dst],
                                      t + "_DequantizeLinear"))
        dq[t] = dst
        return src

    pn["input"] = qparams("input")
    qdq_pair("input", *pn["input"])
    for L in qg["layers"]:
        op = L["op"]
        out = L["output"]
        n = L["name"]
        ins = [dq[i] for i in L["inputs"]]
        if op in ("maxpool", "flatten"):
            sn, zn = pn[L["inputs"][0]]     # same quantization as the input
        else:
            sn, zn = qparams(out)
        pn[out] = (sn, zn)
        is_out = out == "logits"
        y = out + "_QuantizeLinear_Input" if is_out else out
        if op in ("conv", "gemm"):
            wn, bn = n + "_w", n + "_b"
            inits += [numpy_helper.from_array(L["wq"], wn + "_quantized"),
                      numpy_helper.from_array(L["ws"], wn + "_scale"),
                      numpy_helper.from_array(L["wzp"], wn + "_zero_point"),
                      numpy_helper.from_array(L["bq"], bn + "_quantized"),
                      numpy_helper.from_array(L["bs"], bn + "_quantized_scale"),
                      numpy_helper.from_array(np.zeros(L["bq"].shape, np.int32),
                                              bn + "_quantized_zero_point")]
            nodes.append(helper.make_node("DequantizeLinear",
                                          [wn + "_quantized", wn + "_scale", wn + "_zero_point"],
                                          [wn + "_DequantizeLinear_Output"], wn + "_DequantizeLinear",
                                          axis=0))
            nodes.append(helper.make_node("DequantizeLinear",
                                          [bn + "_quantized", bn + "_quantized_scale",
                                           bn + "_quantized_zero_point"],
                                          [bn], bn + "_DequantizeLinear", axis=0))
            if op == "conv":
                nodes.append(helper.make_node("Conv", [ins[0], wn + "_DequantizeLinear_Output", bn], [y],
                                              n, **_conv_attrs(L)))
            else:
                nodes.append(helper.make_node("Gemm", [ins[0], wn + "_DequantizeLinear_Output", bn], [y],
                                              n, alpha=1.0, beta=1.0, transB=1))
        elif op == "maxpool":
            nodes.append(helper.make_node("MaxPool", ins, [y], n,
                                          kernel_shape=[L["kernel"]] * 2, strides=[L["stride"]] * 2))
        elif op == "flatten":
            nodes.append(helper.make_node("Flatten", ins, [y], n, axis=1))
        elif op == "add":
            nodes.append(helper.make_node("Add", ins, [y], n))
        elif op == "gap":
            nodes.append(helper.make_node("GlobalAveragePool", ins, [y], n))
        else:
            raise ValueError(op)
        qdq_pair(out, sn, zn, graph_output=is_out)
    return _model(nodes, inits, name, doc)
