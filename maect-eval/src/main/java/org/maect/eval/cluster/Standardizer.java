package org.maect.eval.cluster;

/**
 * Per-column standardisation {@code (x - mean) / std} (scikit-learn's {@code StandardScaler}: population
 * std, columns with zero variance are only centred).
 */
public record Standardizer(double[] mean, double[] scale) {

  public static Standardizer fit(float[][] x) {
    int n = x.length, d = x[0].length;
    double[] mean = new double[d], m2 = new double[d];
    for (float[] r : x) for (int j = 0; j < d; j++) mean[j] += r[j];
    for (int j = 0; j < d; j++) mean[j] /= n;
    for (float[] r : x) {
      for (int j = 0; j < d; j++) {
        double t = r[j] - mean[j];
        m2[j] += t * t;
      }
    }
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
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < d; j++) out[i * d + j] = (float) ((x[i][j] - mean[j]) / scale[j]);
    }
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
