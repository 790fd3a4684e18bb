package org.maect.eval.cluster;

import org.maect.eval.linalg.Parallel;

/**
 * Per-column standardisation {@code (x - mean) / std} (scikit-learn's {@code StandardScaler}: population
 * std, columns with zero variance are only centred). Statistics are accumulated in double over fixed row
 * chunks and merged in order, so results do not depend on the thread count.
 */
public record Standardizer(double[] mean, double[] scale) {
  private static final int CHUNK = 4096;

  public static Standardizer fit(float[][] x) {
    int n = x.length, d = x[0].length;
    int chunks = (n + CHUNK - 1) / CHUNK;
    double[][] sums = new double[chunks][d];
    Parallel.forRange(chunks, 1, (c0, c1) -> {
      for (int c = c0; c < c1; c++) {
        double[] s = sums[c];
        for (int i = c * CHUNK, e = Math.min(n, i + CHUNK); i < e; i++) for (int j = 0; j < d; j++) s[j] += x[i][j];
      }
    });
    double[] mean = new double[d];
    for (double[] s : sums) for (int j = 0; j < d; j++) mean[j] += s[j];
    for (int j = 0; j < d; j++) mean[j] /= n;
    double[][] m2s = new double[chunks][d];
    Parallel.forRange(chunks, 1, (c0, c1) -> {
      for (int c = c0; c < c1; c++) {
        double[] s = m2s[c];
        for (int i = c * CHUNK, e = Math.min(n, i + CHUNK); i < e; i++) {
          for (int j = 0; j < d; j++) {
            double t = x[i][j] - mean[j];
            s[j] += t * t;
          }
        }
      }
    });
    double[] m2 = new double[d];
    for (double[] s : m2s) for (int j = 0; j < d; j++) m2[j] += s[j];
    double[] scale = new double[d];
    for (int j = 0; j < d; j++) {
      double s = Math.sqrt(m2[j] / n);
      scale[j] = s < 10 * Math.ulp(1.0) * Math.max(1.0, Math.abs(mean[j])) ? 1.0 : s;
    }
    return new Standardizer(mean, scale);
  }

  /** Row-major flat copy {@code [n * d]} of the transformed features. */
  public float[] transformFlat(float[][] x) {
    int d = mean.length;
    float[] out = new float[x.length * d];
    double[] inv = new double[d];
    for (int j = 0; j < d; j++) inv[j] = 1.0 / scale[j];
    Parallel.forRange(x.length, Parallel.grain(x.length, 4), (a, b) -> {
      for (int i = a; i < b; i++) {
        for (int j = 0; j < d; j++) out[i * d + j] = (float) ((x[i][j] - mean[j]) * inv[j]);
      }
    });
    return out;
  }

  /** Identity transform (for {@code standardize = false}). */
  public static float[] flat(float[][] x) {
    int d = x[0].length;
    float[] out = new float[x.length * d];
    for (int i = 0; i < x.length; i++) System.arraycopy(x[i], 0, out, i * d, d);
    return out;
  }
}
