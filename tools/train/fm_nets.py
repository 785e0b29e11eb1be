# SPDX-License-Identifier: MIT
"""The two networks (torch, for training) and their folded form.

The folded form ("graph") is what every later step works on: a list of
layers in execution order, batch norm folded into the preceding conv, ReLU as
a flag on the layer whose output it clips. Each layer is a dict:

  {"name", "op", "inputs": [tensor names], "output": tensor name, "relu": bool, ...}

  op "conv":    "w" float32 [K, C/g, kh, kw], "b" float32 [K], "stride", "pad", "group"
  op "gemm":    "w" float32 [N, M] (transB = 1), "b" float32 [N]
  op "maxpool": "kernel", "stride"
  op "add", "gap" (global average pool), "flatten" (axis 1)

The graph input is the tensor "input" (float32 [N, 1, 28, 28]); the last
layer's output is the logits.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBN(nn.Module):
    def __init__(self, cin, cout, k, stride=1, group=1, relu=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=group, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.relu = relu

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y) if self.relu else y


class CNN(nn.Module):
    """conv3x3(16)+ReLU, maxpool 2, conv3x3(32)+ReLU, maxpool 2, FC 128 + ReLU, FC 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = ConvBN(1, 16, 3)
        self.conv2 = ConvBN(16, 32, 3)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


