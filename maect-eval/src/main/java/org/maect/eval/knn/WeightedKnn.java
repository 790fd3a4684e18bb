package org.maect.eval.knn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maect.eval.Inputs;
import org.maect.eval.metrics.LabelEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weighted k-NN classifier of DINO's {@code eval_knn.py}: cosine similarity on L2-normalised features,
 * the top-k training neighbours vote for their class with weight {@code exp(sim / T)}, the class with the
 * largest total wins (ties: the smallest label). All k share one neighbour search (top-max(k)).
 */
public final class WeightedKnn {
  private static final Logger log = LoggerFactory.getLogger(WeightedKnn.class);

  private WeightedKnn() {}

  /** Top-1 accuracy for each k, in the order of {@code config.ks()}. */
  public static Map<Integer, Double> accuracy(
      KnnConfig config, float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    int[][] pred = predict(config, trainX, trainY, testX, testY);
    Map<Integer, Double> acc = new LinkedHashMap<>();
    for (int i = 0; i < config.ks().length; i++) {
      long hit = 0;
      for (int q = 0; q < testY.length; q++) if (pred[i][q] == testY[q]) hit++;
      acc.put(config.ks()[i], (double) hit / testY.length);
    }
    return acc;
  }

  /**
   * Predicted labels {@code [ks.length, nTest]}. {@code testY} is only validated (may be null to skip
   * the check that every test label occurs in training).
   */
  public static int[][] predict(
      KnnConfig config, float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    LabelEncoding enc;
    if (testY != null) {
      enc = Inputs.checkTrainTest(trainX, trainY, testX, testY);
    } else {
      Inputs.checkFeatures("train features", trainX);
      Inputs.checkRows("train features", trainX, "train labels", trainY);
      Inputs.checkFeatures("test features", testX);
      enc = LabelEncoding.fit(trainY);
    }
    int kMax = config.maxK();
    long t0 = System.nanoTime();
    Neighbours nb =
        NeighbourSearch.search(trainX, testX, kMax, config.queryBlock(), config.trainBlock());
    log.info(
        "k-NN: {} queries x {} train x {} dims, top-{} in {} ms",
        testX.length, trainX.length, trainX[0].length, kMax, (System.nanoTime() - t0) / 1_000_000);
    int[] y = enc.encode(trainY);
    int nClasses = enc.size();
    int[][] pred = new int[config.ks().length][testX.length];
    double[] votes = new double[nClasses];
    for (int q = 0; q < testX.length; q++) {
      int[] idx = nb.index()[q];
      float[] sim = nb.similarity()[q];
      for (int ki = 0; ki < config.ks().length; ki++) {
        int k = config.ks()[ki];
        java.util.Arrays.fill(votes, 0.0);
        for (int j = 0; j < k; j++) votes[y[idx[j]]] += Math.exp(sim[j] / config.temperature());
        int best = 0;
        for (int c = 1; c < nClasses; c++) if (votes[c] > votes[best]) best = c;
        pred[ki][q] = enc.classes()[best];
      }
    }
    return pred;
  }
}
