package org.maect.eval.linalg;

/**
 * {@code C = A · Bᵀ} with A row-major and B packed as panels; parallel over chunks of rows of A.
 *
 * <p>Shapes: A {@code [m, d]} (flat, row-major), B {@code [n, d]} as panels, C {@code [m, ldc]} with
 * {@code ldc >= b.paddedN()}; columns past {@code n} come out as zeros.
 *
 * <p>Loop order: for a chunk of {@value #CHUNK} rows of A, each panel of B is loaded once and applied to
 * all the chunk's 4-row groups, so the panel stays in L2 instead of streaming B from memory per group.
 */
public final class Gemm {
  /** Rows of A per work item (16 groups of 4). */
  static final int CHUNK = 64;

  private Gemm() {}

  /** Float product; {@code parallel} spreads row chunks over the common fork-join pool. */
  public static void abt(float[] a, int m, int d, FloatPanels b, float[] c, int ldc, boolean parallel) {
    check(d == b.d, "inner dimensions differ: " + d + " vs " + b.d);
    check(ldc >= b.paddedN(), "ldc " + ldc + " < padded columns " + b.paddedN());
    DotKernel k = Kernels.get();
    int chunks = (m + CHUNK - 1) / CHUNK;
    if (parallel && chunks == 1 && b.panels > 1) { // few rows (e.g. k-means++ candidates): split B instead
      Parallel.forRange(b.panels, Parallel.grain(b.panels, 4), (p0, p1) -> panelsF(k, a, m, d, b, c, ldc, p0, p1));
      return;
    }
    Parallel.forRange(
        chunks,
        parallel ? 1 : Integer.MAX_VALUE,
        (c0, c1) -> {
          float[] a4 = new float[4 * d];
          float[] c4 = new float[4 * b.width];
          for (int ch = c0; ch < c1; ch++) {
            int r0 = ch * CHUNK, r1 = Math.min(m, r0 + CHUNK);
            int full = r0 + ((r1 - r0) / 4) * 4;
            if (full < r1) { // zero-padded copy of the trailing partial group
              java.util.Arrays.fill(a4, 0f);
              System.arraycopy(a, full * d, a4, 0, (r1 - full) * d);
            }
            for (int p = 0; p < b.panels; p++) {
              int pOff = p * d * b.width, col = p * b.width;
              for (int g = r0; g < full; g += 4) k.dot4(a, g * d, d, b.data, pOff, c, g * ldc + col, ldc);
              if (full < r1) {
                k.dot4(a4, 0, d, b.data, pOff, c4, 0, b.width);
                for (int r = 0; r < r1 - full; r++) System.arraycopy(c4, r * b.width, c, (full + r) * ldc + col, b.width);
              }
            }
          }
        });
  }

  /** Double product, same layout rules as the float one. */
  public static void abt(double[] a, int m, int d, DoublePanels b, double[] c, int ldc, boolean parallel) {
    check(d == b.d, "inner dimensions differ: " + d + " vs " + b.d);
    check(ldc >= b.paddedN(), "ldc " + ldc + " < padded columns " + b.paddedN());
    DotKernel k = Kernels.get();
    int chunks = (m + CHUNK - 1) / CHUNK;
    Parallel.forRange(
        chunks,
        parallel ? 1 : Integer.MAX_VALUE,
        (c0, c1) -> {
          double[] a4 = new double[4 * d];
          double[] c4 = new double[4 * b.width];
          for (int ch = c0; ch < c1; ch++) {
            int r0 = ch * CHUNK, r1 = Math.min(m, r0 + CHUNK);
            int full = r0 + ((r1 - r0) / 4) * 4;
            if (full < r1) {
              java.util.Arrays.fill(a4, 0.0);
              System.arraycopy(a, full * d, a4, 0, (r1 - full) * d);
            }
            for (int p = 0; p < b.panels; p++) {
              int pOff = p * d * b.width, col = p * b.width;
              for (int g = r0; g < full; g += 4) k.dot4(a, g * d, d, b.data, pOff, c, g * ldc + col, ldc);
              if (full < r1) {
                k.dot4(a4, 0, d, b.data, pOff, c4, 0, b.width);
                for (int r = 0; r < r1 - full; r++) System.arraycopy(c4, r * b.width, c, (full + r) * ldc + col, b.width);
              }
            }
          }
        });
  }

  /** Rows {@code [0, m)} (m <= CHUNK) against panels {@code [p0, p1)}. */
  private static void panelsF(DotKernel k, float[] a, int m, int d, FloatPanels b, float[] c, int ldc, int p0, int p1) {
    int full = (m / 4) * 4;
    float[] a4 = new float[4 * d];
    float[] c4 = new float[4 * b.width];
    if (full < m) System.arraycopy(a, full * d, a4, 0, (m - full) * d);
    for (int p = p0; p < p1; p++) {
      int pOff = p * d * b.width, col = p * b.width;
      for (int g = 0; g < full; g += 4) k.dot4(a, g * d, d, b.data, pOff, c, g * ldc + col, ldc);
      if (full < m) {
        k.dot4(a4, 0, d, b.data, pOff, c4, 0, b.width);
        for (int r = 0; r < m - full; r++) System.arraycopy(c4, r * b.width, c, (full + r) * ldc + col, b.width);
      }
    }
  }

  private static void check(boolean ok, String msg) {
    if (!ok) throw new IllegalArgumentException(msg);
  }
}
