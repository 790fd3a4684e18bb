#!/usr/bin/env python3
"""Golden fixtures for maect weight import/export (issue 8). Needs only torch + numpy (Debian python3-torch).

    /usr/bin/python3 tools/golden/io_reference.py            # (re)write the committed fixtures
    /usr/bin/python3 tools/golden/io_reference.py check-export EXPORTED.safetensors OUT.safetensors
        # strict-load an exported encoder into the reference ViT, write its tokens for the fixed inputs

Writes to maect-core/src/test/resources/golden/io/:
  tiny_mae_timm.pth           {'model': state_dict, 'epoch', 'args': argparse.Namespace} (facebookresearch/mae layout)
  tiny_mae_hf/model.safetensors + config.json   the same weights renamed to HF ViTMAEForPreTraining (q/k/v split),
                              safetensors written by hand (struct + json: there is no safetensors package here)
  tiny_mae_expected.safetensors  inputs and expected outputs:
      input            [N, C, H, W] fixed inputs (already "normalised": standard normal)
      tokens_timm      [N, 1+L, D] encoder output after the final norm, no masking, LayerNorm eps 1e-6
      tokens_hf        same weights with HF's eps 1e-12
      decoder_pred     [N, L, p*p*C] decoder prediction with nothing masked (ids_restore = identity), eps 1e-6
      ids_keep         [N, K] kept patch indices (MAE's ids_shuffle[:, :K], as float), K = L/4
      latent_masked    [N, 1+K, D] encoder output on the kept patches
      pred_masked      [N, L, p*p*C] MAE forward_decoder output for that masking (mask tokens, un-shuffle)
  dtypes.safetensors / dtypes.pth + dtypes_expected.json   F16/BF16/F64 storages, views, shared storages
  hostile/*.pth               corrupt or malicious torch files (each must be rejected with a clear message)
The reference ViT below is written from timm's VisionTransformer Block / facebookresearch/mae models_mae.py
(exact erf GELU, qkv packed as [q; k; v], CLS prepended, 2-D sin-cos pos-embed with w first in the meshgrid).
"""
import argparse
import collections
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "maect-core", "src", "test", "resources", "golden", "io")

# tiny architecture: 16x16x3 images, patch 4 (L = 16), width 16, 2 blocks of 2 heads, MLP 64;
# decoder width 8, 1 block of 2 heads, MLP 32.
IMG, PATCH, CH, DIM, DEPTH, HEADS, MLP = 16, 4, 3, 16, 2, 2, 64
DDIM, DDEPTH, DHEADS, DMLP = 8, 1, 2, 32
N = 4


