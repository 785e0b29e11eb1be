# SPDX-License-Identifier: MIT
"""Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX files, gzip)."""

import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    off = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.uint8, offset=off)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {arr.size} bytes of data, header says {dims}")
    return arr.reshape(dims)


def load(split):
    """split: 'train' (60000) or 't10k' (10000). Returns (images uint8 [N,28,28], labels uint8 [N])."""
    img = _read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    lab = _read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    if img.shape[0] != lab.shape[0] or img.shape[1:] != (28, 28):
        raise ValueError(f"{split}: unexpected shapes {img.shape} {lab.shape}")
    return img, lab


def to_input(img_u8):
    """uint8 [N,28,28] -> the models' float32 input [N,1,28,28], x = pixel / 255."""
    return (img_u8.astype(np.float32) / np.float32(255.0))[:, None, :, :]
