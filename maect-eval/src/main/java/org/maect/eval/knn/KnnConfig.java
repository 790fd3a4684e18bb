package org.maect.eval.knn;

import java.util.Arrays;

/**
 * Weighted k-NN settings.
 *
 * @param ks neighbour counts evaluated in one pass (each ≥ 1)
 * @param temperature T in the vote weight {@code exp(sim / T)} (DINO: 0.07)
 * @param queryBlock queries per work item
 * @param trainBlock training rows packed per pass (bounds the memory of the packed copy)
 */
public record KnnConfig(int[] ks, double temperature, int queryBlock, int trainBlock) {

  public KnnConfig {
    if (ks == null || ks.length == 0) throw new IllegalArgumentException("k-NN needs at least one k");
    for (int k : ks) if (k < 1) throw new IllegalArgumentException("Invalid k for k-NN: " + k);
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("Invalid k-NN temperature: " + temperature);
    }
    if (queryBlock < 4) throw new IllegalArgumentException("Invalid k-NN query block: " + queryBlock);
    if (trainBlock < 64) throw new IllegalArgumentException("Invalid k-NN train block: " + trainBlock);
    ks = ks.clone();
  }

  /** DINO/MAE-CT defaults: k ∈ {10, 20, 100, 200}, T = 0.07. */
  public static KnnConfig dino() {
    return of(new int[] {10, 20, 100, 200}, 0.07);
  }

  public static KnnConfig of(int[] ks, double temperature) {
    return new KnnConfig(ks, temperature, 64, 16384);
  }

  public int maxK() {
    return Arrays.stream(ks).max().orElseThrow();
  }
}
