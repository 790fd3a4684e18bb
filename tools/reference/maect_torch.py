#!/usr/bin/python3
"""Independent PyTorch reference of the MAE-CT recipe at CPU scale on Fashion-MNIST (not part of the product).

Used to (1) check that the Java pipeline's numbers agree with an independent implementation of the same recipe
and (2) scan recipe settings faster than the Java pipeline can (PyTorch's CPU steps are 3-8x faster here, see
docs/PERFORMANCE.md). Everything the product ships is Java; this script only reads Fashion-MNIST and prints.

Model code is shared with tools/bench/torch_bench.py (timm-style ViT with exact GELU, LayerNorm eps 1e-6,
2-D sin-cos positions, MAE decoder with norm-pix loss, NNCLR projector/predictor with BatchNorm).

  mae    stage 1: RandomResizedCrop(0.2-1)+flip, 75% masking, AdamW(0.9, 0.95, wd 0.05), warmup + cosine
  head   stage 2: frozen encoder, NNCLR head vs a FIFO queue, top-1 neighbour
  tune   stage 3: lower half frozen, layer-wise lr decay, EMA target projector feeds the queue, top-k positive,
         encoder EMA kept
  eval   weighted k-NN (T 0.07) on L2-normalised mean-patch features, k-means (standardised, 10 restarts) with
         Hungarian accuracy and NMI (scikit-learn / scipy)

Run: /usr/bin/python3 tools/reference/maect_torch.py mae --out /tmp/ref/mae.pt --epochs 10
     /usr/bin/python3 tools/reference/maect_torch.py head --init /tmp/ref/mae.pt --out /tmp/ref/head.pt
     /usr/bin/python3 tools/reference/maect_torch.py tune --init /tmp/ref/head.pt --out /tmp/ref/ct.pt
     /usr/bin/python3 tools/reference/maect_torch.py eval --init /tmp/ref/ct.pt
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from torch_bench import Encoder, Mae, adamw, mlp_head  # noqa: E402

MEAN, STD = 0.2860, 0.3530
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "fashion-mnist")


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    p = "train" if split == "train" else "t10k"
    x = torch.from_numpy(idx(os.path.join(DATA, f"{p}-images-idx3-ubyte.gz")).copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(idx(os.path.join(DATA, f"{p}-labels-idx1-ubyte.gz")).astype(np.int64))
    return x, y


def crop_flip(x, smin, gen):
    """RandomResizedCrop(scale (smin, 1), ratio (3/4, 4/3), bilinear) + horizontal flip, batched."""
    n = x.shape[0]
    area = torch.empty(n).uniform_(smin, 1.0, generator=gen)
    logr = torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3), generator=gen)
    r = torch.exp(logr)
    w = torch.sqrt(area * r).clamp(max=1.0)
    h = torch.sqrt(area / r).clamp(max=1.0)
    cx = (torch.rand(n, generator=gen) * 2 - 1) * (1 - w)
    cy = (torch.rand(n, generator=gen) * 2 - 1) * (1 - h)
    flip = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def norm(x):
    return (x - MEAN) / STD


def cfg(a):
    return {"image": 28, "patch": a.patch, "channels": 1, "dim": a.dim, "depth": a.depth, "heads": a.heads,
            "mlp_hidden": 4 * a.dim, "dec_dim": a.dec_dim, "dec_depth": a.dec_depth, "dec_heads": 4,
            "mask_ratio": 0.75, "norm_pix": True}


def init_mae_weights(m):
    for mod in m.modules():
        if isinstance(mod, nn.Linear):
            nn.init.xavier_uniform_(mod.weight)
            if mod.bias is not None:
                nn.init.zeros_(mod.bias)
        elif isinstance(mod, nn.LayerNorm):
            nn.init.ones_(mod.weight)
            nn.init.zeros_(mod.bias)
    w = m.encoder.proj.weight.data
    nn.init.xavier_uniform_(w.view(w.shape[0], -1))
    nn.init.normal_(m.encoder.cls_token, std=0.02)
    nn.init.normal_(m.mask_token, std=0.02)


def lr_at(step, total, warm, peak):
    if step < warm:
        return peak * step / max(1, warm)
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))


def set_lr(opt, lr):
    for g in opt.param_groups:
        g["lr"] = lr * g.setdefault("scale", 1.0)


def pooled(enc, x):
    return enc.forward_full(x)[:, 1:, :].mean(dim=1)


def embed(enc, x, batch=1024):
    enc.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(pooled(enc, norm(x[i:i + batch])))
    return torch.cat(out)


def evaluate(enc, args, tag=""):
    from scipy.optimize import linear_sum_assignment
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score
    xtr, ytr = load("train")
    xte, yte = load("test")
    if args.eval_train > 0:
        xtr, ytr = xtr[:args.eval_train], ytr[:args.eval_train]
    t0 = time.time()
    ftr, fte = F.normalize(embed(enc, xtr), dim=1), embed(enc, xte)
    fte_n = F.normalize(fte, dim=1)
    correct = 0
    for i in range(0, len(fte_n), 500):
        sim = fte_n[i:i + 500] @ ftr.T
        s, j = sim.topk(20, dim=1)
        votes = torch.zeros(len(s), 10).scatter_add_(1, ytr[j], torch.exp(s / 0.07))
        correct += (votes.argmax(1) == yte[i:i + 500]).sum().item()
    knn = correct / len(yte)
    f = fte.numpy().astype(np.float64)
    f = (f - f.mean(0)) / (f.std(0) + 1e-12)
    km = KMeans(10, n_init=10, random_state=0).fit(f)
    y = yte.numpy()
    cm = np.zeros((10, 10))
    for c, t in zip(km.labels_, y):
        cm[c, t] += 1
    r, c = linear_sum_assignment(-cm)
    acc = cm[r, c].sum() / len(y)
    nmi = normalized_mutual_info_score(y, km.labels_)
    res = {"tag": tag, "knn20": round(knn, 4), "kmeans_acc": round(acc, 4), "nmi": round(nmi, 4),
           "eval_s": round(time.time() - t0, 1)}
    print("EVAL " + json.dumps(res), flush=True)
    return res


def stage_mae(a):
    xtr, _ = load("train")
    if a.limit > 0:
        xtr = xtr[:a.limit]
    model = Mae(cfg(a))
    init_mae_weights(model)
    opt = adamw(model.named_parameters())
    steps_ep = len(xtr) // a.batch
    epochs = int(a.epochs)
    total, warm = steps_ep * epochs, int(a.warmup * steps_ep * epochs)
    peak = a.lr * a.batch / 256
    gen = torch.Generator().manual_seed(a.seed)
    t0, step = time.time(), 0
    for ep in range(epochs):
        perm = torch.randperm(len(xtr), generator=gen)
        model.train()
        for i in range(steps_ep):
            x = norm(crop_flip(xtr[perm[i * a.batch:(i + 1) * a.batch]], 0.2, gen))
            set_lr(opt, lr_at(step, total, warm, peak))
            loss = model(x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if step % 100 == 0 or step == total:
                print(f"mae step {step}/{total} loss {loss.item():.4f} {step * a.batch / (time.time() - t0):.0f} img/s",
                      flush=True)
        if a.eval_every and (ep + 1) % a.eval_every == 0 and ep + 1 < epochs:
            evaluate(model.encoder, a, f"mae-ep{ep + 1}")
    torch.save({"encoder": model.encoder.state_dict(), "cfg": cfg(a)}, a.out)
    print(f"mae done {time.time() - t0:.0f} s", flush=True)
    evaluate(model.encoder, a, "mae")


class Head(nn.Module):
    def __init__(self, d, a):
        super().__init__()
        self.proj = mlp_head(3, d, a.proj_hidden, a.out_dim)
        self.pred = mlp_head(2, a.out_dim, a.pred_hidden, a.out_dim)
        self.target = mlp_head(3, d, a.proj_hidden, a.out_dim)
        self.target.load_state_dict(self.proj.state_dict())
        for p in self.target.parameters():
            p.requires_grad_(False)


class Queue:
    def __init__(self, size, dim, gen):
        self.v = F.normalize(torch.randn(size, dim, generator=gen), dim=1)
        self.ids = -torch.ones(size, dtype=torch.long)
        self.labels = -torch.ones(size, dtype=torch.long)
        self.ptr = 0

    def lookup(self, q, ids, k, gen):
        sim = q @ self.v.T
        sim[self.ids[None, :] == ids[:, None]] = -1.0
        cand = sim.topk(k, dim=1)[1]
        pick = cand[torch.arange(len(q)), torch.randint(0, k, (len(q),), generator=gen)]
        return self.v[pick], pick

    def push(self, q, ids, labels):
        n = len(q)
        idx = (self.ptr + torch.arange(n)) % len(self.v)
        self.v[idx], self.ids[idx], self.labels[idx] = q, ids, labels
        self.ptr = (self.ptr + n) % len(self.v)


def nnclr_loss(pred0, pred1, nn0, nn1, tau):
    b = len(pred0)
    t = torch.arange(b)
    return (F.cross_entropy(nn1 @ F.normalize(pred0, dim=-1).T / tau, t)
            + F.cross_entropy(nn0 @ F.normalize(pred1, dim=-1).T / tau, t)) / 2


def load_encoder(path):
    ck = torch.load(path)
    c = ck["cfg"]
    enc = Encoder(c)
    enc.load_state_dict(ck["encoder"])
    return enc, ck, c


def contrastive(a, stage):
    enc, ck, c = load_encoder(a.init)
    xtr, ytr = load("train")
    if a.limit > 0:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    gen = torch.Generator().manual_seed(a.seed)
    torch.manual_seed(a.seed)
    head = Head(c["dim"], a)
    queue = Queue(a.queue, a.out_dim, gen)
    if "head" in ck:
        head.load_state_dict(ck["head"])
        head.target.load_state_dict(head.proj.state_dict())
        if len(ck["queue"][0]) == a.queue:  # a different --queue size starts from a fresh random queue
            queue.v, queue.ids, queue.labels, queue.ptr = ck["queue"]
    depth = c["depth"]
    frozen = depth if stage == "head" else (depth // 2 if a.frozen < 0 else a.frozen)
    for p in enc.parameters():
        p.requires_grad_(False)
    if stage == "tune":
        for i in range(frozen, depth):
            for p in enc.blocks[i].parameters():
                p.requires_grad_(True)
        for p in enc.norm.parameters():
            p.requires_grad_(True)
        if frozen == 0:
            for p in [enc.cls_token] + list(enc.proj.parameters()):
                p.requires_grad_(True)
    named = [("enc." + n, p) for n, p in enc.named_parameters() if p.requires_grad]

    def scale(n):
        n = n[4:]
        if n.startswith("blocks."):
            return a.layer_decay ** (depth - int(n.split(".")[1])) * a.enc_lr / a.lr
        if n.startswith("norm."):
            return a.enc_lr / a.lr
        return a.layer_decay ** (depth + 1) * a.enc_lr / a.lr

    groups = []
    if named:
        o = adamw(named, scale_of=scale)
        groups += [{"params": g["params"], "weight_decay": g["weight_decay"], "scale": g["lr"] / 1e-4}
                   for g in o.param_groups]
    hp = list(head.proj.parameters()) + list(head.pred.parameters())
    groups += [{"params": [p for p in hp if p.ndim > 1], "weight_decay": a.head_wd, "scale": 1.0},
               {"params": [p for p in hp if p.ndim <= 1], "weight_decay": 0.0, "scale": 1.0}]
    opt = torch.optim.AdamW(groups, lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    ema = [(p, p.detach().clone()) for p in enc.parameters()]
    steps_ep = len(xtr) // a.batch
    total = a.steps if a.steps > 0 else int(a.epochs * steps_ep)
    warm = int(a.warmup * total)
    peak = a.lr * a.batch * 2 / 256
    k = 1 if stage == "head" else a.topk
    t0, step, accs = time.time(), 0, []
    while step < total:
        perm = torch.randperm(len(xtr), generator=gen)
        for i in range(steps_ep):
            if step >= total:
                break
            sel = perm[i * a.batch:(i + 1) * a.batch]
            xb = xtr[sel]
            x = torch.cat([norm(crop_flip(xb, a.crop_min, gen)), norm(crop_flip(xb, a.crop_min, gen))])
            enc.train()
            for blk in enc.blocks[:frozen]:
                blk.eval()
            if stage == "head":
                with torch.no_grad():
                    pz = pooled(enc, x)
            else:
                pz = pooled(enc, x)
            b = len(sel)
            z0, z1 = head.proj(pz[:b]), head.proj(pz[b:])
            with torch.no_grad():
                if stage == "tune":
                    q = torch.cat([F.normalize(head.target(pz[:b]), dim=-1), F.normalize(head.target(pz[b:]), dim=-1)])
                else:
                    q = torch.cat([F.normalize(z0, dim=-1), F.normalize(z1, dim=-1)])
            if a.no_nn:
                nn0, nn1, pick = q[:b], q[b:], None
                _, pick = queue.lookup(q[:b], sel, 1, gen)
            else:
                nn0, pick = queue.lookup(q[:b], sel, k, gen)
                nn1, _ = queue.lookup(q[b:], sel, k, gen)
            accs.append((queue.labels[pick] == ytr[sel]).float().mean().item())
            p0, p1 = head.pred(z0), head.pred(z1)
            loss = nnclr_loss(p0, p1, nn0, nn1, a.temperature)
            set_lr(opt, lr_at(step, total, warm, peak))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                if stage == "tune":
                    f = a.target_factor
                    for tp, sp in zip(head.target.parameters(), head.proj.parameters()):
                        tp.mul_(f).add_(sp, alpha=1 - f)
                    for tb, sb in zip(head.target.buffers(), head.proj.buffers()):
                        tb.copy_(sb)
                queue.push(q[:b], sel, ytr[sel])
                for p, e in ema:
                    e.mul_(a.enc_ema).add_(p, alpha=1 - a.enc_ema)
            step += 1
            if step % 50 == 0 or step == total:
                print(f"{stage} step {step}/{total} loss {loss.item():.4f} nn_acc {np.mean(accs[-50:]):.3f} "
                      f"{step * b * 2 / (time.time() - t0):.0f} img/s", flush=True)
            if stage == "tune" and a.eval_steps and step % a.eval_steps == 0 and step < total:
                e2 = Encoder(c)
                e2.load_state_dict(enc.state_dict())
                with torch.no_grad():
                    for p2, (_, e) in zip(e2.parameters(), ema):
                        p2.copy_(e)
                evaluate(e2, a, f"tune-step{step}")
    with torch.no_grad():
        for p, (_, e) in zip(enc.parameters(), ema):
            p.copy_(e)
    out = {"encoder": enc.state_dict(), "cfg": c, "head": head.state_dict(),
           "queue": (queue.v, queue.ids, queue.labels, queue.ptr)}
    torch.save(out, a.out)
    print(f"{stage} done {time.time() - t0:.0f} s, nn_acc(last 10%) {np.mean(accs[-max(1, len(accs) // 10):]):.3f}",
          flush=True)
    if stage == "tune" or a.eval_head:
        evaluate(enc, a, stage)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=["mae", "head", "tune", "eval"])
    ap.add_argument("--init")
    ap.add_argument("--out", default="/tmp/ref.pt")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--eval-train", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=0)
    ap.add_argument("--eval-steps", type=int, default=0)
    ap.add_argument("--eval-head", action="store_true")
    # model
    ap.add_argument("--patch", type=int, default=4)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dec-dim", type=int, default=64)
    ap.add_argument("--dec-depth", type=int, default=1)
    # optimisation
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--enc-lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=float, default=0.05)
    # head
    ap.add_argument("--proj-hidden", type=int, default=512)
    ap.add_argument("--pred-hidden", type=int, default=1024)
    ap.add_argument("--out-dim", type=int, default=128)
    ap.add_argument("--queue", type=int, default=8192)
    ap.add_argument("--temperature", type=float, default=0.15)
    ap.add_argument("--target-factor", type=float, default=0.99)
    ap.add_argument("--topk", type=int, default=5)
    ap.add_argument("--head-wd", type=float, default=1e-5)
    ap.add_argument("--layer-decay", type=float, default=0.65)
    ap.add_argument("--frozen", type=int, default=-1)
    ap.add_argument("--enc-ema", type=float, default=0.99)
    ap.add_argument("--crop-min", type=float, default=0.2)
    ap.add_argument("--no-nn", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    print("ARGS " + json.dumps(vars(a)), flush=True)
    if a.stage == "mae":
        stage_mae(a)
    elif a.stage == "eval":
        evaluate(load_encoder(a.init)[0], a, "eval")
    else:
        contrastive(a, a.stage)


if __name__ == "__main__":
    main()