def sincos_2d(dim, grid):
    """facebookresearch/mae util/pos_embed.py get_2d_sincos_pos_embed(cls_token=True)."""
    gh = np.arange(grid, dtype=np.float32)
    gw = np.arange(grid, dtype=np.float32)
    g = np.meshgrid(gw, gh)  # w goes first
    g = np.stack(g, axis=0).reshape(2, 1, grid, grid)

    def one_d(d, pos):
        omega = np.arange(d // 2, dtype=np.float64) / (d / 2.0)
        omega = 1.0 / 10000 ** omega
        out = np.einsum("m,d->md", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    emb = np.concatenate([one_d(dim // 2, g[0]), one_d(dim // 2, g[1])], axis=1)
    return np.concatenate([np.zeros([1, dim]), emb], axis=0).astype(np.float32)


def block_params(sd, p, d, h, gen):
    def w(*s, scale=1.0):
        return (torch.randn(*s, generator=gen) * scale).float()

    sd[p + "norm1.weight"] = 1 + 0.2 * w(d)
    sd[p + "norm1.bias"] = 0.1 * w(d)
    sd[p + "attn.qkv.weight"] = w(3 * d, d, scale=d ** -0.5)
    sd[p + "attn.qkv.bias"] = 0.1 * w(3 * d)
    sd[p + "attn.proj.weight"] = w(d, d, scale=d ** -0.5)
    sd[p + "attn.proj.bias"] = 0.1 * w(d)
    sd[p + "norm2.weight"] = 1 + 0.2 * w(d)
    sd[p + "norm2.bias"] = 0.1 * w(d)
    sd[p + "mlp.fc1.weight"] = w(h, d, scale=d ** -0.5)
    sd[p + "mlp.fc1.bias"] = 0.1 * w(h)
    sd[p + "mlp.fc2.weight"] = w(d, h, scale=h ** -0.5)
    sd[p + "mlp.fc2.bias"] = 0.1 * w(d)


def make_state_dict():
    gen = torch.Generator().manual_seed(8)
    sd = collections.OrderedDict()
    grid = IMG // PATCH
    sd["cls_token"] = torch.randn(1, 1, DIM, generator=gen) * 0.5
    sd["pos_embed"] = torch.from_numpy(sincos_2d(DIM, grid)).unsqueeze(0)
    sd["patch_embed.proj.weight"] = torch.randn(DIM, CH, PATCH, PATCH, generator=gen) * (CH * PATCH * PATCH) ** -0.5
    sd["patch_embed.proj.bias"] = torch.randn(DIM, generator=gen) * 0.1
    for i in range(DEPTH):
        block_params(sd, "blocks.%d." % i, DIM, MLP, gen)
    sd["norm.weight"] = 1 + 0.2 * torch.randn(DIM, generator=gen)
    sd["norm.bias"] = 0.1 * torch.randn(DIM, generator=gen)
    sd["mask_token"] = torch.randn(1, 1, DDIM, generator=gen) * 0.5
    sd["decoder_pos_embed"] = torch.from_numpy(sincos_2d(DDIM, grid)).unsqueeze(0)
    sd["decoder_embed.weight"] = torch.randn(DDIM, DIM, generator=gen) * DIM ** -0.5
    sd["decoder_embed.bias"] = torch.randn(DDIM, generator=gen) * 0.1
    for i in range(DDEPTH):
        block_params(sd, "decoder_blocks.%d." % i, DDIM, DMLP, gen)
    sd["decoder_norm.weight"] = 1 + 0.2 * torch.randn(DDIM, generator=gen)
    sd["decoder_norm.bias"] = 0.1 * torch.randn(DDIM, generator=gen)
    sd["decoder_pred.weight"] = torch.randn(PATCH * PATCH * CH, DDIM, generator=gen) * DDIM ** -0.5
    sd["decoder_pred.bias"] = torch.randn(PATCH * PATCH * CH, generator=gen) * 0.1
    return sd


def block(x, sd, p, heads, eps):
    B, L, D = x.shape
    h = F.layer_norm(x, (D,), sd[p + "norm1.weight"], sd[p + "norm1.bias"], eps)
    qkv = F.linear(h, sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"])
    qkv = qkv.reshape(B, L, 3, heads, D // heads).permute(2, 0, 3, 1, 4)  # (3, B, H, L, D/H)
    q, k, v = qkv[0], qkv[1], qkv[2]
    a = (q @ k.transpose(-2, -1)) * (D // heads) ** -0.5
    a = a.softmax(dim=-1)
    o = (a @ v).transpose(1, 2).reshape(B, L, D)
    x = x + F.linear(o, sd[p + "attn.proj.weight"], sd[p + "attn.proj.bias"])
    h = F.layer_norm(x, (D,), sd[p + "norm2.weight"], sd[p + "norm2.bias"], eps)
    h = F.gelu(F.linear(h, sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"]))  # exact erf GELU
    return x + F.linear(h, sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])


def encoder(x, sd, eps, heads=None):
    """x: [N, C, H, W] -> tokens [N, 1+L, D] after the final norm (no masking); heads default: HEADS at call time."""
    heads = HEADS if heads is None else heads
    t = F.conv2d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=sd["patch_embed.proj.weight"].shape[-1])
    t = t.flatten(2).transpose(1, 2)  # (N, D, h, w) -> (N, L, D)
    t = t + sd["pos_embed"][:, 1:, :]
    cls = (sd["cls_token"] + sd["pos_embed"][:, :1, :]).expand(t.shape[0], -1, -1)
    t = torch.cat([cls, t], dim=1)
    depth = len({k.split(".")[1] for k in sd if k.startswith("blocks.")})
    for i in range(depth):
        t = block(t, sd, "blocks.%d." % i, heads, eps)
    return F.layer_norm(t, (t.shape[-1],), sd["norm.weight"], sd["norm.bias"], eps)


def decoder(tokens, sd, eps):
    """MAE forward_decoder with nothing masked: tokens [N, 1+L, D] -> pred [N, L, p*p*C]."""
    x = F.linear(tokens, sd["decoder_embed.weight"], sd["decoder_embed.bias"])
    x = x + sd["decoder_pos_embed"]
    for i in range(DDEPTH):
        x = block(x, sd, "decoder_blocks.%d." % i, DHEADS, eps)
    x = F.layer_norm(x, (DDIM,), sd["decoder_norm.weight"], sd["decoder_norm.bias"], eps)
    return F.linear(x, sd["decoder_pred.weight"], sd["decoder_pred.bias"])[:, 1:, :]


def masked_forward(x, sd, ids_shuffle, eps):
    """facebookresearch/mae forward_encoder + forward_decoder with a given ids_shuffle (mask ratio 0.75)."""
    t = F.conv2d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=PATCH)
    t = t.flatten(2).transpose(1, 2) + sd["pos_embed"][:, 1:, :]  # (N, L, D)
    n, l, d = t.shape
    k = int(l * (1 - 0.75))
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :k]
    t = torch.gather(t, 1, ids_keep.unsqueeze(-1).repeat(1, 1, d))  # (N, K, D)
    cls = (sd["cls_token"] + sd["pos_embed"][:, :1, :]).expand(n, -1, -1)
    t = torch.cat([cls, t], dim=1)
    for i in range(DEPTH):
        t = block(t, sd, "blocks.%d." % i, HEADS, eps)
    latent = F.layer_norm(t, (d,), sd["norm.weight"], sd["norm.bias"], eps)
    y = F.linear(latent, sd["decoder_embed.weight"], sd["decoder_embed.bias"])
    mask_tokens = sd["mask_token"].repeat(n, l + 1 - y.shape[1], 1)
    y_ = torch.cat([y[:, 1:, :], mask_tokens], dim=1)
    y_ = torch.gather(y_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, y.shape[2]))  # un-shuffle
    y = torch.cat([y[:, :1, :], y_], dim=1) + sd["decoder_pos_embed"]
    for i in range(DDEPTH):
        y = block(y, sd, "decoder_blocks.%d." % i, DHEADS, eps)
    y = F.layer_norm(y, (DDIM,), sd["decoder_norm.weight"], sd["decoder_norm.bias"], eps)
    pred = F.linear(y, sd["decoder_pred.weight"], sd["decoder_pred.bias"])[:, 1:, :]
    return ids_keep, latent, pred


HF_BLOCK = {"norm1": "layernorm_before", "norm2": "layernorm_after", "attn.proj": "attention.output.dense",
            "mlp.fc1": "intermediate.dense", "mlp.fc2": "output.dense"}


def to_hf(sd):
    """timm -> HF ViTMAEForPreTraining names (inverse of transformers' convert_vit_mae_to_pytorch.py)."""
    out = collections.OrderedDict()
    top = {"cls_token": "vit.embeddings.cls_token", "pos_embed": "vit.embeddings.position_embeddings",
           "patch_embed.proj.weight": "vit.embeddings.patch_embeddings.projection.weight",
           "patch_embed.proj.bias": "vit.embeddings.patch_embeddings.projection.bias",
           "norm.weight": "vit.layernorm.weight", "norm.bias": "vit.layernorm.bias",
           "mask_token": "decoder.mask_token", "decoder_pos_embed": "decoder.decoder_pos_embed"}
    for k, v in sd.items():
        if k in top:
            out[top[k]] = v
            continue
        if k.split(".")[0] in ("decoder_embed", "decoder_norm", "decoder_pred"):
            out["decoder." + k] = v
            continue
        kind, i, rest = k.split(".", 2)
        pre = ("vit.encoder.layer." if kind == "blocks" else "decoder.decoder_layers.") + i + "."
        mod, param = rest.rsplit(".", 1)
        if mod == "attn.qkv":
            d = v.shape[0] // 3
            for j, n in enumerate(["query", "key", "value"]):
                out[pre + "attention.attention." + n + "." + param] = v[j * d:(j + 1) * d].clone()
        else:
            out[pre + HF_BLOCK[mod] + "." + param] = v
    return out


ST_DTYPES = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8"), torch.float16: ("F16", "<f2")}


def write_safetensors(path, tensors, metadata=None):
    """safetensors by hand: u64-le header length, JSON header, raw little-endian data."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for k, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.bfloat16:
            dt, raw = "BF16", t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            dt, npdt = ST_DTYPES[t.dtype]
            raw = t.numpy().astype(npdt).tobytes()
        header[k] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = collections.OrderedDict()
    for k, v in header.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32", v
        b, e = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[b:e], dtype="<f4").copy()).reshape(v["shape"])
    return out, header.get("__metadata__", {})


class ReferenceEncoder(torch.nn.Module):
    """timm/MAE-named parameters; strict load_state_dict is the export contract."""

    def __init__(self, dim, depth, mlp, channels, patch, num_patches):
        super().__init__()
        self.cls_token = torch.nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = torch.nn.Parameter(torch.zeros(1, 1 + num_patches, dim), requires_grad=False)
        self.patch_embed = torch.nn.Module()
        self.patch_embed.proj = torch.nn.Conv2d(channels, dim, patch, patch)
        self.blocks = torch.nn.ModuleList()
        for _ in range(depth):
            b = torch.nn.Module()
            b.norm1, b.norm2 = torch.nn.LayerNorm(dim, eps=1e-6), torch.nn.LayerNorm(dim, eps=1e-6)
            b.attn = torch.nn.Module()
            b.attn.qkv, b.attn.proj = torch.nn.Linear(dim, 3 * dim), torch.nn.Linear(dim, dim)
            b.mlp = torch.nn.Module()
            b.mlp.fc1, b.mlp.fc2 = torch.nn.Linear(dim, mlp), torch.nn.Linear(mlp, dim)
            self.blocks.append(b)
        self.norm = torch.nn.LayerNorm(dim, eps=1e-6)


def check_export(exported, out_path):
    tensors, meta = read_safetensors(exported)
    arch = json.loads(meta["maect.architecture"])
    model = ReferenceEncoder(arch["dim"], arch["depth"], arch["mlpHidden"], arch["channels"], arch["patchSize"],
                             (arch["imageSize"] // arch["patchSize"]) ** 2)
    model.load_state_dict(tensors, strict=True)  # the contract: exact timm/MAE names and shapes
    exp, _ = read_safetensors(os.path.join(OUT, "tiny_mae_expected.safetensors"))
    with torch.no_grad():
        sd = {k: v for k, v in model.state_dict().items()}
        tokens = encoder(exp["input"], sd, 1e-6, heads=arch["heads"])
    write_safetensors(out_path, {"tokens": tokens})
    print("strict load OK; tokens", tuple(tokens.shape))


def pickle_with(obj, persistent):
    """A torch-style data.pkl: persistent ids for storages, protocol 2."""
    buf = io.BytesIO()

    class P(pickle.Pickler):
        def persistent_id(self, o):
            return persistent(o)

    P(buf, protocol=2).dump(obj)
    return buf.getvalue()


def write_zip(path, entries, prefix="archive"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(prefix + "/" + name, date_time=(2024, 1, 1, 0, 0, 0)), data)


class FakeStorage:
    def __init__(self, cls_name, key, numel):
        self.cls_name, self.key, self.numel = cls_name, key, numel


class FakeTensor:
    """Pickles as torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())

    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, self.args)


def fake_pid(o):
    if isinstance(o, FakeStorage):
        return ("storage", getattr(torch, o.cls_name), o.key, "cpu", o.numel)
    return None


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def write_hostile(ok_pth):
    d = os.path.join(OUT, "hostile")
    os.makedirs(d, exist_ok=True)
    st = FakeStorage("FloatStorage", "0", 4)
    floats = struct.pack("<4f", 1, 2, 3, 4)
    # a global that would run code in Python
    write_zip(os.path.join(d, "evil_global.pth"), {"data.pkl": pickle_with({"model": Evil()}, fake_pid)})
    # BINUNICODE claiming ~4 GB
    write_zip(os.path.join(d, "huge_string.pth"), {"data.pkl": b"\x80\x02X" + struct.pack("<I", 0xFFFFFFF0) + b"ab."})
    # a view reaching past its storage
    write_zip(os.path.join(d, "view_outside.pth"),
              {"data.pkl": pickle_with({"w": FakeTensor(st, 2, (2, 2), (2, 1))}, fake_pid), "data/0": floats})
    # storage shorter than numel * 4 bytes
    write_zip(os.path.join(d, "truncated_storage.pth"),
              {"data.pkl": pickle_with({"w": FakeTensor(st, 0, (4,), (1,))}, fake_pid), "data/0": floats[:10]})
    # storage claimed as float32 but the bytes are float16-sized (wrong dtype)
    st16 = FakeStorage("FloatStorage", "0", 8)
    write_zip(os.path.join(d, "wrong_dtype.pth"),
              {"data.pkl": pickle_with({"w": FakeTensor(st16, 0, (8,), (1,))}, fake_pid),
               "data/0": np.arange(8, dtype="<f2").tobytes()})
    # storage entry missing
    write_zip(os.path.join(d, "missing_storage.pth"), {"data.pkl": pickle_with({"w": FakeTensor(st, 0, (4,), (1,))}, fake_pid)})
    # integer weights
    torch.save({"model": {"w": torch.arange(3)}}, os.path.join(d, "int64.pth"))
    # legacy (pre-zip) format (storage keys come from id(): this file differs on every run)
    torch.save({"w": torch.ones(2)}, os.path.join(d, "legacy.pth"), _use_new_zipfile_serialization=False)
    # not a zip at all / a zip cut in half
    with open(os.path.join(d, "not_a_checkpoint.pth"), "wb") as f:
        f.write(b"hello, this is not a checkpoint\n")
    with open(ok_pth, "rb") as f:
        blob = f.read()
    with open(os.path.join(d, "truncated.pth"), "wb") as f:
        f.write(blob[: len(blob) // 2])


def write_dtypes():
    gen = torch.Generator().manual_seed(3)
    base = torch.randn(3, 4, generator=gen)
    shared = torch.randn(10, generator=gen)
    sd = collections.OrderedDict()
    sd["f32_transposed"] = base.t()                 # non-contiguous view: stride (1, 4)
    sd["f16"] = torch.randn(5, generator=gen).half()
    sd["bf16"] = torch.randn(2, 3, generator=gen).bfloat16()
    sd["f64"] = torch.randn(3, generator=gen).double()
    sd["shared_a"] = shared[2:6]                    # two views of one storage, with offsets
    sd["shared_b"] = shared[5:].view(5, 1)
    torch.save({"model": sd}, os.path.join(OUT, "dtypes.pth"))
    st = collections.OrderedDict((k, v.contiguous()) for k, v in sd.items())
    write_safetensors(os.path.join(OUT, "dtypes.safetensors"), st, {"note": "dtype fixture"})
    expected = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in sd.items()}
    with open(os.path.join(OUT, "dtypes_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    sd = make_state_dict()
    ns = argparse.Namespace(model="mae_vit_tiny", norm_pix_loss=True, mask_ratio=0.75)
    pth = os.path.join(OUT, "tiny_mae_timm.pth")
    torch.save({"model": sd, "epoch": 0, "args": ns}, pth)

    hf_dir = os.path.join(OUT, "tiny_mae_hf")
    os.makedirs(hf_dir, exist_ok=True)
    write_safetensors(os.path.join(hf_dir, "model.safetensors"), to_hf(sd), {"format": "pt"})
    config = {"architectures": ["ViTMAEForPreTraining"], "model_type": "vit_mae", "hidden_size": DIM,
              "num_hidden_layers": DEPTH, "num_attention_heads": HEADS, "intermediate_size": MLP,
              "hidden_act": "gelu", "layer_norm_eps": 1e-12, "image_size": IMG, "patch_size": PATCH,
              "num_channels": CH, "qkv_bias": True, "decoder_hidden_size": DDIM, "decoder_num_hidden_layers": DDEPTH,
              "decoder_num_attention_heads": DHEADS, "decoder_intermediate_size": DMLP, "mask_ratio": 0.75,
              "norm_pix_loss": True}
    with open(os.path.join(hf_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    gen = torch.Generator().manual_seed(1)
    x = torch.randn(N, CH, IMG, IMG, generator=gen)
    with torch.no_grad():
        tokens = encoder(x, sd, 1e-6)
        tokens_hf = encoder(x, sd, 1e-12)
        pred = decoder(tokens, sd, 1e-6)
        ids_shuffle = torch.argsort(torch.rand(N, (IMG // PATCH) ** 2, generator=gen), dim=1)
        ids_keep, latent, pred_masked = masked_forward(x, sd, ids_shuffle, 1e-6)
    write_safetensors(os.path.join(OUT, "tiny_mae_expected.safetensors"),
                      collections.OrderedDict(input=x, tokens_timm=tokens, tokens_hf=tokens_hf, decoder_pred=pred,
                                              ids_keep=ids_keep.float(), latent_masked=latent, pred_masked=pred_masked))
    print("eps 1e-6 vs 1e-12 max |diff| on tokens: %.3g" % (tokens - tokens_hf).abs().max().item())
    write_dtypes()
    write_hostile(pth)
    print("wrote", OUT)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "check-export":
        check_export(sys.argv[2], sys.argv[3])
    else:
        main()
