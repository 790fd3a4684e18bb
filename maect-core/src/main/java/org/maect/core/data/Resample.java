package org.maect.core.data;

/**
 * Bilinear resampling of a CHW crop, antialiased when shrinking (a triangle filter widened by the scale
 * factor, as PIL's {@code BILINEAR} and torchvision's {@code antialias=True}); when enlarging it equals
 * PyTorch's {@code interpolate(mode="bilinear", align_corners=False)} (half-pixel centres, edges clamped).
 */
public final class Resample {
  private Resample() {}

  /**
   * Resizes {@code src[:, top:top+ch, left:left+cw]} (of a {@code [c, h, w]} image) to {@code [c, oh, ow]} at
   * {@code dst[off..]}.
   */
  public static void bilinear(
      float[] src, int c, int h, int w, int top, int left, int ch, int cw, float[] dst, int off, int oh, int ow) {
    if (top < 0 || left < 0 || ch <= 0 || cw <= 0 || top + ch > h || left + cw > w) {
      throw new IllegalArgumentException(
          "crop [" + top + ", " + left + ", " + ch + ", " + cw + "] outside image " + h + "x" + w);
    }
    Weights wx = weights(cw, ow);
    Weights wy = weights(ch, oh);
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

  private static Weights weights(int in, int out) {
    double scale = (double) in / out;
    double support = scale > 1 ? scale : 1.0; // triangle filter support 1, widened when shrinking
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
        double t = 1 - Math.abs((j + 0.5 - centre) / support);
        double v = t > 0 ? t : 0;
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
