# SPDX-License-Identifier: MIT
"""Integer emulation of a quantized graph (fm_quant.quantize), batch by batch with torch.

Conv / FC: int32 accumulation (done exactly in float64: every partial sum is an
integer far below 2^53), bias added, then ONNX Runtime's requantization
(lib/ref/REQUANT.md, mode B):
    M[k] = fl32(fl32(x_scale * w_scale[k]) / y_scale)
    y    = clamp(rne(fl32(fl32(acc) * M[k])) + y_zp, qmin, qmax)
Add: MLAS's QLinearAdd (float32, fused multiply-adds, as GCC compiles ORT's AVX2 kernel):
    rA = fl32(sA / sC), rB = fl32(sB / sC), fixed = fl32(zpC - fma(rA, zpA, fl32(rB*zpB)))
    y  = clamp(rne(fma(a, rA, fma(b, rB, fixed))), qmin, qmax)
Global average pool: MLAS's QLinearGlobalAveragePool:
    acc = sum(x) - zp_x * HW; m = fl32(s_x / fl32(s_y * HW)); y = clamp(rne(fl32(fl32(acc) * m)) + zp_y)
Max pool and flatten work on the quantized values. The graph output is
dequantized: fl32(q - zp) * scale.
"""

import numpy as np
import torch
import torch.nn.functional as F


def _f32(v):
    return torch.as_tensor(v, dtype=torch.float32)


def _fl32(t64):
    """Round a float64 tensor (exact value) to float32 once."""
    return t64.to(torch.float32)


def _requant(acc, m, zp, qmin, qmax):
    """acc: float64 tensor of exact int32 values; m: float32 [K] (channel axis 1) or scalar."""
    a = _fl32(acc)
    if m.dim() == 1:
        shape = [1, -1] + [1] * (acc.dim() - 2)
        m = m.view(shape)
    y = torch.round(a * m)          # float32 product, round half to even
    return torch.clamp(y + zp, qmin, qmax).to(torch.float64)


def run(qg, x, return_q=False):
    """x: float32 numpy [N,1,28,28]. Returns float32 logits (numpy), or the quantized
    logits too with return_q=True."""
    qmin, qmax = qg["act_q"]
    P = qg["params"]
    s_in, zp_in = P["input"]
    xi = torch.from_numpy(x)
    q = torch.clamp(torch.round(xi / _f32(s_in)) + zp_in, qmin, qmax).to(torch.float64)
    t = {"input": q}
    for L in qg["layers"]:
        op = L["op"]
        a = t[L["inputs"][0]]
        sx, zx = P[L["inputs"][0]]
        sy, zy = P[L["output"]]
        if op in ("conv", "gemm"):
            w = torch.from_numpy(L["wq"].astype(np.float64) - L["wzp"].astype(np.float64).reshape(
                [-1] + [1] * (L["wq"].ndim - 1)))
            b = torch.from_numpy(L["bq"].astype(np.float64))
            if op == "conv":
                acc = F.conv2d(a - zx, w, b, stride=L["stride"], padding=L["pad"], groups=L["group"])
            else:
                acc = F.linear(a - zx, w, b)
            if acc.abs().max() >= 2 ** 31:
                raise OverflowError(f"{L['name']}: accumulator outside int32")
            m = _f32(np.float32(np.float32(sx) * L["ws"]) / np.float32(sy))
            y = _requant(acc, m, zy, qmin, qmax)
        elif op == "maxpool":
            y = F.max_pool2d(a, L["kernel"], L["stride"])
        elif op == "flatten":
            y = torch.flatten(a, 1)
        elif op == "add":
            b = t[L["inputs"][1]]
            sb, zb = P[L["inputs"][1]]
            ra = np.float32(np.float32(sx) / np.float32(sy))
            rb = np.float32(np.float32(sb) / np.float32(sy))
            # ORT's source says zc - (ra*za + rb*zb); GCC contracts it to zc - fma(ra, za, rb*zb)
            rbzb = np.float32(rb * np.float32(zb))
            fixed = np.float32(np.float32(zy) - np.float32(float(ra) * zx + float(rbzb)))
            # fma(b, rb, fixed): the exact value fits float64, so one rounding to float32
            v = _fl32(b * float(rb) + float(fixed))
            v = _fl32(a * float(ra) + v.to(torch.float64))
            y = torch.clamp(torch.round(v), qmin, qmax).to(torch.float64)
        elif op == "gap":
            hw = a.shape[2] * a.shape[3]
            acc = a.sum(dim=(2, 3), keepdim=True) - zx * hw
            m = _f32(np.float32(np.float32(sx) / np.float32(np.float32(sy) * np.float32(hw))))
            y = _requant(acc, m, zy, qmin, qmax)
        else:
            raise ValueError(op)
        t[L["output"]] = y
    out = t[qg["layers"][-1]["output"]]
    s, zp = P[qg["layers"][-1]["output"]]
    logits = (_fl32(out - zp) * _f32(s)).numpy()
    if return_q:
        return logits, out.numpy().astype(np.int64)
    return logits


def accuracy(qg, x, y, batch=1000):
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += int((run(qg, x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / x.shape[0]
