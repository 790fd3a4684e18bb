package org.maect.eval.metrics;

import java.util.SplittableRandom;
import org.maect.eval.linalg.DoublePanels;
import org.maect.eval.linalg.Gemm;
import org.maect.eval.linalg.Parallel;

/**
 * Mean silhouette coefficient, as scikit-learn's {@code silhouette_score}: for each sample, {@code a} =
 * mean distance to the other members of its cluster, {@code b} = smallest mean distance to another
 * cluster, {@code s = (b - a) / max(a, b)}; samples alone in their cluster score 0.
 *
 * <p>Distances are computed in double precision the way scikit-learn does: cosine {@code 1 - x̂·ŷ} clipped
 * to [0, 2]; euclidean {@code sqrt(max(|x|² - 2x·y + |y|², 0))} with the diagonal set to 0. Cost is
 * O(n² d): pass a sample size for large n (the sample is drawn with our own seeded RNG, so sampled values
 * are not bit-identical to scikit-learn's). Distances are produced in blocks of rows; the n x n matrix is
 * never held.
 */
public final class Silhouette {

  /** Distance used for the silhouette. */
  public enum Metric {
    COSINE,
    EUCLIDEAN
  }

  private static final int BLOCK = 64;

  private Silhouette() {}

  /** Score on all samples. */
  public static double score(float[][] x, int[] labels, Metric metric) {
    return score(x, labels, metric, 0, 0L);
  }

  /**
   * Score on a random subset of {@code sampleSize} samples ({@code <= 0} or {@code >= n}: all samples).
   */
  public static double score(float[][] x, int[] labels, Metric metric, int sampleSize, long seed) {
    if (x.length != labels.length) {
      throw new IllegalArgumentException(
          "silhouette: " + x.length + " embeddings but " + labels.length + " labels");
    }
    int n = x.length;
    int[] idx;
    if (sampleSize > 0 && sampleSize < n) {
      idx = new int[n];
      for (int i = 0; i < n; i++) idx[i] = i;
      SplittableRandom rng = new SplittableRandom(seed);
      for (int i = 0; i < sampleSize; i++) {
        int j = i + rng.nextInt(n - i);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      idx = java.util.Arrays.copyOf(idx, sampleSize);
    } else {
      idx = new int[n];
      for (int i = 0; i < n; i++) idx[i] = i;
    }
    int m = idx.length;
    int d = x.length == 0 ? 0 : x[0].length;
    int[] sub = new int[m];
    for (int i = 0; i < m; i++) sub[i] = labels[idx[i]];
    LabelEncoding enc = LabelEncoding.fit(sub);
    int k = enc.size();
    if (k < 2 || k > m - 1) {
      throw new IllegalArgumentException(
          "silhouette needs 2 <= #clusters <= #samples - 1, got " + k + " clusters for " + m + " samples");
    }
    int[] lab = enc.encode(sub);
    long[] freq = new long[k];
    for (int l : lab) freq[l]++;

    double[] flat = new double[m * d];
    double[] sq = new double[m];
    for (int i = 0; i < m; i++) {
      float[] row = x[idx[i]];
      if (row.length != d) throw new IllegalArgumentException("ragged embeddings at row " + idx[i]);
      double s = 0;
      for (int j = 0; j < d; j++) {
        double v = row[j];
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("silhouette: NaN/Inf in embedding row " + idx[i]);
        }
        flat[i * d + j] = v;
        s += v * v;
      }
      sq[i] = s;
    }
    if (metric == Metric.COSINE) {
      for (int i = 0; i < m; i++) {
        double nrm = Math.sqrt(sq[i]);
        if (nrm == 0) continue; // sklearn's normalize leaves zero rows at zero
        for (int j = 0; j < d; j++) flat[i * d + j] /= nrm;
      }
    }
    DoublePanels panels = DoublePanels.pack(flat, m, d);
    int ldc = panels.paddedN();
    double[] sil = new double[m];
    Parallel.forRange(
        (m + BLOCK - 1) / BLOCK,
        1,
        (b0, b1) -> {
          for (int b = b0; b < b1; b++) {
            int r0 = b * BLOCK, rows = Math.min(BLOCK, m - r0);
            double[] a = new double[rows * d];
            System.arraycopy(flat, r0 * d, a, 0, rows * d);
            double[] dots = new double[rows * ldc];
            Gemm.abt(a, rows, d, panels, dots, ldc, false);
            double[] clust = new double[k];
            for (int r = 0; r < rows; r++) {
              int i = r0 + r;
              java.util.Arrays.fill(clust, 0.0);
              int off = r * ldc;
              for (int j = 0; j < m; j++) {
                double dist;
                if (metric == Metric.COSINE) {
                  dist = Math.min(2.0, Math.max(0.0, 1.0 - dots[off + j]));
                } else {
                  dist = j == i ? 0.0 : Math.sqrt(Math.max(-2.0 * dots[off + j] + sq[i] + sq[j], 0.0));
                }
                clust[lab[j]] += dist;
              }
              int own = lab[i];
              double intra = clust[own];
              double inter = Double.POSITIVE_INFINITY;
              for (int c = 0; c < k; c++) if (c != own) inter = Math.min(inter, clust[c] / freq[c]);
              if (freq[own] <= 1) {
                sil[i] = 0.0;
                continue;
              }
              intra /= (freq[own] - 1);
              double mx = Math.max(intra, inter);
              sil[i] = mx == 0 ? 0.0 : (inter - intra) / mx;
            }
          }
        });
    double s = 0;
    for (double v : sil) s += v;
    return s / m;
  }
}
