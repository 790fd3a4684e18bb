#!/usr/bin/python3
"""PyTorch reference for `./maect bench`: the same model, step, shapes and threads as the Java benchmark.

Called by org.maect.examples.bench.TorchReference as
    python3 tools/bench/torch_bench.py --config '<json>'
with the JSON the Java side builds (BenchCommand.torchConfig): step (mae_step | ct_step | embed), batch,
warmup, steps, soak, every, threads and the model sizes. Prints one line `BENCH_RESULT {json}` with the
fields of org.maect.examples.bench.BenchResult.

The steps mirror the Java ones (and facebookresearch/mae, ml-jku/MAE-CT):
  mae_step  timm-style ViT encoder on the kept 25% of the patches (argsort masking + gather), MAE decoder,
            norm-pix loss on the masked patches, backward, torch.optim.AdamW (betas 0.9/0.95, wd 0.05, no decay
            on biases / norms / tokens).
  ct_step   two views (2B images) through the encoder with the lower half frozen (requires_grad False),
            mean of patch tokens, per view: EMA target projector (no grad) -> L2-normalised -> cosine top-k
            against the queue (own sample at -1) -> positive drawn among the k; online projector + predictor,
            symmetric NNCLR loss, backward, AdamW (head group + layer-wise encoder groups), BN running stats
            (torch's own), target EMA (buffers copied), enqueue, encoder EMA.
  embed     eval-mode encoder on all patches under no_grad, mean of patch tokens.
Synthetic N(0,1) images as in the Java benchmark. Python is only needed to compare; nothing else calls this.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def rss_mb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
    return -1.0


def sincos_2d(dim, grid, cls):
    def one_d(d, pos):
        omega = torch.arange(d // 2, dtype=torch.float64) / (d / 2.0)
        omega = 1.0 / 10000 ** omega
        out = pos.reshape(-1)[:, None] * omega[None, :]
        return torch.cat([torch.sin(out), torch.cos(out)], dim=1)

    g = torch.arange(grid, dtype=torch.float64)
    gw, gh = torch.meshgrid(g, g, indexing="xy")  # w first, as MAE's np.meshgrid(grid_w, grid_h)
    emb = torch.cat([one_d(dim // 2, gw), one_d(dim // 2, gh)], dim=1)
    if cls:
        emb = torch.cat([torch.zeros(1, dim, dtype=torch.float64), emb], dim=0)
    return emb.float().unsqueeze(0)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        d = c["dim"]
        self.grid = c["image"] // c["patch"]
        self.proj = nn.Conv2d(c["channels"], d, kernel_size=c["patch"], stride=c["patch"])
        self.cls_token = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.register_buffer("pos_embed", sincos_2d(d, self.grid, True))
        self.blocks = nn.ModuleList([Block(d, c["heads"], c["mlp_hidden"]) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(d, eps=1e-6)

    def embed(self, imgs):
        return self.proj(imgs).flatten(2).transpose(1, 2) + self.pos_embed[:, 1:, :]

    def blocks_and_norm(self, x):
        cls = (self.cls_token + self.pos_embed[:, :1, :]).expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)

    def forward_masked(self, imgs, keep):
        x = self.embed(imgs)
        n, l, d = x.shape
        noise = torch.rand(n, l)
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :keep]
        x = torch.gather(x, 1, ids_keep.unsqueeze(-1).repeat(1, 1, d))
        mask = torch.ones(n, l)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
        return self.blocks_and_norm(x), mask, ids_restore

    def forward_full(self, imgs):
        return self.blocks_and_norm(self.embed(imgs))


class Mae(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.encoder = Encoder(c)
        d, e = c["dim"], c["dec_dim"]
        self.keep = int(self.encoder.grid ** 2 * (1 - c["mask_ratio"]))
        self.decoder_embed = nn.Linear(d, e)
        self.mask_token = nn.Parameter(torch.randn(1, 1, e) * 0.02)
        self.register_buffer("decoder_pos_embed", sincos_2d(e, self.encoder.grid, True))
        self.decoder_blocks = nn.ModuleList([Block(e, c["dec_heads"], 4 * e) for _ in range(c["dec_depth"])])
        self.decoder_norm = nn.LayerNorm(e, eps=1e-6)
        self.decoder_pred = nn.Linear(e, c["patch"] ** 2 * c["channels"])

    def patchify(self, imgs):
        p, ch = self.c["patch"], self.c["channels"]
        h = imgs.shape[2] // p
        x = imgs.reshape(imgs.shape[0], ch, h, p, h, p)
        x = torch.einsum("nchpwq->nhwpqc", x)
        return x.reshape(imgs.shape[0], h * h, p * p * ch)

    def forward(self, imgs):
        latent, mask, ids_restore = self.encoder.forward_masked(imgs, self.keep)
        x = self.decoder_embed(latent)
        mt = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], mt], dim=1)
        x_ = torch.gather(x_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1) + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        pred = self.decoder_pred(self.decoder_norm(x))[:, 1:, :]
        target = self.patchify(imgs)
        if self.c["norm_pix"]:
            mean = target.mean(dim=-1, keepdim=True)
            var = target.var(dim=-1, keepdim=True)
            target = (target - mean) / (var + 1.0e-6) ** 0.5
        loss = ((pred - target) ** 2).mean(dim=-1)
        return (loss * mask).sum() / mask.sum()


def no_decay(name, p):
    return p.ndim <= 1 or name.endswith(".bias") or "norm" in name or "token" in name


def adamw(named, lr=1e-4, wd=0.05, scale_of=None):
    groups = {}
    for n, p in named:
        if not p.requires_grad:
            continue
        s = scale_of(n) if scale_of else 1.0
        key = (s, 0.0 if no_decay(n, p) else wd)
        groups.setdefault(key, []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": lr * s, "weight_decay": w} for (s, w), ps in groups.items()],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8)


def mlp_head(layers, in_dim, hidden, out, affine_last=True):
    mods = [nn.Linear(in_dim, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()]
    if layers == 3:
        mods += [nn.Linear(hidden, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU()]
        mods += [nn.Linear(hidden, out, bias=False), nn.BatchNorm1d(out, affine=affine_last)]
    else:
        mods += [nn.Linear(hidden, out, bias=False)]
    return nn.Sequential(*mods)


class MaeStep:
    def __init__(self, c):
        self.b = c["batch"]
        self.model = Mae(c)
        self.model.train()
        self.opt = adamw(self.model.named_parameters())
        self.images = torch.randn(self.b, c["channels"], c["image"], c["image"])

    def run(self):
        loss = self.model(self.images)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return self.b


class CtStep:
    def __init__(self, c):
        self.c = c
        self.b = c["batch"]
        self.encoder = Encoder(c)
        frozen = c["frozen_blocks"]
        depth = c["depth"]
        if frozen > 0:
            for p in [self.encoder.cls_token] + list(self.encoder.proj.parameters()):
                p.requires_grad_(False)
        for i in range(frozen):
            for p in self.encoder.blocks[i].parameters():
                p.requires_grad_(False)
            self.encoder.blocks[i].eval()
        d, o = c["dim"], c["out_dim"]
        self.proj = mlp_head(3, d, c["proj_hidden"], o)
        self.pred = mlp_head(2, o, c["pred_hidden"], o)
        self.target = mlp_head(3, d, c["proj_hidden"], o)
        self.target.load_state_dict(self.proj.state_dict())
        for p in self.target.parameters():
            p.requires_grad_(False)

        def scale(n):  # layer-wise lr decay of the encoder, head at 1
            if n.startswith("blocks."):
                return c["layer_decay"] ** (depth - int(n.split(".")[1]))
            if n.startswith("norm."):
                return 1.0
            return c["layer_decay"] ** (depth + 1)

        named = [("enc." + n, p) for n, p in self.encoder.named_parameters()]
        self.opt = adamw([(n, p) for n, p in named], scale_of=lambda n: scale(n[4:]))
        self.opt.add_param_group({"params": [p for p in list(self.proj.parameters()) + list(self.pred.parameters())],
                                  "lr": 1e-4, "weight_decay": 1e-5})
        self.ema = [(p, p.detach().clone()) for p in self.encoder.parameters() if p.requires_grad]
        self.queue = F.normalize(torch.randn(c["queue"], o), dim=1)
        self.queue_ids = -torch.ones(c["queue"], dtype=torch.long)
        self.ptr = 0
        self.next_id = 0
        self.images = torch.randn(2 * self.b, c["channels"], c["image"], c["image"])

    def find_nn(self, normed, ids):
        sim = normed @ self.queue.T
        sim[self.queue_ids[None, :] == ids[:, None]] = -1.0
        cand = sim.topk(self.c["topk"], dim=1)[1]
        dice = torch.randint(0, self.c["topk"], (len(normed),))
        return self.queue[cand[torch.arange(len(normed)), dice]]

    def run(self):
        b, tau = self.b, self.c["temperature"]
        ids = torch.arange(self.next_id, self.next_id + b)
        self.next_id += b
        tokens = self.encoder.forward_full(self.images)
        pooled = tokens[:, 1:, :].mean(dim=1) if self.c["pooling"] == "MEAN_PATCH" else tokens[:, 0, :]
        preds, nns, t0 = [], [], None
        for v in range(2):
            x = pooled[v * b:(v + 1) * b]
            with torch.no_grad():
                t = F.normalize(self.target(x), dim=-1)
            if v == 0:
                t0 = t
            nns.append(self.find_nn(t, ids))
            preds.append(self.pred(self.proj(x)))
        labels = torch.arange(b)
        loss = (F.cross_entropy(nns[1] @ F.normalize(preds[0], dim=-1).T / tau, labels)
                + F.cross_entropy(nns[0] @ F.normalize(preds[1], dim=-1).T / tau, labels)) / 2
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        with torch.no_grad():
            f = self.c["target_factor"]
            for tp, sp in zip(self.target.parameters(), self.proj.parameters()):
                tp.mul_(f).add_(sp, alpha=1 - f)
            for tb, sb in zip(self.target.buffers(), self.proj.buffers()):
                tb.copy_(sb)
            q = self.c["queue"]
            idx = (self.ptr + torch.arange(b)) % q
            self.queue[idx] = t0
            self.queue_ids[idx] = ids
            self.ptr = (self.ptr + b) % q
            m = self.c["encoder_ema"]
            for p, e in self.ema:
                e.mul_(m).add_(p, alpha=1 - m)
        return 2 * b


class EmbedStep:
    def __init__(self, c):
        self.b = c["batch"]
        self.encoder = Encoder(c).eval()
        self.images = torch.randn(self.b, c["channels"], c["image"], c["image"])

    def run(self):
        with torch.no_grad():
            f = self.encoder.forward_full(self.images)[:, 1:, :].mean(dim=1)
        assert f.shape[0] == self.b
        return self.b


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True, help="JSON config from the Java benchmark")
    c = json.loads(ap.parse_args().config)
    torch.set_num_threads(int(c["threads"]))
    torch.manual_seed(0)
    step = {"mae_step": MaeStep, "ct_step": CtStep, "embed": EmbedStep}[c["step"]](c)
    for _ in range(int(c["warmup"])):
        step.run()
    soak = int(c.get("soak", 0))
    n = soak if soak > 0 else int(c["steps"])
    every = max(1, int(c.get("every", 50)))
    times, trace, images = [], [], 0
    if soak > 0:
        trace.append([0.0, rss_mb("VmRSS:"), 0.0])
    w0, wimg = time.perf_counter(), 0
    for i in range(1, n + 1):
        t0 = time.perf_counter()
        images = step.run()
        times.append(time.perf_counter() - t0)
        wimg += images
        if soak > 0 and (i % every == 0 or i == n):
            now = time.perf_counter()
            trace.append([float(i), rss_mb("VmRSS:"), wimg / (now - w0)])
            w0, wimg = now, 0
    med = statistics.median(times)
    flops = float(c.get("flops_per_step", 0.0))
    r = {"impl": "pytorch", "step": c["step"], "preset": c.get("preset", ""), "batch": c["batch"],
         "threads": torch.get_num_threads(), "images_per_step": images, "step_seconds": times, "median_s": med,
         "images_per_s": images / med, "flops_per_step": flops, "gflops": flops / med / 1e9,
         "peak_rss_mb": rss_mb("VmHWM:"), "rss_trace": trace}
    print("BENCH_RESULT " + json.dumps(r))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
