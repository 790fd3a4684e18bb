package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * With probability {@code p}, inverts every value at or above {@code threshold}: {@code x >= t ? 1 - x : x}
 * (torchvision {@code RandomSolarize}; BYOL uses t = 0.5). Works the same for grey and RGB images.
 */
public record Solarize(double threshold, double p) implements SizePreservingTransform {
  public Solarize {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Invalid solarise probability: " + p);
    }
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    boolean on = rng.nextDouble() < p;
    int n = c * h * w;
    float t = (float) threshold;
    for (int i = 0; i < n; i++) {
      float v = src[i];
      dst[dstOff + i] = on && v >= t ? 1 - v : v;
    }
  }
}
