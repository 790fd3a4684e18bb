#!/usr/bin/python3
"""Golden fixture for the NNCLR head and one contrastive-tuning head step (MAE-CT stage 3), in PyTorch.

Mirrors ml-jku/MAE-CT `NnclrEmaQueueHead` + `nnclr_loss_fn` + `ContrastiveHeadBase.find_nn/dequeue_and_enqueue`
(re-implemented here, not copied) on fixed inputs:
  pooled [2B, E] encoder features (view-major), online projector/predictor, a target (EMA) projector that
  differs from the online one, a queue with ids (one entry per view-0 sample id, to test self-exclusion),
  top-k = 3 with fixed dice.
One step: target projections (train-mode BN, per view) -> normalise -> top-k lookup (own sample at -1) ->
symmetric NNCLR loss of the online predictions -> backward -> torch.optim.AdamW (betas 0.9/0.95, wd on
matrices only, as the reference's exclude_bias/norm rule) -> target EMA (factor 0.9; buffers copied) ->
enqueue view-0 target projections.

All in float64. Writes ../../maect-samediff/src/test/resources/golden/nnclr/ct_head_step.json.
Run: /usr/bin/python3 tools/golden/nnclr_reference.py (Debian python3-torch)
"""
import copy
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)

B, E, PH, QH, O, Q, K = 6, 8, 16, 24, 8, 32, 3
TAU, LR, WD, TARGET_FACTOR, MOMENTUM = 0.2, 1e-3, 1e-5, 0.9, 0.1


def projector():
    return nn.Sequential(
        nn.Linear(E, PH, bias=False), nn.BatchNorm1d(PH), nn.ReLU(),
        nn.Linear(PH, PH, bias=False), nn.BatchNorm1d(PH), nn.ReLU(),
        nn.Linear(PH, O, bias=False), nn.BatchNorm1d(O))


def predictor():
    return nn.Sequential(nn.Linear(O, QH, bias=False), nn.BatchNorm1d(QH), nn.ReLU(), nn.Linear(QH, O, bias=False))


def randomise_bn(m):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm1d):
            with torch.no_grad():
                mod.weight.copy_(1 + 0.3 * torch.randn_like(mod.weight))
                mod.bias.copy_(0.2 * torch.randn_like(mod.bias))
                mod.running_mean.copy_(0.1 * torch.randn_like(mod.running_mean))
                mod.running_var.copy_(1 + 0.2 * torch.rand_like(mod.running_var))


proj, pred, target = projector(), predictor(), projector()
randomise_bn(proj)
randomise_bn(pred)
target.load_state_dict(proj.state_dict())
with torch.no_grad():  # a target that has drifted from the online projector
    for p in target.parameters():
        p.add_(0.05 * torch.randn_like(p))

state0 = {f"projector.{k}": v.clone() for k, v in proj.state_dict().items() if "num_batches" not in k}
state0.update({f"predictor.{k}": v.clone() for k, v in pred.state_dict().items() if "num_batches" not in k})
state0.update({f"target_projector.{k}": v.clone() for k, v in target.state_dict().items() if "num_batches" not in k})

pooled = torch.randn(2 * B, E)
pooled[B:] += 0.5 * pooled[:B]  # views of the same image are correlated
ids = torch.arange(100, 100 + B)
labels = torch.tensor([0, 1, 2, 0, 1, 2])
queue = F.normalize(torch.randn(Q, O), dim=1)
queue_ids = -torch.ones(Q, dtype=torch.long)
queue_labels = -torch.ones(Q, dtype=torch.long)
queue_ids[[3, 7, 11, 20, 25, 30]] = ids  # each sample has an older entry in the queue
queue_labels[[3, 7, 11, 20, 25, 30]] = labels
queue_ids[[0, 1, 2]] = torch.tensor([50, 51, 52])
queue_labels[[0, 1, 2]] = torch.tensor([2, 1, 0])
queue_ptr = 28  # the enqueue of B=6 wraps around
# make the own-sample entries the most similar ones, so self-exclusion matters
with torch.no_grad():
    probe = copy.deepcopy(target)  # train-mode forward updates running stats: use a copy
    t_all = F.normalize(torch.cat([probe(pooled[:B]), probe(pooled[B:])]), dim=1)
    for i, slot in enumerate([3, 7, 11, 20, 25, 30]):
        queue[slot] = F.normalize(t_all[i] + 0.05 * torch.randn(O), dim=0)
queue0, queue_ids0, queue_labels0 = queue.clone(), queue_ids.clone(), queue_labels.clone()
dice = torch.tensor([[0, 1, 2, 2, 1, 0], [1, 1, 0, 2, 0, 2]])

