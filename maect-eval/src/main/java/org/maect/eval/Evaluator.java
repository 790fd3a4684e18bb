package org.maect.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maect.eval.cluster.KMeans;
import org.maect.eval.cluster.KMeansResult;
import org.maect.eval.knn.WeightedKnn;
import org.maect.eval.lowshot.LowShot;
import org.maect.eval.metrics.ClusterMetrics;
import org.maect.eval.metrics.LabelEncoding;
import org.maect.eval.metrics.Silhouette;
import org.maect.eval.probe.LinearProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the paper's evaluation protocol on embeddings: weighted k-NN, linear probe and low-shot (train ->
 * test), k-means on the test embeddings scored against the test labels (cluster accuracy, NMI, AMI,
 * ARI), and the silhouette of the test embeddings grouped by class.
 *
 * <p>Shapes: trainX {@code [nTrain, d]}, trainY {@code [nTrain]}, testX {@code [nTest, d]}, testY
 * {@code [nTest]}; labels are any integers, every test label must occur in training.
 */
public final class Evaluator {
  private static final Logger log = LoggerFactory.getLogger(Evaluator.class);

  private Evaluator() {}

  public static EvalResult evaluate(EvalConfig cfg, float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    Inputs.checkTrainTest(trainX, trainY, testX, testY);
    int testClasses = LabelEncoding.fit(testY).size();
    if (cfg.kmeans() != null && cfg.kmeans().k() == 0) cfg = cfg.resolveK(testClasses);
    int parts = (cfg.knn() != null ? 1 : 0) + (cfg.probe() != null ? 1 : 0) + (cfg.lowShot() != null ? 1 : 0)
        + (cfg.kmeans() != null ? 1 : 0) + (cfg.silhouetteSample() >= 0 ? 1 : 0);
    log.info("evaluating {} train / {} test samples, {} dims, {} parts", trainX.length, testX.length, trainX[0].length, parts);
    int part = 0;
    long t0 = System.nanoTime();

    Map<String, Double> knn = null;
    if (cfg.knn() != null) {
      log.info("[{}/{}] weighted k-NN, k={}", ++part, parts, java.util.Arrays.toString(cfg.knn().ks()));
      knn = new LinkedHashMap<>();
      for (Map.Entry<Integer, Double> e : WeightedKnn.accuracy(cfg.knn(), trainX, trainY, testX, testY).entrySet()) {
        knn.put(String.valueOf(e.getKey()), e.getValue());
      }
      log.info("k-NN accuracy {}", knn);
    }
    Double probe = null;
    Map<Double, Double> probeByLr = null;
    if (cfg.probe() != null) {
      log.info("[{}/{}] linear probe, {} learning rates x {} epochs", ++part, parts, cfg.probe().learningRates().length, cfg.probe().epochs());
      LinearProbe.Result r = LinearProbe.train(cfg.probe(), trainX, trainY, testX, testY);
      probe = r.bestAccuracy();
      probeByLr = r.accuracyByLearningRate();
    }
    Map<String, Double> lowShot = null;
    if (cfg.lowShot() != null) {
      log.info("[{}/{}] low-shot, shots={} x {} splits", ++part, parts, java.util.Arrays.toString(cfg.lowShot().shots()), cfg.lowShot().splits());
      lowShot = new LinkedHashMap<>();
      for (Map.Entry<Integer, Double> e : LowShot.evaluate(cfg.lowShot(), trainX, trainY, testX, testY).meanAccuracy().entrySet()) {
        lowShot.put(String.valueOf(e.getKey()), e.getValue());
      }
      log.info("low-shot accuracy {}", lowShot);
    }
    EvalResult.KMeansScores km = null;
    int[] kmLabels = null;
    if (cfg.kmeans() != null) {
      log.info("[{}/{}] k-means on test features, k={} x {} restarts", ++part, parts, cfg.kmeans().k(), cfg.kmeans().restarts());
      KMeansResult r = KMeans.fit(cfg.kmeans(), testX);
      ClusterMetrics m = ClusterMetrics.of(testY, r.labels());
      km = new EvalResult.KMeansScores(cfg.kmeans().k(), cfg.kmeans().restarts(), r.inertia(), m.clusterAcc(), m.nmi(), m.ami(), m.ari());
      kmLabels = r.labels();
      log.info("k-means: {}", m);
    }
    EvalResult.SilhouetteScores sil = null;
    if (cfg.silhouetteSample() >= 0) {
      if (testClasses < 2) {
        log.warn("silhouette skipped: the test set has a single class");
      } else {
        log.info("[{}/{}] silhouette of test features by class (sample {})", ++part, parts, cfg.silhouetteSample() == 0 ? "all" : cfg.silhouetteSample());
        sil = new EvalResult.SilhouetteScores(
            Silhouette.score(testX, testY, Silhouette.Metric.COSINE, cfg.silhouetteSample(), cfg.seed()),
            Silhouette.score(testX, testY, Silhouette.Metric.EUCLIDEAN, cfg.silhouetteSample(), cfg.seed()));
      }
    }
    log.info("evaluation done in {} s", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
    return new EvalResult(knn, probe, lowShot, km, sil, probeByLr, kmLabels);
  }
}
