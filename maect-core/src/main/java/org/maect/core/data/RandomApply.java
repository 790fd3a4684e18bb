package org.maect.core.data;

import java.util.SplittableRandom;

/** Applies {@code transform} with probability {@code p}, otherwise copies (torchvision {@code RandomApply}). */
public record RandomApply(ImageTransform transform, double p) implements ImageTransform {
  public RandomApply {
    java.util.Objects.requireNonNull(transform, "transform");
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Invalid apply probability: " + p);
    }
  }

  @Override
  public int outChannels() {
    return transform.outChannels();
  }

  @Override
  public int outHeight() {
    return transform.outHeight();
  }

  @Override
  public int outWidth() {
    return transform.outWidth();
  }

  @Override
  public int[] outShape(int c, int h, int w) {
    int[] s = transform.outShape(c, h, w);
    if (s[0] != c || s[1] != h || s[2] != w) {
      throw new IllegalStateException("RandomApply needs a shape-preserving transform, got " + transform);
    }
    return s;
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    if (rng.nextDouble() < p) {
      transform.apply(src, c, h, w, dst, dstOff, rng);
    } else {
      System.arraycopy(src, 0, dst, dstOff, c * h * w);
    }
  }
}
