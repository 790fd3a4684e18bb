package org.maect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CosineKnnTest {

  /** Brute force: sort all training samples by cosine similarity, weight the k best by exp(sim / T). */
  static double naive(float[][] tr, int[] ytr, float[][] te, int[] yte, int k, double t, int classes) {
    int correct = 0;
    for (int i = 0; i < te.length; i++) {
      double[] sims = new double[tr.length];
      Integer[] order = new Integer[tr.length];
      for (int j = 0; j < tr.length; j++) {
        double dot = 0, na = 0, nb = 0;
        for (int d = 0; d < te[i].length; d++) {
          dot += te[i][d] * tr[j][d];
          na += te[i][d] * te[i][d];
          nb += tr[j][d] * tr[j][d];
        }
        sims[j] = dot / Math.sqrt(na * nb);
        order[j] = j;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
      double[] votes = new double[classes];
      for (int n = 0; n < k; n++) votes[ytr[order[n]]] += Math.exp(sims[order[n]] / t);
      int best = 0;
      for (int c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
      if (best == yte[i]) correct++;
    }
    return correct / (double) te.length;
  }

  @Test
  void matchesABruteForceWeightedKnnOnNoisyClusters() {
    SplittableRandom r = new SplittableRandom(4);
    int classes = 3, d = 6;
    float[][] tr = new float[300][d];
    int[] ytr = new int[300];
    float[][] te = new float[100][d];
    int[] yte = new int[100];
    for (int i = 0; i < 400; i++) {
      int c = r.nextInt(classes);
      float[] x = new float[d];
      for (int j = 0; j < d; j++) x[j] = (float) ((j % classes == c ? 1.0 : 0.0) + 3.0 * (r.nextDouble() - 0.5));
      if (i < 300) {
        tr[i] = x;
        ytr[i] = c;
      } else {
        te[i - 300] = x;
        yte[i - 300] = c;
      }
    }
    double fast = CosineKnn.accuracy(tr, ytr, te, yte, 20, 0.07, classes);
    assertThat(fast).isCloseTo(naive(tr, ytr, te, yte, 20, 0.07, classes), within(1e-12));
    assertThat(fast).isGreaterThan(0.6).isLessThan(1.0);
  }
}
