package org.maect.eval.linalg;

/** Plain-Java {@link DotKernel}: used when {@code jdk.incubator.vector} is not available. */
final class ScalarDotKernel implements DotKernel {
  private static final int P = 32;

  @Override
  public int floatPanelWidth() {
    return P;
  }

  @Override
  public int doublePanelWidth() {
    return P;
  }

  @Override
  public void dot4(float[] a, int aOff, int d, float[] panel, int pOff, float[] c, int cOff, int ldc) {
    float[] acc = new float[4 * P];
    for (int k = 0; k < d; k++) {
      float a0 = a[aOff + k], a1 = a[aOff + d + k], a2 = a[aOff + 2 * d + k], a3 = a[aOff + 3 * d + k];
      int bo = pOff + k * P;
      for (int j = 0; j < P; j++) {
        float b = panel[bo + j];
        acc[j] += a0 * b;
        acc[P + j] += a1 * b;
        acc[2 * P + j] += a2 * b;
        acc[3 * P + j] += a3 * b;
      }
    }
    for (int r = 0; r < 4; r++) System.arraycopy(acc, r * P, c, cOff + r * ldc, P);
  }

  @Override
  public void dot4(double[] a, int aOff, int d, double[] panel, int pOff, double[] c, int cOff, int ldc) {
    double[] acc = new double[4 * P];
    for (int k = 0; k < d; k++) {
      double a0 = a[aOff + k], a1 = a[aOff + d + k], a2 = a[aOff + 2 * d + k], a3 = a[aOff + 3 * d + k];
      int bo = pOff + k * P;
      for (int j = 0; j < P; j++) {
        double b = panel[bo + j];
        acc[j] += a0 * b;
        acc[P + j] += a1 * b;
        acc[2 * P + j] += a2 * b;
        acc[3 * P + j] += a3 * b;
      }
    }
    for (int r = 0; r < 4; r++) System.arraycopy(acc, r * P, c, cOff + r * ldc, P);
  }

  @Override
  public String name() {
    return "scalar";
  }
}
