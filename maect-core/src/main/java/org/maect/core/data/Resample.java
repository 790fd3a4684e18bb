package org.maect.core.data;

/**
 * Separable resampling of a CHW crop with PIL's filters, antialiased when shrinking (the filter is widened
 * by the scale factor), as PIL's {@code resize} and PyTorch's
 * {@code interpolate(align_corners=False, antialias=True)}: half-pixel centres, taps outside the image
 * dropped and the remaining weights renormalised. When enlarging, bilinear equals PyTorch's plain
 * {@code interpolate(mode="bilinear", align_corners=False)}. Bicubic uses Keys' cubic with a = -0.5 (PIL)
 * and can overshoot [0,1]; callers clamp.
 */
public final class Resample {
  private Resample() {}

  /** Interpolation filter. */
  public enum Filter {
    /** Triangle filter, support 1. */
    BILINEAR(1.0),
    /** Keys' cubic convolution with a = -0.5, support 2 (PIL {@code BICUBIC}; MAE / MAE-CT crops). */
    BICUBIC(2.0);

    final double support;

    Filter(double support) {
      this.support = support;
    }

    double weight(double x) {
      double t = Math.abs(x);
      if (this == BILINEAR) {
        return t < 1 ? 1 - t : 0;
      }
      double a = -0.5;
      if (t < 1) {
        return ((a + 2) * t - (a + 3)) * t * t + 1;
      }
      if (t < 2) {
        return (((t - 5) * t + 8) * t - 4) * a;
      }
      return 0;
    }
  }

  /** {@link #resize} then clamp the output to [0,1] (as PIL does when it rounds to 8 bits). */
  public static void resizeClamped(Filter filter,
      float[] src, int c, int h, int w, int top, int left, int ch, int cw, float[] dst, int off, int oh, int ow) {
    resize(filter, src, c, h, w, top, left, ch, cw, dst, off, oh, ow);
    if (filter != Filter.BILINEAR) { // bilinear weights are convex: no overshoot
      for (int i = off, e = off + c * oh * ow; i < e; i++) {
        dst[i] = dst[i] < 0 ? 0 : dst[i] > 1 ? 1 : dst[i];
      }
    }
  }

  /** Bilinear {@link #resize}. */
  public static void bilinear(
      float[] src, int c, int h, int w, int top, int left, int ch, int cw, float[] dst, int off, int oh, int ow) {
    resize(Filter.BILINEAR, src, c, h, w, top, left, ch, cw, dst, off, oh, ow);
  }

  /**
   * Resizes {@code src[:, top:top+ch, left:left+cw]} (of a {@code [c, h, w]} image) to {@code [c, oh, ow]} at
   * {@code dst[off..]}.
   */
  public static void resize(Filter filter,
      float[] src, int c, int h, int w, int top, int left, int ch, int cw, float[] dst, int off, int oh, int ow) {
    if (top < 0 || left < 0 || ch <= 0 || cw <= 0 || top + ch > h || left + cw > w) {
      throw new IllegalArgumentException(
          "crop [" + top + ", " + left + ", " + ch + ", " + cw + "] outside image " + h + "x" + w);
    }
    Weights wx = weights(filter, cw, ow);
    Weights wy = weights(filter, ch, oh);
    float[] tmp = new float[ch * ow]; // one channel after the horizontal pass: (ch, ow)
    for (int k = 0; k < c; k++) {
      int base = k * h * w;
      for (int y = 0; y < ch; y++) {
        int row = base + (top + y) * w + left;
        for (int x = 0; x < ow; x++) {
          double s = 0;
          int j0 = wx.start[x];
          for (int t = 0; t < wx.len[x]; t++) {
            s += wx.w[x * wx.stride + t] * src[row + j0 + t];
          }
          tmp[y * ow + x] = (float) s;
        }
      }
      int out = off + k * oh * ow;
      for (int y = 0; y < oh; y++) {
        int i0 = wy.start[y];
        for (int x = 0; x < ow; x++) {
          double s = 0;
          for (int t = 0; t < wy.len[y]; t++) {
            s += wy.w[y * wy.stride + t] * tmp[(i0 + t) * ow + x];
          }
          dst[out + y * ow + x] = (float) s;
        }
      }
    }
  }

  /** Per output index: first input index, number of taps, normalised weights. */
  private record Weights(int[] start, int[] len, double[] w, int stride) {}

  private static Weights weights(Filter filter, int in, int out) {
    double scale = (double) in / out;
    double fscale = scale > 1 ? scale : 1.0; // the filter is widened by the scale factor when shrinking
    double support = filter.support * fscale;
    int stride = (int) Math.ceil(support) * 2 + 2;
    int[] start = new int[out];
    int[] len = new int[out];
    double[] w = new double[out * stride];
    for (int i = 0; i < out; i++) {
      double centre = (i + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(centre - support));
      int hi = Math.min(in, (int) Math.ceil(centre + support));
      double total = 0;
      int n = 0;
      for (int j = lo; j < hi && n < stride; j++) {
        double v = filter.weight((j + 0.5 - centre) / fscale);
        w[i * stride + n] = v;
        total += v;
        n++;
      }
      // trim leading zero-weight taps so start points at the first contributing pixel
      int first = 0;
      while (first < n - 1 && w[i * stride + first] == 0) {
        first++;
      }
      if (first > 0) {
        System.arraycopy(w, i * stride + first, w, i * stride, n - first);
        n -= first;
        lo += first;
      }
      for (int t = 0; t < n; t++) {
        w[i * stride + t] /= total;
      }
      start[i] = lo;
      len[i] = n;
    }
    return new Weights(start, len, w, stride);
  }
}
