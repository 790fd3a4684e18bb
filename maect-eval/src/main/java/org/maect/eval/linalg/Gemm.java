package org.maect.eval.linalg;

/**
 * {@code C = A · Bᵀ} with A row-major and B packed as panels; parallel over groups of rows of A.
 *
 * <p>Shapes: A {@code [m, d]} (flat, row-major), B {@code [n, d]} as panels, C {@code [m, ldc]} with
 * {@code ldc >= b.paddedN()}; columns past {@code n} come out as zeros.
 */
public final class Gemm {
  private Gemm() {}

  /** Float product; {@code parallel} spreads row groups over the common fork-join pool. */
  public static void abt(float[] a, int m, int d, FloatPanels b, float[] c, int ldc, boolean parallel) {
    check(d == b.d, "inner dimensions differ: " + d + " vs " + b.d);
    check(ldc >= b.paddedN(), "ldc " + ldc + " < padded columns " + b.paddedN());
    DotKernel k = Kernels.get();
    int groups = (m + 3) / 4;
    Parallel.forRange(
        groups,
        parallel ? 4 : Integer.MAX_VALUE,
        (g0, g1) -> {
          float[] a4 = new float[4 * d];
          float[] c4 = new float[4 * ldc];
          for (int g = g0; g < g1; g++) {
            int r0 = g * 4, rows = Math.min(4, m - r0);
            float[] src = a;
            int off = r0 * d;
            float[] dst = c;
            int cOff = r0 * ldc;
            if (rows < 4) {
              java.util.Arrays.fill(a4, 0f);
              System.arraycopy(a, r0 * d, a4, 0, rows * d);
              src = a4;
              off = 0;
              dst = c4;
              cOff = 0;
            }
            for (int p = 0; p < b.panels; p++) {
              k.dot4(src, off, d, b.data, p * d * b.width, dst, cOff + p * b.width, ldc);
            }
            if (rows < 4) System.arraycopy(c4, 0, c, r0 * ldc, rows * ldc);
          }
        });
  }

  /** Double product, same layout rules as the float one. */
  public static void abt(double[] a, int m, int d, DoublePanels b, double[] c, int ldc, boolean parallel) {
    check(d == b.d, "inner dimensions differ: " + d + " vs " + b.d);
    check(ldc >= b.paddedN(), "ldc " + ldc + " < padded columns " + b.paddedN());
    DotKernel k = Kernels.get();
    int groups = (m + 3) / 4;
    Parallel.forRange(
        groups,
        parallel ? 4 : Integer.MAX_VALUE,
        (g0, g1) -> {
          double[] a4 = new double[4 * d];
          double[] c4 = new double[4 * ldc];
          for (int g = g0; g < g1; g++) {
            int r0 = g * 4, rows = Math.min(4, m - r0);
            double[] src = a;
            int off = r0 * d;
            double[] dst = c;
            int cOff = r0 * ldc;
            if (rows < 4) {
              java.util.Arrays.fill(a4, 0.0);
              System.arraycopy(a, r0 * d, a4, 0, rows * d);
              src = a4;
              off = 0;
              dst = c4;
              cOff = 0;
            }
            for (int p = 0; p < b.panels; p++) {
              k.dot4(src, off, d, b.data, p * d * b.width, dst, cOff + p * b.width, ldc);
            }
            if (rows < 4) System.arraycopy(c4, 0, c, r0 * ldc, rows * ldc);
          }
        });
  }

  private static void check(boolean ok, String msg) {
    if (!ok) throw new IllegalArgumentException(msg);
  }
}
