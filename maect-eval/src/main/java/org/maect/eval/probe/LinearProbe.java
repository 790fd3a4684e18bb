package org.maect.eval.probe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.maect.eval.Inputs;
import org.maect.eval.linalg.FloatPanels;
import org.maect.eval.linalg.Gemm;
import org.maect.eval.linalg.Parallel;
import org.maect.eval.metrics.LabelEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linear probe as in MAE/MAE-CT: {@code BatchNorm1d(affine=False, eps=1e-6)} followed by a linear layer
 * (weights ~ N(0, 0.01²) truncated at 2σ, bias 0), softmax cross-entropy, SGD with momentum
 * ({@code buf = μ buf + g; w -= lr buf}, PyTorch's form), per-step linear warmup then cosine decay.
 *
 * <p>The learning-rate sweep trains in one pass: the classifiers of all rates are stacked into one
 * {@code [R·C, d]} matrix, so every batch is normalised once and both products (logits and weight
 * gradient) are single blocked matrix multiplications. BatchNorm uses batch statistics in training
 * (running statistics with momentum 0.1 and unbiased variance, as PyTorch, at test time). The reported
 * accuracy is the best over the sweep, on the test set, as the paper's protocol.
 *
 * <p>Shapes: batch {@code [B, d]}, W {@code [R·C, d]}, logits {@code [B, R·C]}.
 */
public final class LinearProbe {
  private static final Logger log = LoggerFactory.getLogger(LinearProbe.class);
  private static final double BN_EPS = 1e-6, BN_MOMENTUM = 0.1;

  private LinearProbe() {}

  /**
   * @param bestAccuracy best test accuracy over the sweep
   * @param bestLearningRate the rate that reached it (the larger rate on ties)
   * @param accuracyByLearningRate test accuracy of every rate
   */
  public record Result(double bestAccuracy, double bestLearningRate, Map<Double, Double> accuracyByLearningRate) {}

  public static Result train(LinearProbeConfig cfg, float[][] trainX, int[] trainY, float[][] testX, int[] testY) {
    LabelEncoding enc = Inputs.checkTrainTest(trainX, trainY, testX, testY);
    int n = trainX.length, d = trainX[0].length, nc = enc.size(), nr = cfg.learningRates().length;
    int rc = nr * nc;
    int[] y = enc.encode(trainY), yt = enc.encode(testY);
    int batch = Math.min(cfg.batchSize(), n);
    int stepsPerEpoch = n / batch;
    long totalSteps = (long) stepsPerEpoch * cfg.epochs();
    long warmupSteps = (long) stepsPerEpoch * cfg.warmupEpochs();
    SplittableRandom rng = new SplittableRandom(cfg.seed());
    float[] w = new float[rc * d];
    for (int i = 0; i < w.length; i++) w[i] = (float) truncatedNormal(rng, 0.01);
    float[] bias = new float[rc];
    float[] bufW = new float[rc * d], bufB = new float[rc];
    double[] runMean = new double[d], runVar = new double[d];
    java.util.Arrays.fill(runVar, 1.0);
    float[] xb = new float[batch * d], xbT = new float[d * batch];
    float[] gT = new float[rc * batch];
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    long step = 0, t0 = System.nanoTime();
    for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      double[] lossSum = new double[nr];
      for (int s = 0; s < stepsPerEpoch; s++, step++) {
        // gather + batch norm (batch statistics)
        for (int r = 0; r < batch; r++) System.arraycopy(trainX[perm[s * batch + r]], 0, xb, r * d, d);
        batchNorm(xb, batch, d, runMean, runVar);
        FloatPanels wp = FloatPanels.pack(w, rc, d);
        int ldz = wp.paddedN();
        float[] z = new float[batch * ldz];
        Gemm.abt(xb, batch, d, wp, z, ldz, true);
        // softmax cross-entropy per rate; gT [rc, batch] = (p - onehot) / B
        for (int r = 0; r < batch; r++) {
          int yi = y[perm[s * batch + r]];
          for (int l = 0; l < nr; l++) {
            int o = r * ldz + l * nc;
            double mx = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < nc; c++) mx = Math.max(mx, z[o + c] + bias[l * nc + c]);
            double se = 0;
            for (int c = 0; c < nc; c++) se += Math.exp(z[o + c] + bias[l * nc + c] - mx);
            double lse = mx + Math.log(se);
            lossSum[l] += lse - (z[o + yi] + bias[l * nc + yi]);
            for (int c = 0; c < nc; c++) {
              double p = Math.exp(z[o + c] + bias[l * nc + c] - lse);
              gT[(l * nc + c) * batch + r] = (float) ((p - (c == yi ? 1 : 0)) / batch);
            }
          }
        }
        // grad W = gT · xb  ( [rc, B] x [B, d] ), as abt with xbᵀ packed
        for (int r = 0; r < batch; r++) for (int j = 0; j < d; j++) xbT[j * batch + r] = xb[r * d + j];
        FloatPanels xp = FloatPanels.pack(xbT, d, batch);
        int ldg = xp.paddedN();
        float[] gw = new float[rc * ldg];
        Gemm.abt(gT, rc, batch, xp, gw, ldg, true);
        double progress = step < warmupSteps ? (step + 1.0) / warmupSteps
            : 0.5 * (1 + Math.cos(Math.PI * (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps)));
        float mu = (float) cfg.momentum();
        Parallel.forRange(
            rc,
            Parallel.grain(rc, 2),
            (a, b) -> {
              for (int row = a; row < b; row++) {
                float lr = (float) (cfg.learningRates()[row / nc] * progress);
                double gb = 0;
                for (int r = 0; r < batch; r++) gb += gT[row * batch + r];
                bufB[row] = mu * bufB[row] + (float) gb;
                bias[row] -= lr * bufB[row];
                int wo = row * d, go = row * ldg;
                for (int j = 0; j < d; j++) {
                  float v = mu * bufW[wo + j] + gw[go + j];
                  bufW[wo + j] = v;
                  w[wo + j] -= lr * v;
                }
              }
            });
      }
      if (epoch == 0 || epoch == cfg.epochs() - 1 || (epoch + 1) % 10 == 0) {
        StringBuilder losses = new StringBuilder();
        for (int l = 0; l < nr; l++) {
          losses.append(l == 0 ? "" : ", ").append(cfg.learningRates()[l]).append('=')
              .append(String.format(java.util.Locale.ROOT, "%.4f", lossSum[l] / ((double) stepsPerEpoch * batch)));
        }
        log.info("linear probe epoch {}/{}: train loss by lr {{}} ({} ms)", epoch + 1, cfg.epochs(), losses,
            (System.nanoTime() - t0) / 1_000_000);
      }
    }
    // evaluation with running statistics
    int[] hits = new int[nr];
    FloatPanels wp = FloatPanels.pack(w, rc, d);
    int ldz = wp.paddedN();
    int block = 256;
    float[] inv = new float[d];
    for (int j = 0; j < d; j++) inv[j] = (float) (1.0 / Math.sqrt(runVar[j] + BN_EPS));
    for (int b0 = 0; b0 < testX.length; b0 += block) {
      int m = Math.min(block, testX.length - b0);
      float[] xe = new float[m * d];
      for (int r = 0; r < m; r++) {
        for (int j = 0; j < d; j++) xe[r * d + j] = (float) ((testX[b0 + r][j] - runMean[j]) * inv[j]);
      }
      float[] z = new float[m * ldz];
      Gemm.abt(xe, m, d, wp, z, ldz, true);
      for (int r = 0; r < m; r++) {
        for (int l = 0; l < nr; l++) {
          int best = 0;
          float bv = Float.NEGATIVE_INFINITY;
          for (int c = 0; c < nc; c++) {
            float v = z[r * ldz + l * nc + c] + bias[l * nc + c];
            if (v > bv) {
              bv = v;
              best = c;
            }
          }
          if (best == yt[b0 + r]) hits[l]++;
        }
      }
    }
    Map<Double, Double> acc = new LinkedHashMap<>();
    double bestAcc = -1, bestLr = Double.NaN;
    for (int l = 0; l < nr; l++) {
      double a = (double) hits[l] / testX.length;
      acc.put(cfg.learningRates()[l], a);
      if (a > bestAcc || (a == bestAcc && cfg.learningRates()[l] > bestLr)) {
        bestAcc = a;
        bestLr = cfg.learningRates()[l];
      }
    }
    log.info("linear probe: accuracy by lr {} -> best {} at lr {}", acc, String.format("%.4f", bestAcc), bestLr);
    return new Result(bestAcc, bestLr, acc);
  }

  /** In-place batch normalisation with batch statistics; updates the running statistics. */
  static void batchNorm(float[] xb, int batch, int d, double[] runMean, double[] runVar) {
    double[] mean = new double[d], var = new double[d];
    for (int r = 0; r < batch; r++) for (int j = 0; j < d; j++) mean[j] += xb[r * d + j];
    for (int j = 0; j < d; j++) mean[j] /= batch;
    for (int r = 0; r < batch; r++) {
      for (int j = 0; j < d; j++) {
        double t = xb[r * d + j] - mean[j];
        var[j] += t * t;
      }
    }
    float[] inv = new float[d];
    for (int j = 0; j < d; j++) {
      double biased = var[j] / batch;
      inv[j] = (float) (1.0 / Math.sqrt(biased + BN_EPS));
      runMean[j] = (1 - BN_MOMENTUM) * runMean[j] + BN_MOMENTUM * mean[j];
      runVar[j] = (1 - BN_MOMENTUM) * runVar[j] + BN_MOMENTUM * (var[j] / Math.max(1, batch - 1));
    }
    for (int r = 0; r < batch; r++) {
      for (int j = 0; j < d; j++) xb[r * d + j] = (float) ((xb[r * d + j] - mean[j]) * inv[j]);
    }
  }

  private static double truncatedNormal(SplittableRandom rng, double std) {
    while (true) {
      double v = nextGaussian(rng);
      if (Math.abs(v) <= 2) return v * std;
    }
  }

  private static double nextGaussian(SplittableRandom rng) {
    double u, v, s;
    do {
      u = 2 * rng.nextDouble() - 1;
      v = 2 * rng.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }
}
