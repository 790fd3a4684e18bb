package org.maect.core.data;

import java.util.SplittableRandom;

/** Mirrors the image left-right with probability {@code p} (one draw from the rng per image). */
public record RandomHorizontalFlip(double p) implements SizePreservingTransform {
  public RandomHorizontalFlip {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Invalid flip probability: " + p);
    }
  }

  public RandomHorizontalFlip() {
    this(0.5);
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    boolean flip = rng.nextDouble() < p;
    if (!flip) {
      System.arraycopy(src, 0, dst, dstOff, c * h * w);
      return;
    }
    flip(src, c, h, w, dst, dstOff);
  }

  /** Unconditional left-right mirror: {@code dst[k, y, x] = src[k, y, w-1-x]}. */
  public static void flip(float[] src, int c, int h, int w, float[] dst, int dstOff) {
    for (int row = 0; row < c * h; row++) {
      int s = row * w;
      int d = dstOff + row * w;
      for (int x = 0; x < w; x++) {
        dst[d + x] = src[s + w - 1 - x];
      }
    }
  }
}
