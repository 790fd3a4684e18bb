package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * Crops a random region and resizes it to {@code size x size} with {@code filter} (bicubic by default, as
 * MAE and MAE-CT; antialiased when shrinking; results clamped to [0,1]); torchvision's
 * {@code RandomResizedCrop} semantics.
 *
 * <p>Up to 10 attempts draw an area fraction uniformly from {@code [scaleMin, scaleMax]} and a log-uniform
 * aspect ratio (w/h) from {@code [ratioMin, ratioMax]}; {@code w = round(sqrt(A*r))}, {@code h = round(sqrt(A/r))};
 * the first box that fits is placed uniformly. If none fits, the fallback is a centre crop: the whole image
 * when its aspect ratio is within the range, otherwise the largest centred box with the nearest allowed
 * ratio.
 *
 * @param size output height and width
 */
public record RandomResizedCrop(
    int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax, Resample.Filter filter)
    implements ImageTransform {
  /** A crop box in input pixels. */
  public record Box(int top, int left, int height, int width) {}

  public RandomResizedCrop {
    if (size <= 0) {
      throw new IllegalArgumentException("Invalid crop size: " + size);
    }
    if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
      throw new IllegalArgumentException("Invalid scale range: [" + scaleMin + ", " + scaleMax + "]");
    }
    if (!(ratioMin > 0 && ratioMin <= ratioMax)) {
      throw new IllegalArgumentException("Invalid ratio range: [" + ratioMin + ", " + ratioMax + "]");
    }
    java.util.Objects.requireNonNull(filter, "filter");
  }

  /** Bicubic. */
  public RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
    this(size, scaleMin, scaleMax, ratioMin, ratioMax, Resample.Filter.BICUBIC);
  }

  /** Scale range {@code [scaleMin, scaleMax]}, ratio {@code [3/4, 4/3]}, bicubic. */
  public RandomResizedCrop(int size, double scaleMin, double scaleMax) {
    this(size, scaleMin, scaleMax, 3.0 / 4.0, 4.0 / 3.0);
  }

  /** Draws a crop box for an {@code h x w} image (exposed for tests). */
  public Box sample(int h, int w, SplittableRandom rng) {
    double area = (double) h * w;
    double logLo = Math.log(ratioMin);
    double logHi = Math.log(ratioMax);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * uniform(rng, scaleMin, scaleMax);
      double ratio = Math.exp(uniform(rng, logLo, logHi));
      int cw = (int) Math.round(Math.sqrt(target * ratio));
      int ch = (int) Math.round(Math.sqrt(target / ratio));
      if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
        int top = rng.nextInt(h - ch + 1);
        int left = rng.nextInt(w - cw + 1);
        return new Box(top, left, ch, cw);
      }
    }
    return fallback(h, w);
  }

  /** The centre crop used after 10 failed attempts. */
  public Box fallback(int h, int w) {
    double inRatio = (double) w / h;
    int cw;
    int ch;
    if (inRatio < ratioMin) {
      cw = w;
      ch = (int) Math.round(w / ratioMin);
    } else if (inRatio > ratioMax) {
      ch = h;
      cw = (int) Math.round(h * ratioMax);
    } else {
      cw = w;
      ch = h;
    }
    return new Box((h - ch) / 2, (w - cw) / 2, ch, cw);
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
  }

  @Override
  public int outChannels() {
    return SAME;
  }

  @Override
  public int outHeight() {
    return size;
  }

  @Override
  public int outWidth() {
    return size;
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    Box b = sample(h, w, rng);
    Resample.resizeClamped(filter, src, c, h, w, b.top(), b.left(), b.height(), b.width(), dst, dstOff, size, size);
  }
}