class Block(nn.Module):
    """Depthwise 3x3 (+BN+ReLU), pointwise 1x1 (+BN), + shortcut, ReLU.
    stride 2 (or a change of width): the shortcut is a strided 1x1 conv (+BN)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = ConvBN(cin, cin, 3, stride=stride, group=cin)
        self.pw = ConvBN(cin, cout, 1, relu=False)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = ConvBN(cin, cout, 1, stride=stride, relu=False)

    def forward(self, x):
        s = x if self.short is None else self.short(x)
        return F.relu(self.pw(self.dw(x)) + s)


# (out channels, stride) of each block after the 16-channel stem: 28x28 -> 14x14 (32) -> 7x7 (64)
RESDW_BLOCKS = [(32, 2), (32, 1), (64, 2), (64, 1), (64, 1)]


class ResDW(nn.Module):
    def __init__(self, blocks=RESDW_BLOCKS, stem=16):
        super().__init__()
        self.stem = ConvBN(1, stem, 3)
        layers = []
        c = stem
        for cout, s in blocks:
            layers.append(Block(c, cout, s))
            c = cout
        self.blocks = nn.ModuleList(layers)
        self.fc = nn.Linear(c, 10)

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = b(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


NETS = {"cnn": CNN, "resdw": ResDW}


# ---------------------------------------------------------------- folding

def _fold(cb):
    """ConvBN (eval statistics) -> (w, b) float32 numpy."""
    w = cb.conv.weight.detach().double()
    bn = cb.bn
    g = bn.weight.detach().double() / torch.sqrt(bn.running_var.detach().double() + bn.eps)
    wf = w * g[:, None, None, None]
    bf = bn.bias.detach().double() - bn.running_mean.detach().double() * g
    return wf.float().numpy().copy(), bf.float().numpy().copy()


def _conv(name, cb, inp, out=None):
    w, b = _fold(cb)
    c = cb.conv
    return {"name": name, "op": "conv", "inputs": [inp], "output": out or name + "_out",
            "relu": cb.relu, "w": w, "b": b, "stride": c.stride[0], "pad": c.padding[0],
            "group": c.groups}


def _gemm(name, lin, inp, relu, out=None):
    return {"name": name, "op": "gemm", "inputs": [inp], "output": out or name + "_out", "relu": relu,
            "w": lin.weight.detach().float().numpy().copy(),
            "b": lin.bias.detach().float().numpy().copy()}


def fold(net_name, model):
    """The folded graph of a trained model (see the module comment)."""
    model.eval()
    g = []
    if net_name == "cnn":
        g.append(_conv("conv1", model.conv1, "input"))
        g.append({"name": "pool1", "op": "maxpool", "inputs": ["conv1_out"], "output": "pool1_out",
                  "relu": False, "kernel": 2, "stride": 2})
        g.append(_conv("conv2", model.conv2, "pool1_out"))
        g.append({"name": "pool2", "op": "maxpool", "inputs": ["conv2_out"], "output": "pool2_out",
                  "relu": False, "kernel": 2, "stride": 2})
        g.append({"name": "flatten", "op": "flatten", "inputs": ["pool2_out"], "output": "flatten_out",
                  "relu": False})
        g.append(_gemm("fc1", model.fc1, "flatten_out", True))
        g.append(_gemm("fc2", model.fc2, "fc1_out", False, out="logits"))
    elif net_name == "resdw":
        g.append(_conv("stem", model.stem, "input"))
        x = "stem_out"
        for i, b in enumerate(model.blocks, 1):
            p = f"b{i}"
            g.append(_conv(p + "_dw", b.dw, x))
            g.append(_conv(p + "_pw", b.pw, p + "_dw_out"))
            s = x
            if b.short is not None:
                g.append(_conv(p + "_sc", b.short, x))
                s = p + "_sc_out"
            g.append({"name": p + "_add", "op": "add", "inputs": [p + "_pw_out", s],
                      "output": p + "_add_out", "relu": True})
            x = p + "_add_out"
        g.append({"name": "gap", "op": "gap", "inputs": [x], "output": "gap_out", "relu": False})
        g.append({"name": "flatten", "op": "flatten", "inputs": ["gap_out"], "output": "flatten_out",
                  "relu": False})
        g.append(_gemm("fc", model.fc, "flatten_out", False, out="logits"))
    else:
        raise ValueError(net_name)
    return g


# ---------------------------------------------------------------- running the folded graph

def run_graph(graph, x, keep=False):
    """Float32 forward pass of a folded graph with torch. x: float32 tensor [N,1,28,28].
    Returns the logits, or (logits, {tensor name: value}) with keep=True."""
    t = {"input": x}
    for L in graph:
        a = t[L["inputs"][0]]
        op = L["op"]
        if op == "conv":
            y = F.conv2d(a, torch.from_numpy(L["w"]), torch.from_numpy(L["b"]), stride=L["stride"],
                         padding=L["pad"], groups=L["group"])
        elif op == "gemm":
            y = F.linear(a, torch.from_numpy(L["w"]), torch.from_numpy(L["b"]))
        elif op == "maxpool":
            y = F.max_pool2d(a, L["kernel"], L["stride"])
        elif op == "add":
            y = a + t[L["inputs"][1]]
        elif op == "gap":
            y = a.mean(dim=(2, 3), keepdim=True)
        elif op == "flatten":
            y = torch.flatten(a, 1)
        else:
            raise ValueError(op)
        if L["relu"]:
            y = F.relu(y)
        t[L["output"]] = y
    out = t[graph[-1]["output"]]
    return (out, t) if keep else out


# ---------------------------------------------------------------- counting

def _shapes(graph):
    """Output shape (without batch) of every tensor."""
    s = {"input": (1, 28, 28)}
    for L in graph:
        a = s[L["inputs"][0]]
        op = L["op"]
        if op == "conv":
            k, _, kh, kw = L["w"].shape
            h = (a[1] + 2 * L["pad"] - kh) // L["stride"] + 1
            w = (a[2] + 2 * L["pad"] - kw) // L["stride"] + 1
            s[L["output"]] = (k, h, w)
        elif op == "gemm":
            s[L["output"]] = (L["w"].shape[0],)
        elif op == "maxpool":
            s[L["output"]] = (a[0], (a[1] - L["kernel"]) // L["stride"] + 1,
                              (a[2] - L["kernel"]) // L["stride"] + 1)
        elif op == "add":
            s[L["output"]] = a
        elif op == "gap":
            s[L["output"]] = (a[0], 1, 1)
        elif op == "flatten":
            s[L["output"]] = (int(np.prod(a)),)
    return s


def summary(graph):
    """Per-layer rows (name, op, output shape, MACs, params) and totals (MACs, params)."""
    s = _shapes(graph)
    rows = []
    tm = tp = 0
    for L in graph:
        out = s[L["output"]]
        macs = params = 0
        if L["op"] == "conv":
            macs = int(np.prod(out)) * int(np.prod(L["w"].shape[1:]))
            params = L["w"].size + L["b"].size
        elif L["op"] == "gemm":
            macs = L["w"].size
            params = L["w"].size + L["b"].size
        desc = L["op"]
        if L["op"] == "conv":
            k, cg, kh, kw = L["w"].shape
            desc = f"conv {kh}x{kw}" + (f" s{L['stride']}" if L["stride"] != 1 else "") + \
                   (" dw" if L["group"] > 1 else "")
        elif L["op"] == "maxpool":
            desc = f"maxpool {L['kernel']}x{L['kernel']} s{L['stride']}"
        if L["relu"]:
            desc += " + ReLU"
        rows.append((L["name"], desc, out, macs, params))
        tm += macs
        tp += params
    return rows, tm, tp