proj.train(); pred.train(); target.train()
opt = torch.optim.AdamW(
    [{"params": [p for n, p in list(proj.named_parameters()) + list(pred.named_parameters()) if p.ndim > 1],
      "weight_decay": WD},
     {"params": [p for n, p in list(proj.named_parameters()) + list(pred.named_parameters()) if p.ndim <= 1],
      "weight_decay": 0.0}],
    lr=LR, betas=(0.9, 0.95), eps=1e-8)

pooled_req = pooled.clone().requires_grad_(True)
outs = []
for v in range(2):  # one head forward per view (per-view BN statistics)
    x = pooled_req[v * B:(v + 1) * B]
    with torch.no_grad():
        t = target(x)
    p = pred(proj(x))
    outs.append((t, p))


def find_nn(normed, k, d):
    sim = normed @ queue.T
    sim[queue_ids[None, :] == ids[:, None]] = -1.0
    cand = sim.topk(k, dim=1)[1]
    idx = cand[torch.arange(len(normed)), d]
    return idx, queue[idx], sim


n0 = F.normalize(outs[0][0], dim=-1)
n1 = F.normalize(outs[1][0], dim=-1)
idx0, nn0, sim0 = find_nn(n0, K, dice[0])
idx1, nn1, _ = find_nn(n1, K, dice[1])


def nnclr_loss(predicted, nn_):
    logits = nn_ @ F.normalize(predicted, dim=-1).T / TAU
    return F.cross_entropy(logits, torch.arange(len(nn_)))


loss = (nnclr_loss(outs[0][1], nn1) + nnclr_loss(outs[1][1], nn0)) / 2
nn_acc = (queue_labels[idx0] == labels).double().mean().item()
opt.zero_grad()
loss.backward()
grads = {f"projector.{n}": p.grad.clone() for n, p in proj.named_parameters()}
grads.update({f"predictor.{n}": p.grad.clone() for n, p in pred.named_parameters()})
grad_pooled = pooled_req.grad.clone()
opt.step()
with torch.no_grad():  # EMA of the target projector (parameters blended, buffers copied)
    for tp, sp in zip(target.parameters(), proj.parameters()):
        tp.mul_(TARGET_FACTOR).add_(sp * (1 - TARGET_FACTOR))
    for tb, sb in zip(target.buffers(), proj.buffers()):
        tb.copy_(sb)
    for i in range(B):  # enqueue view-0 target projections
        j = (queue_ptr + i) % Q
        queue[j] = n0[i]
        queue_ids[j] = ids[i]
        queue_labels[j] = labels[i]

state1 = {f"projector.{k}": v for k, v in proj.state_dict().items() if "num_batches" not in k}
state1.update({f"predictor.{k}": v for k, v in pred.state_dict().items() if "num_batches" not in k})
state1.update({f"target_projector.{k}": v for k, v in target.state_dict().items() if "num_batches" not in k})


def arr(t):
    return {"shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


fixture = {
    "about": "tools/golden/nnclr_reference.py (PyTorch %s, float64)" % torch.__version__,
    "config": {"B": B, "E": E, "projHidden": PH, "predHidden": QH, "out": O, "queueSize": Q, "topK": K,
               "temperature": TAU, "lr": LR, "weightDecay": WD, "targetFactor": TARGET_FACTOR,
               "bnMomentum": MOMENTUM, "bnEps": 1e-5, "betas": [0.9, 0.95], "adamEps": 1e-8},
    "pooled": arr(pooled), "ids": ids.tolist(), "labels": labels.tolist(),
    "queue": arr(queue0), "queueIds": queue_ids0.tolist(), "queueLabels": queue_labels0.tolist(),
    "queuePtr": queue_ptr,
    "dice": dice.tolist(),
    "state0": {k: arr(v) for k, v in state0.items()},
    "expected": {
        "loss": loss.item(), "nnAccuracy": nn_acc, "idx0": idx0.tolist(), "idx1": idx1.tolist(),
        "targetProjected": arr(torch.cat([outs[0][0], outs[1][0]])),
        "predicted": arr(torch.cat([outs[0][1], outs[1][1]])),
        "grads": {k: arr(v) for k, v in grads.items()}, "gradPooled": arr(grad_pooled),
        "state1": {k: arr(v) for k, v in state1.items()},
        "queue": arr(queue), "queueIds": queue_ids.tolist(), "queueLabels": queue_labels.tolist(),
        "queuePtr": (queue_ptr + B) % Q,
    },
}
out = os.path.join(os.path.dirname(__file__), "../../maect-samediff/src/test/resources/golden/nnclr")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "ct_head_step.json"), "w") as f:
    json.dump(fixture, f)
print("loss", loss.item(), "idx0", idx0.tolist(), "idx1", idx1.tolist(), "nn_acc", nn_acc)
