package org.maect.eval.cluster;

/**
 * Mini-batch k-means settings (defaults follow scikit-learn 1.2's {@code MiniBatchKMeans}).
 *
 * @param k number of clusters; {@code 0} = "the number of classes", resolved by {@code Evaluator}
 * @param restarts full independent runs; the one with the lowest full-data inertia is kept
 * @param batchSize samples per mini-batch step (sklearn: 1024)
 * @param maxEpochs upper bound on passes over the data (sklearn {@code max_iter}: 100)
 * @param maxNoImprovement stop after this many steps without a new minimum of the smoothed batch
 *     inertia (sklearn: 10)
 * @param reassignmentRatio centres with fewer than this fraction of the largest count are moved to
 *     random samples (sklearn: 0.01)
 * @param initSize samples used by k-means++ ({@code 0}: max(3·batch, 3·k) as sklearn)
 * @param standardize standardise features (zero mean, unit variance per column) first, as in the paper
 * @param seed base seed; restart r uses an independent stream derived from it
 */
public record KMeansConfig(
    int k,
    int restarts,
    int batchSize,
    int maxEpochs,
    int maxNoImprovement,
    double reassignmentRatio,
    int initSize,
    boolean standardize,
    long seed) {

  public KMeansConfig {
    if (k < 0) throw new IllegalArgumentException("Invalid number of clusters: " + k);
    if (restarts < 1) throw new IllegalArgumentException("Invalid number of restarts: " + restarts);
    if (batchSize < 1) throw new IllegalArgumentException("Invalid k-means batch size: " + batchSize);
    if (maxEpochs < 1) throw new IllegalArgumentException("Invalid k-means max epochs: " + maxEpochs);
    if (maxNoImprovement < 1) throw new IllegalArgumentException("Invalid maxNoImprovement: " + maxNoImprovement);
    if (!(reassignmentRatio >= 0 && reassignmentRatio < 1)) {
      throw new IllegalArgumentException("Invalid reassignment ratio: " + reassignmentRatio);
    }
    if (initSize < 0) throw new IllegalArgumentException("Invalid k-means++ init size: " + initSize);
  }

  /** sklearn defaults with {@code k} clusters and {@code restarts} restarts. */
  public static KMeansConfig of(int k, int restarts, long seed) {
    return new KMeansConfig(k, restarts, 1024, 100, 10, 0.01, 0, true, seed);
  }

  public KMeansConfig withRestarts(int r) {
    return new KMeansConfig(k, r, batchSize, maxEpochs, maxNoImprovement, reassignmentRatio, initSize, standardize, seed);
  }
}
