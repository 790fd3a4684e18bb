package org.maect.eval.linalg;

/**
 * Double-precision twin of {@link FloatPanels}: B {@code [n, d]} packed as {@code [panels, d, P]}.
 */
public final class DoublePanels {
  public final int n;
  public final int d;
  public final int width;
  public final int panels;
  public final double[] data;

  private DoublePanels(int n, int d, int width, double[] data) {
    this.n = n;
    this.d = d;
    this.width = width;
    this.panels = (n + width - 1) / width;
    this.data = data;
  }

  public int paddedN() {
    return panels * width;
  }

  /** Packs a row-major flat matrix {@code b [n, d]}. */
  public static DoublePanels pack(double[] b, int n, int d) {
    int w = Kernels.get().doublePanelWidth();
    int panels = (n + w - 1) / w;
    double[] data = new double[panels * d * w];
    for (int r = 0; r < n; r++) {
      int p = r / w, j = r % w, base = p * d * w;
      for (int k = 0; k < d; k++) data[base + k * w + j] = b[r * d + k];
    }
    return new DoublePanels(n, d, w, data);
  }
}
