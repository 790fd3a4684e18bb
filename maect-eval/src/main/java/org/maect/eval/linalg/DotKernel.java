package org.maect.eval.linalg;

/**
 * Micro-kernel for {@code C = A · Bᵀ} on one packed panel of B, in float and double.
 *
 * <p>Layout: A is row-major with row length {@code d}; the panel holds {@code P = panelWidth()} rows of
 * B transposed, {@code panel[k * P + j] = B[j][k]}, so the inner loop streams it contiguously. One call
 * computes a {@code 4 x P} block: {@code c[cOff + r*ldc + j] = Σ_k a[aOff + r*d + k] * panel[pOff + k*P + j]}
 * for {@code r < 4}, {@code j < P}. Callers pad A to a multiple of 4 rows.
 */
public interface DotKernel {

  /** Panel width for float panels (columns of C per call). */
  int floatPanelWidth();

  /** Panel width for double panels. */
  int doublePanelWidth();

  void dot4(float[] a, int aOff, int d, float[] panel, int pOff, float[] c, int cOff, int ldc);

  void dot4(double[] a, int aOff, int d, double[] panel, int pOff, double[] c, int cOff, int ldc);

  /** Human-readable name for logs ("vector(16 floats)" or "scalar"). */
  String name();
}
