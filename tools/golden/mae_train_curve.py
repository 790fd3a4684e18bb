#!/usr/bin/python3
"""PyTorch reference loss curve for `./maect pretrain` (sanity check of learning dynamics, not a fixture).

Same model code as mae_reference.py (imported), cpu28 sizes, Fashion-MNIST normalised with (0.2860, 0.3530),
no augmentation, AdamW(betas 0.9/0.95, wd 0.05 on >=2-D weights), linear warm-up 5% then cosine.
Usage: OMP_NUM_THREADS=1 /usr/bin/python3 tools/golden/mae_train_curve.py [steps] [batch] [base_lr] [limit]
"""
import gzip
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import mae_reference as ref  # noqa: E402

torch.set_default_dtype(torch.float32)
ref.IMG, ref.PATCH, ref.CH = 28, 4, 1
ref.DIM, ref.DEPTH, ref.HEADS = 64, 4, 4
ref.DEC_DIM, ref.DEC_DEPTH, ref.DEC_HEADS = 64, 1, 4


def load_images(path):
    with gzip.open(path) as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 1, 28, 28).astype(np.float32) / 255.0


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    base_lr = float(sys.argv[3]) if len(sys.argv) > 3 else 1.5e-3
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 12800
    root = os.path.join(os.path.dirname(__file__), "..", "..", "data", "fashion-mnist")
    x = load_images(os.path.join(root, "train-images-idx3-ubyte.gz"))[:limit]
    x = (x - 0.2860) / 0.3530
    torch.manual_seed(0)
    model = ref.MaskedAutoencoderViT()
    for m in model.modules():  # MAE init: xavier Linear, zero bias, LN 1/0
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    w = model.patch_embed.proj.weight.data
    torch.nn.init.xavier_uniform_(w.view([w.shape[0], -1]))
    torch.nn.init.normal_(model.cls_token, std=0.02)
    torch.nn.init.normal_(model.mask_token, std=0.02)
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim > 1 and not n.endswith(".bias")]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (p.ndim <= 1 or n.endswith(".bias"))]
    lr = base_lr * batch / 256
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=lr, betas=(0.9, 0.95))
    warm = round(0.05 * steps)
    rng = np.random.default_rng(0)
    spe = len(x) // batch
    t0 = time.time()
    losses = []
    for s in range(steps):
        if s % spe == 0:
            order = rng.permutation(len(x))
        idx = order[(s % spe) * batch:(s % spe + 1) * batch]
        cur = lr * s / warm if s < warm else lr * 0.5 * (1 + math.cos(math.pi * (s - warm) / (steps - warm)))
        for g in opt.param_groups:
            g["lr"] = cur
        imgs = torch.from_numpy(x[idx])
        noise = torch.rand(batch, model.patch_embed.num_patches)
        loss, _, _, _ = model(imgs, noise)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    secs = time.time() - t0
    print("first losses", [round(v, 4) for v in losses[:5]])
    for a, b in [(0, 10), (10, 30), (30, 60), (60, 100), (100, 150), (150, 200), (200, 250), (250, 300)]:
        if b <= steps:
            print(f"steps {a + 1}-{b}: mean loss {np.mean(losses[a:b]):.4f}")
    print(f"{steps} steps of {batch} in {secs:.1f} s = {steps * batch / secs:.1f} images/s (torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
