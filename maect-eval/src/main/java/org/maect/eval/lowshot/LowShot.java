package org.maect.eval.lowshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.maect.eval.Inputs;
import org.maect.eval.metrics.LabelEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Low-shot linear evaluation: for each shot count k and split s, draw k training samples per class,
 * fit {@link LogisticRegression} (λ = λn / n) and score on the whole test set; report the mean over splits.
 *
 * <p>Preprocessing as in MSN's cyanure setup ({@code centering=True, normalize=True}): features are
 * centred and each row L2-normalised. The centre is the mean of all training features, which uses no
 * labels (the unlabelled training set is available in the low-shot setting) and is shared by train and
 * test rows.
 */
public final class LowShot {
  private static final Logger log = LoggerFactory.getLogger(LowShot.class);

  private LowShot() {}

  /**
   * @param meanAccuracy shot count -> mean test accuracy over the splits
   * @param splitAccuracy shot count -> accuracy of each split
   */
  public record Result(Map<Integer, Double> meanAccuracy, Map<Integer, double[]> splitAccuracy) {}

  public static Result evaluate(
      LowShotConfig cfg, float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    LabelEncoding enc = Inputs.checkTrainTest(trainX, trainY, testX, testY);
    int d = trainX[0].length, nClasses = enc.size();
    int[] y = enc.encode(trainY), yt = enc.encode(testY);
    // Rows of each class.
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < nClasses; c++) byClass.add(new ArrayList<>());
    for (int i = 0; i < y.length; i++) byClass.get(y[i]).add(i);
    int maxShots = 0;
    for (int s : cfg.shots()) maxShots = Math.max(maxShots, s);
    for (int c = 0; c < nClasses; c++) {
      if (byClass.get(c).size() < maxShots) {
        throw new IllegalArgumentException(
            "low-shot: class " + enc.classes()[c] + " has " + byClass.get(c).size()
                + " training samples, fewer than " + maxShots + " shots");
      }
    }
    double[] mean = new double[d];
    for (float[] r : trainX) for (int j = 0; j < d; j++) mean[j] += r[j];
    for (int j = 0; j < d; j++) mean[j] /= trainX.length;
    double[][] test = preprocess(testX, null, mean);
    Map<Integer, Double> meanAcc = new LinkedHashMap<>();
    Map<Integer, double[]> splitAcc = new LinkedHashMap<>();
    for (int shots : cfg.shots()) {
      double[] accs = new double[cfg.splits()];
      for (int s = 0; s < cfg.splits(); s++) {
        SplittableRandom rng = new SplittableRandom(cfg.seed() * 1_000_003L + shots * 7919L + s);
        int[] rows = new int[shots * nClasses];
        int[] labels = new int[rows.length];
        for (int c = 0; c < nClasses; c++) {
          List<Integer> pool = byClass.get(c);
          int[] idx = pool.stream().mapToInt(Integer::intValue).toArray();
          for (int k = 0; k < shots; k++) { // partial Fisher-Yates
            int j = k + rng.nextInt(idx.length - k);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
            rows[c * shots + k] = idx[k];
            labels[c * shots + k] = c;
          }
        }
        double[][] x = preprocess(trainX, rows, mean);
        long t0 = System.nanoTime();
        LogisticRegression lr =
            LogisticRegression.fit(x, labels, nClasses, cfg.lambdaTimesN() / rows.length, cfg.lbfgs());
        int[] pred = lr.predict(test);
        long hit = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == yt[i]) hit++;
        accs[s] = (double) hit / pred.length;
        Lbfgs.Result fr = lr.fitResult();
        log.info(
            "low-shot {}/class split {}: acc={} (L-BFGS {} iters, |g|inf={}, {}; {} ms)",
            shots, s, String.format("%.4f", accs[s]), fr.iterations(), String.format("%.2e", fr.gradInfNorm()),
            fr.reason(), (System.nanoTime() - t0) / 1_000_000);
      }
      double m = 0;
      for (double a : accs) m += a;
      meanAcc.put(shots, m / accs.length);
      splitAcc.put(shots, accs);
    }
    return new Result(meanAcc, splitAcc);
  }

  /** Centred, L2-normalised double rows (all rows when {@code rows == null}). */
  static double[][] preprocess(float[][] x, int[] rows, double[] mean) {
    int m = rows == null ? x.length : rows.length, d = mean.length;
    double[][] out = new double[m][d];
    for (int i = 0; i < m; i++) {
      float[] r = x[rows == null ? i : rows[i]];
      double s = 0;
      for (int j = 0; j < d; j++) {
        double v = r[j] - mean[j];
        out[i][j] = v;
        s += v * v;
      }
      double nrm = Math.sqrt(s);
      if (nrm > 0) for (int j = 0; j < d; j++) out[i][j] /= nrm;
    }
    return out;
  }
}
