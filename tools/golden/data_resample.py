"""Golden values for org.maect.core.data.Resample / GaussianBlur (run with a Python that has torch).

    /usr/bin/python3 tools/golden/data_resample.py > maect-core/src/test/resources/golden/data/resample.json

Resample: torch.nn.functional.interpolate(mode="bilinear"|"bicubic", align_corners=False, antialias=True) on
a crop (the op torchvision's resized_crop / resize use on tensors with antialias=True; it follows PIL, whose
bicubic is Keys' cubic with a = -0.5). No clamping: the Java transforms clamp afterwards.
Blur: torchvision's gaussian_blur semantics re-stated with torch ops (1-d kernel exp(-x^2/2s^2) normalised,
reflect padding, separable conv), since torchvision is not installed here.
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = []
for (c, h, w, top, left, ch, cw, oh, ow) in [
    (1, 28, 28, 3, 5, 17, 12, 28, 28),   # enlarge (MAE-CT crop on Fashion-MNIST)
    (3, 20, 24, 0, 0, 20, 24, 9, 11),    # shrink, antialiased
    (2, 13, 9, 2, 1, 10, 7, 10, 7),      # identity size
    (3, 16, 16, 4, 0, 8, 16, 12, 5),     # mixed: enlarge rows, shrink columns
]:
    x = torch.rand(c, h, w, dtype=torch.float64)
    crop = x[:, top:top + ch, left:left + cw].unsqueeze(0)
    for mode in ("bilinear", "bicubic"):
        y = F.interpolate(crop, size=(oh, ow), mode=mode, align_corners=False, antialias=True)[0]
        cases.append(dict(filter=mode.upper(), c=c, h=h, w=w, top=top, left=left, ch=ch, cw=cw, oh=oh, ow=ow,
                          input=x.flatten().tolist(), output=y.flatten().tolist()))

blurs = []
for (c, h, w, k, sigma) in [(1, 10, 12, 3, 0.8), (3, 9, 7, 5, 1.7)]:
    x = torch.rand(c, h, w, dtype=torch.float64)
    r = torch.arange(k, dtype=torch.float64) - (k - 1) / 2
    g = torch.exp(-0.5 * (r / sigma) ** 2)
    g = g / g.sum()
    kern = (g[:, None] * g[None, :]).expand(c, 1, k, k)
    p = k // 2
    xp = F.pad(x.unsqueeze(0), (p, p, p, p), mode="reflect")
    y = F.conv2d(xp, kern, groups=c)[0]
    blurs.append(dict(c=c, h=h, w=w, k=k, sigma=sigma, input=x.flatten().tolist(), output=y.flatten().tolist()))

print(json.dumps(dict(resample=cases, blur=blurs)))
