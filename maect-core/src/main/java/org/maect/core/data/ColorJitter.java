package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * Random brightness, contrast, saturation and hue changes in a random order (torchvision
 * {@code ColorJitter}): factors {@code b, c, s ~ U[max(0, 1-x), 1+x]}, hue shift {@code ~ U[-hue, hue]}
 * (fraction of the colour wheel, at most 0.5).
 *
 * <ul>
 *   <li>brightness: {@code clamp(b * x)};
 *   <li>contrast: {@code clamp(c * x + (1 - c) * mean(gray(x)))} (mean over the whole image);
 *   <li>saturation: {@code clamp(s * x + (1 - s) * gray(x))}, gray = 0.299 R + 0.587 G + 0.114 B;
 *   <li>hue: rotate H in HSV space.
 * </ul>
 *
 * <p>Grey (1-channel) images: brightness and contrast apply as above (gray(x) = x); saturation and hue
 * have no meaning without chroma and are identities (their factors are still drawn, so the rng stream is
 * the same for grey and colour images).
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hue)
    implements SizePreservingTransform {
  public ColorJitter {
    if (!(brightness >= 0 && contrast >= 0 && saturation >= 0 && hue >= 0 && hue <= 0.5)) {
      throw new IllegalArgumentException(
          "Invalid colour jitter: brightness " + brightness + ", contrast " + contrast + ", saturation "
              + saturation + ", hue " + hue + " (all >= 0, hue <= 0.5)");
    }
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    int[] order = {0, 1, 2, 3};
    for (int i = 3; i > 0; i--) { // Fisher-Yates
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    double b = factor(rng, brightness);
    double ct = factor(rng, contrast);
    double s = factor(rng, saturation);
    double hu = hue > 0 ? -hue + 2 * hue * rng.nextDouble() : 0;
    int n = c * h * w;
    System.arraycopy(src, 0, dst, dstOff, n);
    for (int op : order) {
      switch (op) {
        case 0 -> {
          if (brightness > 0) {
            ColorOps.brightness(dst, dstOff, n, b);
          }
        }
        case 1 -> {
          if (contrast > 0) {
            ColorOps.contrast(dst, dstOff, c, h, w, ct);
          }
        }
        case 2 -> {
          if (saturation > 0 && c == 3) {
            ColorOps.saturation(dst, dstOff, h, w, s);
          }
        }
        default -> {
          if (hue > 0 && c == 3) {
            ColorOps.hue(dst, dstOff, h, w, hu);
          }
        }
      }
    }
  }

  private static double factor(SplittableRandom rng, double x) {
    if (x <= 0) {
      return 1;
    }
    double lo = Math.max(0, 1 - x);
    return lo + (1 + x - lo) * rng.nextDouble();
  }
}
