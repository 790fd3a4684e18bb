#!/usr/bin/env python3
"""Golden fixture for org.maect.samediff.optim.AdamW: torch.optim.AdamW on fixed params/grads.

Two param groups: "decay" (lr scale 1, weight decay 0.05) and "nodecay" (lr scale 0.5, weight decay 0),
a per-step base lr that starts at 0 (first warm-up step), betas (0.9, 0.95). Two cases: eps 1e-8 and a large
eps 1e-3 with small gradients, which checks where eps enters the update.

Run (Debian python3-torch): /usr/bin/python3 tools/golden/adamw_fixture.py > maect-samediff/src/test/resources/golden/adamw/adamw.json
"""
import json
import sys

import torch

torch.manual_seed(1234)

SHAPES = {
    "blocks.0.mlp.fc1.weight": (4, 3),   # group decay
    "blocks.0.attn.qkv.weight": (6, 2),  # group decay
    "blocks.0.mlp.fc1.bias": (4,),       # group nodecay
    "norm.weight": (3,),                 # group nodecay
}
GROUPS = {"decay": (["blocks.0.mlp.fc1.weight", "blocks.0.attn.qkv.weight"], 1.0, 0.05),
          "nodecay": (["blocks.0.mlp.fc1.bias", "norm.weight"], 0.5, 0.0)}
BASE_LR = [0.0, 1e-2, 2e-2, 1.5e-2, 5e-3, 1e-3]


def case(eps, grad_scale):
    params = {n: torch.randn(*s, dtype=torch.float32) for n, s in SHAPES.items()}
    init = {n: p.clone() for n, p in params.items()}
    tensors = {n: torch.nn.Parameter(p.clone()) for n, p in params.items()}
    groups = [{"params": [tensors[n] for n in names], "lr": 0.0, "weight_decay": wd, "scale": sc}
              for (names, sc, wd) in GROUPS.values()]
    opt = torch.optim.AdamW(groups, lr=0.0, betas=(0.9, 0.95), eps=eps, weight_decay=0.0)
    grads = []
    for lr in BASE_LR:
        g = {n: (torch.randn(*s, dtype=torch.float32) * grad_scale) for n, s in SHAPES.items()}
        grads.append({n: t.flatten().tolist() for n, t in g.items()})
        for n, t in tensors.items():
            t.grad = g[n].clone()
        for grp in opt.param_groups:
            grp["lr"] = lr * grp["scale"]
        opt.step()
    st = {n: opt.state[t] for n, t in tensors.items()}
    return {
        "eps": eps,
        "shapes": {n: list(s) for n, s in SHAPES.items()},
        "init": {n: p.flatten().tolist() for n, p in init.items()},
        "grads": grads,
        "expected": {n: t.detach().flatten().tolist() for n, t in tensors.items()},
        "expected_m": {n: st[n]["exp_avg"].flatten().tolist() for n in SHAPES},
        "expected_v": {n: st[n]["exp_avg_sq"].flatten().tolist() for n in SHAPES},
    }


out = {
    "generator": "tools/golden/adamw_fixture.py, torch " + torch.__version__,
    "betas": [0.9, 0.95],
    "base_lr": BASE_LR,
    "groups": {k: {"names": v[0], "lr_scale": v[1], "weight_decay": v[2]} for k, v in GROUPS.items()},
    "cases": [case(1e-8, 1.0), case(1e-3, 1e-3)],
}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
