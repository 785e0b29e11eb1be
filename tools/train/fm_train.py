# SPDX-License-Identifier: MIT
"""Deterministic training of the Fashion-MNIST networks (torch, CPU)."""

import math
import time

import numpy as np
import torch
import torch.nn.functional as F

import fm_data
import fm_nets

# per network: epochs, peak learning rate, weight decay, augmentation (largest random shift
# in pixels; every image is also flipped left-right with probability 1/2)
RECIPES = {
    "cnn": {"epochs": 8, "lr": 0.05, "wd": 5e-4, "shift": 2},
    "resdw": {"epochs": 18, "lr": 0.1, "wd": 1e-4, "shift": 1},
}
BATCH = 128


def setup_torch(seed):
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    np.random.seed(seed)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover - older torch
        print(f"note: deterministic algorithms not available: {e}")


def augment(x, gen, shift):
    """Random shift by up to `shift` pixels (zero padding) and random horizontal flip, per image."""
    n = x.shape[0]
    xp = F.pad(x, (shift,) * 4)
    off = torch.randint(0, 2 * shift + 1, (n, 2), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        dy, dx = int(off[i, 0]), int(off[i, 1])
        v = xp[i, :, dy:dy + 28, dx:dx + 28]
        out[i] = torch.flip(v, dims=(2,)) if flip[i] else v
    return out


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / x.shape[0]


def train(net_name, seed=1, epochs=None, log=print):
    """Train one network from a fixed seed; returns (model, seconds)."""
    r = dict(RECIPES[net_name])
    if epochs is not None:
        r["epochs"] = epochs
    setup_torch(seed)
    img, lab = fm_data.load("train")
    timg, tlab = fm_data.load("t10k")
    x = torch.from_numpy(fm_data.to_input(img))
    y = torch.from_numpy(lab.astype(np.int64))
    tx = torch.from_numpy(fm_data.to_input(timg))
    ty = torch.from_numpy(tlab.astype(np.int64))

    model = fm_nets.NETS[net_name]()
    decay, no_decay = [], []
    for n_, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    opt = torch.optim.SGD([{"params": decay, "weight_decay": r["wd"]},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=r["lr"], momentum=0.9, nesterov=True)
    steps_per_epoch = math.ceil(x.shape[0] / BATCH)
    total = r["epochs"] * steps_per_epoch
    warm = steps_per_epoch // 2

    def lr_at(step):
        if step < warm:
            return r["lr"] * (step + 1) / warm
        return 0.5 * r["lr"] * (1 + math.cos(math.pi * (step - warm) / (total - warm)))

    gen = torch.Generator().manual_seed(seed)
    t0 = time.time()
    step = 0
    for ep in range(r["epochs"]):
        model.train()
        perm = torch.randperm(x.shape[0], generator=gen)
        tot_loss = 0.0
        for i in range(0, x.shape[0], BATCH):
            idx = perm[i:i + BATCH]
            xb = x[idx]
            xb = augment(xb, gen, r["shift"])
            for gr in opt.param_groups:
                gr["lr"] = lr_at(step)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), y[idx])
            loss.backward()
            opt.step()
            tot_loss += float(loss) * idx.shape[0]
            step += 1
        acc = evaluate(model, tx, ty)
        log(f"{net_name} epoch {ep + 1}/{r['epochs']}: loss {tot_loss / x.shape[0]:.4f}, "
            f"test {100 * acc:.2f} %, {time.time() - t0:.0f} s")
    return model, time.time() - t0
