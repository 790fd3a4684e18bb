#!/usr/bin/python3
"""Golden fixtures for the SameDiff ViT / MAE graphs (maect-samediff MaeGoldenTest).

A self-contained re-implementation of facebookresearch/mae `models_mae.py` + the timm pieces it uses
(PatchEmbed, Block, Attention, Mlp with exact GELU, LayerNorm eps 1e-6) and `util/pos_embed.py`,
run in float64 on a tiny config. Writes .npy files (float64, C order) named by state-dict key:

  param/<key>.npy       all parameters (random, biases and norm weights perturbed away from 0/1)
  input/images.npy      [B, C, H, W]
  input/noise.npy       [B, L] masking noise (uniform)
  out/latent.npy        encoder output [B, 1+K, D] (after norm)
  out/pred.npy          decoder output [B, L, P]
  out/mask.npy          [B, L] 0 keep 1 remove
  out/loss.npy          scalar (shape [1])
  grad/<key>.npy        d loss / d param for a few parameters
  enc_full/pooled_cls.npy, enc_full/pooled_mean.npy  unmasked encoder features [B, D]

Run: /usr/bin/python3 (Debian python3-torch) tools/golden/mae_reference.py maect-samediff/src/test/resources/golden/mae
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)

# Tiny config (mirrors MaeGoldenTest.CONFIG): 8x8 images, 2 channels, patch 2 -> L = 16, K = 4.
IMG, PATCH, CH = 8, 2, 2
DIM, DEPTH, HEADS = 16, 2, 2
DEC_DIM, DEC_DEPTH, DEC_HEADS = 8, 1, 2
MASK_RATIO = 0.75
BATCH = 3


# ---- util/pos_embed.py (verbatim logic) ----
def get_2d_sincos_pos_embed(embed_dim, grid_size, cls_token=False):
    grid_h = np.arange(grid_size, dtype=np.float64)
    grid_w = np.arange(grid_size, dtype=np.float64)
    grid = np.meshgrid(grid_w, grid_h)  # here w goes first
    grid = np.stack(grid, axis=0)
    grid = grid.reshape([2, 1, grid_size, grid_size])
    pos_embed = get_2d_sincos_pos_embed_from_grid(embed_dim, grid)
    if cls_token:
        pos_embed = np.concatenate([np.zeros([1, embed_dim]), pos_embed], axis=0)
    return pos_embed


def get_2d_sincos_pos_embed_from_grid(embed_dim, grid):
    emb_h = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[0])
    emb_w = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[1])
    return np.concatenate([emb_h, emb_w], axis=1)


def get_1d_sincos_pos_embed_from_grid(embed_dim, pos):
    omega = np.arange(embed_dim // 2, dtype=np.float64)
    omega /= embed_dim / 2.0
    omega = 1.0 / 10000 ** omega
    pos = pos.reshape(-1)
    out = np.einsum("m,d->md", pos, omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


# ---- timm pieces ----
class PatchEmbed(nn.Module):
    def __init__(self, img, patch, ch, dim):
        super().__init__()
        self.num_patches = (img // patch) ** 2
        self.proj = nn.Conv2d(ch, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, L, D]


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
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()  # exact erf
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


# ---- models_mae.py logic ----
class MaskedAutoencoderViT(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed(IMG, PATCH, CH, DIM)
        n = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, DIM))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, DIM), requires_grad=False)
        self.blocks = nn.ModuleList([Block(DIM, HEADS) for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)
        self.decoder_embed = nn.Linear(DIM, DEC_DIM)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, DEC_DIM))
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, n + 1, DEC_DIM), requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(DEC_DIM, DEC_HEADS) for _ in range(DEC_DEPTH)])
        self.decoder_norm = nn.LayerNorm(DEC_DIM, eps=1e-6)
        self.decoder_pred = nn.Linear(DEC_DIM, PATCH * PATCH * CH)
        g = int(n ** 0.5)
        self.pos_embed.data.copy_(torch.from_numpy(get_2d_sincos_pos_embed(DIM, g, True)).unsqueeze(0))
        self.decoder_pos_embed.data.copy_(
            torch.from_numpy(get_2d_sincos_pos_embed(DEC_DIM, g, True)).unsqueeze(0))

    def patchify(self, imgs):
        p = PATCH
        h = w = imgs.shape[2] // p
        x = imgs.reshape(imgs.shape[0], CH, h, p, w, p)
        x = torch.einsum("nchpwq->nhwpqc", x)
        return x.reshape(imgs.shape[0], h * w, p * p * CH)

    def random_masking(self, x, mask_ratio, noise):
        n, l, d = x.shape
        len_keep = int(l * (1 - mask_ratio))
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :len_keep]
        x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, d))
        mask = torch.ones([n, l])
        mask[:, :len_keep] = 0
        mask = torch.gather(mask, dim=1, index=ids_restore)
        return x_masked, mask, ids_restore

    def forward_encoder(self, x, mask_ratio, noise):
        x = self.patch_embed(x)
        x = x + self.pos_embed[:, 1:, :]
        x, mask, ids_restore = self.random_masking(x, mask_ratio, noise)
        cls_token = self.cls_token + self.pos_embed[:, :1, :]
        x = torch.cat((cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x), mask, ids_restore

    def forward_full(self, x):
        x = self.patch_embed(x) + self.pos_embed[:, 1:, :]
        cls_token = self.cls_token + self.pos_embed[:, :1, :]
        x = torch.cat((cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)

    def forward_decoder(self, x, ids_restore):
        x = self.decoder_embed(x)
        mask_tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], mask_tokens], dim=1)
        x_ = torch.gather(x_, dim=1, index=ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1)
        x = x + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        x = self.decoder_norm(x)
        x = self.decoder_pred(x)
        return x[:, 1:, :]

    def forward_loss(self, imgs, pred, mask):
        target = self.patchify(imgs)
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.0e-6) ** 0.5
        loss = ((pred - target) ** 2).mean(dim=-1)
        return (loss * mask).sum() / mask.sum()

    def forward(self, imgs, noise):
        latent, mask, ids_restore = self.forward_encoder(imgs, MASK_RATIO, noise)
        pred = self.forward_decoder(latent, ids_restore)
        return self.forward_loss(imgs, pred, mask), pred, mask, latent


GRADS = [
    "patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token",
    "blocks.0.attn.qkv.weight", "blocks.1.attn.proj.bias", "blocks.0.norm1.weight", "blocks.1.mlp.fc1.weight",
    "norm.weight", "norm.bias", "decoder_embed.weight", "mask_token",
    "decoder_blocks.0.norm2.bias", "decoder_blocks.0.mlp.fc2.weight", "decoder_pred.weight", "decoder_pred.bias",
]


def main(out):
    torch.manual_seed(1234)
    model = MaskedAutoencoderViT()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif p.dim() == 1 or name in ("cls_token", "mask_token"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn_like(p) / fan_in ** 0.5)
    imgs = torch.rand(BATCH, CH, IMG, IMG)
    imgs[0, :, 0:2, 0:2] = 0.5  # one constant patch: exercises the norm-pix eps
    noise = torch.rand(BATCH, model.patch_embed.num_patches)
    loss, pred, mask, latent = model(imgs, noise)
    loss.backward()
    full = model.forward_full(imgs)

    def save(rel, arr):
        path = os.path.join(out, rel + ".npy")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        np.save(path, np.ascontiguousarray(np.asarray(arr, dtype=np.float64)))

    for name, p in model.named_parameters():
        if p.requires_grad:
            save("param/" + name, p.detach().numpy())
    save("input/images", imgs.numpy())
    save("input/noise", noise.numpy())
    save("out/latent", latent.detach().numpy())
    save("out/pred", pred.detach().numpy())
    save("out/mask", mask.numpy())
    save("out/loss", loss.detach().numpy().reshape(1))
    for name, p in model.named_parameters():
        if name in GRADS:
            save("grad/" + name, p.grad.numpy())
    save("enc_full/pooled_cls", full[:, 0].detach().numpy())
    save("enc_full/pooled_mean", full[:, 1:].mean(1).detach().numpy())
    save("pos_embed", model.pos_embed.detach().numpy())
    print("loss", loss.item(), "->", out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "maect-samediff/src/test/resources/golden/mae")
