package org.maect.eval.cluster;

import org.maect.eval.linalg.FloatPanels;
import org.maect.eval.linalg.Gemm;
import org.maect.eval.linalg.Parallel;

/**
 * Assigns rows to their nearest centre by {@code argmin_c |c|² - 2 x·c} (the |x|² term is common),
 * computed blockwise with the packed dot kernel.
 *
 * <p>Shapes: x {@code [n, d]} flat, centres {@code [k, d]} flat.
 */
final class NearestCenter {
  private static final int BLOCK = 256;

  private NearestCenter() {}

  /** Labels of rows {@code rows[0..m)} (indices into x), or of all rows when {@code rows == null}. */
  static int[] assign(float[] x, int n, int d, int[] rows, float[] centers, int k) {
    return assign(x, n, d, rows, centers, k, null);
  }

  /** As {@link #assign(float[], int, int, int[], float[], int)}, packing the centres into {@code packBuf}. */
  static int[] assign(float[] x, int n, int d, int[] rows, float[] centers, int k, float[] packBuf) {
    int m = rows == null ? n : rows.length;
    FloatPanels panels = FloatPanels.pack(centers, k, d, packBuf);
    float[] cNorm = new float[k];
    for (int c = 0; c < k; c++) {
      double s = 0;
      for (int j = 0; j < d; j++) s += (double) centers[c * d + j] * centers[c * d + j];
      cNorm[c] = (float) s;
    }
    int ldc = panels.paddedN();
    int[] labels = new int[m];
    Parallel.forRange(
        (m + BLOCK - 1) / BLOCK,
        1,
        (b0, b1) -> {
          float[] a = new float[BLOCK * d];
          float[] dots = new float[BLOCK * ldc];
          for (int b = b0; b < b1; b++) {
            int r0 = b * BLOCK, cnt = Math.min(BLOCK, m - r0);
            for (int r = 0; r < cnt; r++) {
              int src = rows == null ? r0 + r : rows[r0 + r];
              System.arraycopy(x, src * d, a, r * d, d);
            }
            Gemm.abt(a, cnt, d, panels, dots, ldc, false);
            for (int r = 0; r < cnt; r++) {
              int off = r * ldc, best = 0;
              float bestV = cNorm[0] - 2 * dots[off];
              for (int c = 1; c < k; c++) {
                float v = cNorm[c] - 2 * dots[off + c];
                if (v < bestV) {
                  bestV = v;
                  best = c;
                }
              }
              labels[r0 + r] = best;
            }
          }
        });
    return labels;
  }

  /** Exact squared distance of row {@code i} to centre {@code c}, in double. */
  static double dist2(float[] x, int i, float[] centers, int c, int d) {
    double s = 0;
    int xo = i * d, co = c * d;
    for (int j = 0; j < d; j++) {
      double t = (double) x[xo + j] - centers[co + j];
      s += t * t;
    }
    return s;
  }
}
