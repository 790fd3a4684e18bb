package org.maect.core.data;

import java.util.SplittableRandom;

/**
 * With probability {@code p}, blurs with a separable Gaussian of odd {@code kernelSize} and
 * {@code sigma ~ U[sigmaMin, sigmaMax]} (torchvision {@code GaussianBlur}: kernel taps at integer offsets,
 * normalised to sum 1; borders reflected without repeating the edge pixel). BYOL uses a kernel of about
 * 10% of the image side ({@link #forImageSize}) and sigma in [0.1, 2.0].
 */
public record GaussianBlur(int kernelSize, double sigmaMin, double sigmaMax, double p)
    implements SizePreservingTransform {
  public GaussianBlur {
    if (kernelSize < 1 || kernelSize % 2 == 0) {
      throw new IllegalArgumentException("Invalid blur kernel size (must be odd and positive): " + kernelSize);
    }
    if (!(sigmaMin > 0 && sigmaMin <= sigmaMax)) {
      throw new IllegalArgumentException("Invalid blur sigma range: [" + sigmaMin + ", " + sigmaMax + "]");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Invalid blur probability: " + p);
    }
  }

  /** BYOL's blur for {@code size x size} images: kernel ~10% of the side (odd, at least 3), sigma [0.1, 2]. */
  public static GaussianBlur forImageSize(int size, double p) {
    int k = (int) Math.round(0.1 * size);
    k = Math.max(3, k % 2 == 0 ? k + 1 : k);
    return new GaussianBlur(k, 0.1, 2.0, p);
  }

  @Override
  public void apply(float[] src, int c, int h, int w, float[] dst, int dstOff, SplittableRandom rng) {
    boolean blur = rng.nextDouble() < p;
    double sigma = sigmaMin + (sigmaMax - sigmaMin) * rng.nextDouble();
    if (!blur) {
      System.arraycopy(src, 0, dst, dstOff, c * h * w);
      return;
    }
    blur(src, c, h, w, dst, dstOff, kernel(kernelSize, sigma));
  }

  /** The normalised 1-d kernel {@code exp(-x^2 / (2 sigma^2))}, x = -(k-1)/2 .. (k-1)/2. */
  public static double[] kernel(int k, double sigma) {
    double[] g = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      double x = i - (k - 1) / 2.0;
      g[i] = Math.exp(-0.5 * (x / sigma) * (x / sigma));
      sum += g[i];
    }
    for (int i = 0; i < k; i++) {
      g[i] /= sum;
    }
    return g;
  }

  static void blur(float[] src, int c, int h, int w, float[] dst, int dstOff, double[] g) {
    int r = g.length / 2;
    float[] tmp = new float[h * w];
    for (int k = 0; k < c; k++) {
      int base = k * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int t = -r; t <= r; t++) {
            s += g[t + r] * src[base + y * w + reflect(x + t, w)];
          }
          tmp[y * w + x] = (float) s;
        }
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double s = 0;
          for (int t = -r; t <= r; t++) {
            s += g[t + r] * tmp[reflect(y + t, h) * w + x];
          }
          dst[dstOff + base + y * w + x] = (float) s;
        }
      }
    }
  }

  /** Reflect padding without edge repeat: -1 -> 1, n -> n-2. */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }
}
