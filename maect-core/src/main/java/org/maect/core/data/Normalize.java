package org.maect.core.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Per-channel normalisation {@code (x - mean[k]) / std[k]}. A single mean/std applies to every channel.
 *
 * <p>Dataset statistics ({@link #forDataset}) are those of the training split, computed by
 * {@code ./maect data} (Fashion-MNIST: 0.2860 / 0.3530).
 */
public record Normalize(double[] mean, double[] std) implements SizePreservingTransform {
  /** ImageNet statistics (the usual default for RGB data). */
  public static final Normalize IMAGENET =
      new Normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});

  public Normalize {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "Invalid normalisation: mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std));
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("Invalid normalisation std: " + Arrays.toString(std));
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** A copy of the per-channel means. */
  @Override
  public double[] mean() {
    return mean.clone();
  }

  /** A copy of the per-channel standard deviations. */
  @Override
  public double[] std() {
    return std.clone();
  }

  /**
   * Training-split statistics for a built-in dataset; ImageNet statistics for anything else (image
   * folders).
   */
  public static Normalize forDataset(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "fashion-mnist":
      case "fashionmnist":
      case "fashion_mnist":
        return new Normalize(new double[] {0.2860}, new double[] {0.3530});
      case "mnist":
        return new Normalize(new double[] {0.1307}, new double[] {0.3081});
      case "cifar10":
      case "cifar-10":
        return new Normalize(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.2470, 0.2435, 0.2616});
      case "cifar100":
      case "cifar-100":
        return new Normalize(new double[] {0.5071, 0.4865, 0.4409}, new double[] {0.2673, 0.2564, 0.2762});
      default:
        return IMAGENET;
    }
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    if (mean.length != 1 && mean.length != c) {
      throw new IllegalArgumentException("Normalize has " + mean.length + " channels, image has " + c);
    }
    int hw = h * w;
    for (int k = 0; k < c; k++) {
      float m = (float) mean[mean.length == 1 ? 0 : k];
      float inv = (float) (1.0 / std[std.length == 1 ? 0 : k]);
      for (int i = k * hw, e = i + hw; i < e; i++) {
        dst[dstOff + i] = (src[i] - m) * inv;
      }
    }
  }

  /** Undoes the normalisation in place (for drawing normalised images). */
  public void invert(float[] x, int off, int c, int h, int w) {
    int hw = h * w;
    for (int k = 0; k < c; k++) {
      double m = mean[mean.length == 1 ? 0 : k];
      double s = std[std.length == 1 ? 0 : k];
      for (int i = off + k * hw, e = i + hw; i < e; i++) {
        x[i] = (float) (x[i] * s + m);
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
