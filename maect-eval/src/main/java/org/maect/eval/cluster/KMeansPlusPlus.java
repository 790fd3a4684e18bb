package org.maect.eval.cluster;

import java.util.SplittableRandom;
import org.maect.eval.linalg.FloatPanels;
import org.maect.eval.linalg.Gemm;

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with scikit-learn's {@code 2 + ln k} local
 * trials per centre: the candidate that lowers the potential most is kept).
 */
final class KMeansPlusPlus {
  private KMeansPlusPlus() {}

  /**
   * @param x candidate pool {@code [n, d]} flat
   * @return centres {@code [k, d]} flat, copied from rows of x
   */
  static float[] init(float[] x, int n, int d, int k, SplittableRandom rng) {
    int trials = 2 + (int) Math.log(k);
    FloatPanels panels = FloatPanels.pack(x, n, d);
    int ldc = panels.paddedN();
    double[] xNorm = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < d; j++) s += (double) x[i * d + j] * x[i * d + j];
      xNorm[i] = s;
    }
    float[] centers = new float[k * d];
    double[] closest = new double[n];
    int first = rng.nextInt(n);
    System.arraycopy(x, first * d, centers, 0, d);
    float[] cand = new float[trials * d];
    float[] dots = new float[trials * ldc];
    // distances to the first centre
    System.arraycopy(x, first * d, cand, 0, d);
    Gemm.abt(cand, 1, d, panels, dots, ldc, false);
    double pot = 0;
    for (int i = 0; i < n; i++) {
      closest[i] = Math.max(0, xNorm[i] - 2 * dots[i] + xNorm[first]);
      pot += closest[i];
    }
    double[] cum = new double[n];
    double[][] candDist = new double[trials][n];
    int[] candId = new int[trials];
    for (int c = 1; c < k; c++) {
      double run = 0;
      for (int i = 0; i < n; i++) {
        run += closest[i];
        cum[i] = run;
      }
      for (int t = 0; t < trials; t++) {
        double r = rng.nextDouble() * pot;
        int lo = 0, hi = n - 1; // first index with cum[i] > r (searchsorted 'left' on cum >= r)
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (cum[mid] < r) lo = mid + 1;
          else hi = mid;
        }
        candId[t] = lo;
        System.arraycopy(x, lo * d, cand, t * d, d);
      }
      Gemm.abt(cand, trials, d, panels, dots, ldc, true);
      int best = 0;
      double bestPot = Double.POSITIVE_INFINITY;
      for (int t = 0; t < trials; t++) {
        double p = 0;
        double cn = xNorm[candId[t]];
        double[] cd = candDist[t];
        for (int i = 0; i < n; i++) {
          double dd = Math.max(0, xNorm[i] - 2 * dots[t * ldc + i] + cn);
          cd[i] = Math.min(closest[i], dd);
          p += cd[i];
        }
        if (p < bestPot) {
          bestPot = p;
          best = t;
        }
      }
      pot = bestPot;
      System.arraycopy(candDist[best], 0, closest, 0, n);
      System.arraycopy(x, candId[best] * d, centers, c * d, d);
    }
    return centers;
  }
}
