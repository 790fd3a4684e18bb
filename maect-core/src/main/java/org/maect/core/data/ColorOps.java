package org.maect.core.data;

/** In-place colour operations on CHW images in [0,1] (torchvision's functional semantics). */
final class ColorOps {
  static final float WR = 0.299f;
  static final float WG = 0.587f;
  static final float WB = 0.114f;

  private ColorOps() {}

  static float clamp(double v) {
    return (float) (v < 0 ? 0 : v > 1 ? 1 : v);
  }

  static void brightness(float[] x, int off, int n, double f) {
    for (int i = off; i < off + n; i++) {
      x[i] = clamp(f * x[i]);
    }
  }

  /** Mean of the grey image (the image itself for 1 channel). */
  static double grayMean(float[] x, int off, int c, int h, int w) {
    int hw = h * w;
    double s = 0;
    if (c == 3) {
      for (int i = 0; i < hw; i++) {
        s += WR * x[off + i] + WG * x[off + hw + i] + WB * x[off + 2 * hw + i];
      }
    } else {
      for (int i = 0; i < c * hw; i++) {
        s += x[off + i];
      }
      return s / (c * hw);
    }
    return s / hw;
  }

  static void contrast(float[] x, int off, int c, int h, int w, double f) {
    double m = grayMean(x, off, c, h, w);
    for (int i = off; i < off + c * h * w; i++) {
      x[i] = clamp(f * x[i] + (1 - f) * m);
    }
  }

  static void saturation(float[] x, int off, int h, int w, double f) {
    int hw = h * w;
    for (int i = 0; i < hw; i++) {
      double g = WR * x[off + i] + WG * x[off + hw + i] + WB * x[off + 2 * hw + i];
      for (int k = 0; k < 3; k++) {
        int j = off + k * hw + i;
        x[j] = clamp(f * x[j] + (1 - f) * g);
      }
    }
  }

  /** Replaces each RGB pixel by its grey value in all three channels. */
  static void grayscale(float[] x, int off, int h, int w) {
    int hw = h * w;
    for (int i = 0; i < hw; i++) {
      float g = WR * x[off + i] + WG * x[off + hw + i] + WB * x[off + 2 * hw + i];
      x[off + i] = g;
      x[off + hw + i] = g;
      x[off + 2 * hw + i] = g;
    }
  }

  /** Shifts hue by {@code shift} (fraction of a turn) via HSV. */
  static void hue(float[] x, int off, int h, int w, double shift) {
    int hw = h * w;
    for (int i = 0; i < hw; i++) {
      double r = x[off + i];
      double g = x[off + hw + i];
      double b = x[off + 2 * hw + i];
      double max = Math.max(r, Math.max(g, b));
      double min = Math.min(r, Math.min(g, b));
      double v = max;
      double d = max - min;
      if (d <= 0) {
        continue; // grey pixel: hue undefined, unchanged
      }
      double s = d / max;
      double hh;
      if (max == r) {
        hh = ((g - b) / d) / 6.0;
      } else if (max == g) {
        hh = (2.0 + (b - r) / d) / 6.0;
      } else {
        hh = (4.0 + (r - g) / d) / 6.0;
      }
      hh = hh + shift;
      hh -= Math.floor(hh);
      // HSV -> RGB
      double h6 = hh * 6.0;
      int sector = (int) Math.floor(h6) % 6;
      double f = h6 - Math.floor(h6);
      double p = v * (1 - s);
      double q = v * (1 - s * f);
      double t = v * (1 - s * (1 - f));
      double nr;
      double ng;
      double nb;
      switch (sector) {
        case 0 -> { nr = v; ng = t; nb = p; }
        case 1 -> { nr = q; ng = v; nb = p; }
        case 2 -> { nr = p; ng = v; nb = t; }
        case 3 -> { nr = p; ng = q; nb = v; }
        case 4 -> { nr = t; ng = p; nb = v; }
        default -> { nr = v; ng = p; nb = q; }
      }
      x[off + i] = clamp(nr);
      x[off + hw + i] = clamp(ng);
      x[off + 2 * hw + i] = clamp(nb);
    }
  }
}
