package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * With probability {@code p}, replaces an RGB image by its grey version (0.299 R + 0.587 G + 0.114 B) in all
 * three channels (the channel count is kept, as torchvision). Grey (1-channel) images are returned
 * unchanged (the probability is still drawn).
 */
public record RandomGrayscale(double p) implements SizePreservingTransform {
  public RandomGrayscale {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Invalid grayscale probability: " + p);
    }
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    boolean gray = rng.nextDouble() < p;
    System.arraycopy(src, 0, dst, dstOff, c * h * w);
    if (gray && c == 3) {
      ColorOps.grayscale(dst, dstOff, h, w);
    }
  }
}
