package org.maect.eval;

import org.maect.eval.cluster.KMeansConfig;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.lowshot.LowShotConfig;
import org.maect.eval.probe.LinearProbeConfig;

/**
 * What {@link Evaluator} runs; a {@code null} part is skipped (and its key left out of the JSON).
 *
 * @param knn weighted k-NN (train -> test)
 * @param probe linear probe (train -> test)
 * @param lowShot low-shot logistic regression (few train samples per class -> test)
 * @param kmeans k-means on the test features, scored against the test labels; {@code k = 0} means "number of test classes" and is resolved by {@link #resolveK}
 * @param silhouetteSample silhouette of the test features grouped by true class on a random subset of
 *     this size ({@code 0}: all test samples; negative: skip)
 * @param seed seed for the silhouette subset
 */
public record EvalConfig(
    KnnConfig knn,
    LinearProbeConfig probe,
    LowShotConfig lowShot,
    KMeansConfig kmeans,
    int silhouetteSample,
    long seed) {

  /** Everything with the paper's protocol, k-means with k = #classes and 10 restarts. */
  public static EvalConfig defaults(long seed) {
    return new EvalConfig(
        KnnConfig.dino(),
        LinearProbeConfig.defaults(seed),
        LowShotConfig.paper(seed),
        KMeansConfig.of(0, 10, seed),
        10_000,
        seed);
  }

  /** Copy with a concrete k for k-means. */
  public EvalConfig resolveK(int k) {
    if (kmeans == null) return this;
    KMeansConfig c = kmeans;
    return new EvalConfig(
        knn, probe, lowShot,
        new KMeansConfig(k, c.restarts(), c.batchSize(), c.maxEpochs(), c.maxNoImprovement(),
            c.reassignmentRatio(), c.initSize(), c.standardize(), c.seed()),
        silhouetteSample, seed);
  }

  public EvalConfig withKnn(KnnConfig v) {
    return new EvalConfig(v, probe, lowShot, kmeans, silhouetteSample, seed);
  }

  public EvalConfig withProbe(LinearProbeConfig v) {
    return new EvalConfig(knn, v, lowShot, kmeans, silhouetteSample, seed);
  }

  public EvalConfig withLowShot(LowShotConfig v) {
    return new EvalConfig(knn, probe, v, kmeans, silhouetteSample, seed);
  }

  public EvalConfig withKMeans(KMeansConfig v) {
    return new EvalConfig(knn, probe, lowShot, v, silhouetteSample, seed);
  }

  public EvalConfig withSilhouetteSample(int v) {
    return new EvalConfig(knn, probe, lowShot, kmeans, v, seed);
  }
}
