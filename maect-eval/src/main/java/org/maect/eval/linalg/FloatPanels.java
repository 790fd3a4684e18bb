package org.maect.eval.linalg;

/**
 * Rows of a matrix B packed for {@link DotKernel}: panels of {@code P} rows, each stored transposed
 * ({@code data[(p * d + k) * P + j] = B[p*P + j][k]}), zero-padded to whole panels.
 *
 * <p>Shapes: B {@code [n, d]} -> data {@code [panels, d, P]}.
 */
public final class FloatPanels {
  public final int n;
  public final int d;
  public final int width;
  public final int panels;
  public final float[] data;

  private FloatPanels(int n, int d, int width, float[] data) {
    this.n = n;
    this.d = d;
    this.width = width;
    this.panels = (n + width - 1) / width;
    this.data = data;
  }

  /** Column count of C when multiplying by these panels (n rounded up to whole panels). */
  public int paddedN() {
    return panels * width;
  }

  /**
   * Packs rows {@code [from, to)} of {@code rows}, each multiplied by {@code rowScale[row]} when
   * {@code rowScale} is non-null (e.g. inverse L2 norms), reusing {@code reuse} when it is big enough.
   */
  public static FloatPanels pack(float[][] rows, int from, int to, float[] rowScale, float[] reuse) {
    int w = Kernels.get().floatPanelWidth();
    int n = to - from;
    int d = rows[from].length;
    int panels = (n + w - 1) / w;
    int size = panels * d * w;
    float[] data = reuse != null && reuse.length >= size ? reuse : new float[size];
    for (int p = 0; p < panels; p++) {
      int base = p * d * w;
      for (int j = 0; j < w; j++) {
        int r = from + p * w + j;
        if (r >= to) {
          for (int k = 0; k < d; k++) data[base + k * w + j] = 0f;
          continue;
        }
        float[] row = rows[r];
        float s = rowScale == null ? 1f : rowScale[r];
        for (int k = 0; k < d; k++) data[base + k * w + j] = row[k] * s;
      }
    }
    return new FloatPanels(n, d, w, data);
  }

  /** Packs a row-major flat matrix {@code b [n, d]}. */
  public static FloatPanels pack(float[] b, int n, int d) {
    return pack(b, n, d, null);
  }

  /** Packs {@code b [n, d]}, reusing {@code reuse} when it is big enough (it is overwritten). */
  public static FloatPanels pack(float[] b, int n, int d, float[] reuse) {
    int w = Kernels.get().floatPanelWidth();
    int panels = (n + w - 1) / w;
    int size = panels * d * w;
    float[] data = reuse != null && reuse.length >= size ? reuse : new float[size];
    if (data == reuse) java.util.Arrays.fill(data, 0, size, 0f); // padding columns must be zero
    for (int r = 0; r < n; r++) {
      int p = r / w, j = r % w, base = p * d * w;
      for (int k = 0; k < d; k++) data[base + k * w + j] = b[r * d + k];
    }
    return new FloatPanels(n, d, w, data);
  }
}
