package org.maect.eval.cluster;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.maect.eval.Inputs;
import org.maect.eval.linalg.Parallel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mini-batch k-means (Sculley 2010) as scikit-learn 1.2's {@code MiniBatchKMeans}: k-means++ on a random
 * subset of {@code initSize} samples, then steps on random mini-batches where each centre moves to the
 * running mean of the samples it has received ({@code c ← (c·count + Σx) / (count + m)}); centres whose
 * count falls below {@code reassignmentRatio · max count} are moved to random batch samples every
 * {@code 10·k} samples; stop when the exponentially averaged batch inertia has not improved for
 * {@code maxNoImprovement} steps or after {@code maxEpochs} passes. Each restart is scored by its
 * full-data inertia; the lowest is kept.
 *
 * <p>Shapes: x {@code [n, d]}; centres {@code [k, d]}.
 */
public final class KMeans {
  private static final Logger log = LoggerFactory.getLogger(KMeans.class);

  private KMeans() {}

  public static KMeansResult fit(KMeansConfig cfg, float[][] x) {
    int d = Inputs.checkFeatures("k-means features", x);
    int n = x.length;
    if (cfg.k() < 1) throw new IllegalArgumentException("k-means: k must be set (got " + cfg.k() + ")");
    if (n < cfg.k()) {
      throw new IllegalArgumentException("k-means: k = " + cfg.k() + " clusters but only " + n + " samples");
    }
    float[] flat = cfg.standardize() ? Standardizer.fit(x).transformFlat(x) : Standardizer.flat(x);
    SplittableRandom root = new SplittableRandom(cfg.seed());
    KMeansResult best = null;
    double[] inertias = new double[cfg.restarts()];
    for (int r = 0; r < cfg.restarts(); r++) {
      long t0 = System.nanoTime();
      Run run = runOnce(cfg, flat, n, d, root.split());
      inertias[r] = run.inertia;
      log.info(
          "k-means restart {}/{}: k={} steps={} inertia={} ({} ms)",
          r + 1, cfg.restarts(), cfg.k(), run.steps, String.format("%.6g", run.inertia),
          (System.nanoTime() - t0) / 1_000_000);
      if (best == null || run.inertia < best.inertia()) {
        float[][] c = new float[cfg.k()][d];
        for (int i = 0; i < cfg.k(); i++) System.arraycopy(run.centers, i * d, c[i], 0, d);
        best = new KMeansResult(run.labels, c, run.inertia, r, run.steps, null);
      }
    }
    return new KMeansResult(best.labels(), best.centers(), best.inertia(), best.restart(), best.steps(), inertias);
  }

  private record Run(float[] centers, int[] labels, double inertia, int steps) {}

  /** One restart on the flat (possibly standardised) data. */
  static Run runOnce(KMeansConfig cfg, float[] x, int n, int d, SplittableRandom rng) {
    int k = cfg.k();
    int batch = Math.min(cfg.batchSize(), n);
    int initSize = cfg.initSize() > 0 ? cfg.initSize() : Math.max(3 * batch, 3 * k);
    initSize = Math.min(initSize, n);
    // k-means++ on a random subset (with replacement, as sklearn's randint)
    float[] pool = new float[initSize * d];
    for (int i = 0; i < initSize; i++) System.arraycopy(x, rng.nextInt(n) * d, pool, i * d, d);
    long t0 = System.nanoTime();
    float[] centers = KMeansPlusPlus.init(pool, initSize, d, k, rng);
    long tInit = System.nanoTime();

    double[] counts = new double[k];
    long steps = Math.max(1, ((long) cfg.maxEpochs() * n) / batch);
    double ewa = Double.NaN, ewaMin = Double.NaN;
    int noImprovement = 0;
    long sinceReassign = 0;
    int[] rows = new int[batch];
    double[] sums = new double[k * d];
    int[] members = new int[k];
    float[] packBuf = new float[((k + 31) / 32 + 1) * 32 * d]; // reused centre panels (no 4 MB garbage per step)
    int step;
    for (step = 0; step < steps; step++) {
      for (int i = 0; i < batch; i++) rows[i] = rng.nextInt(n);
      int[] lab = NearestCenter.assign(x, n, d, rows, centers, k, packBuf);
      // batch inertia with the old centres (exact, double)
      double inertia = 0;
      for (int i = 0; i < batch; i++) inertia += NearestCenter.dist2(x, rows[i], centers, lab[i], d);
      // centre update: running means
      Arrays.fill(sums, 0.0);
      Arrays.fill(members, 0);
      for (int i = 0; i < batch; i++) {
        int c = lab[i], xo = rows[i] * d, so = c * d;
        members[c]++;
        for (int j = 0; j < d; j++) sums[so + j] += x[xo + j];
      }
      final float[] cen = centers;
      Parallel.forRange(
          k,
          Parallel.grain(k, 4),
          (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
              int m = members[c];
              if (m == 0) continue;
              double old = counts[c], tot = old + m;
              int so = c * d;
              for (int j = 0; j < d; j++) cen[so + j] = (float) ((cen[so + j] * old + sums[so + j]) / tot);
              counts[c] = tot;
            }
          });
      // random reassignment of starved centres (sklearn's _random_reassign rule)
      sinceReassign += batch;
      boolean anyZero = false;
      for (double c : counts) if (c == 0) anyZero = true;
      if (cfg.reassignmentRatio() > 0 && (anyZero || sinceReassign >= 10L * k)) {
        sinceReassign = 0;
        reassign(cfg.reassignmentRatio(), counts, centers, x, rows, d, rng);
      }
      // early stopping on the smoothed batch inertia (skip the first step, as sklearn)
      double bi = inertia / batch;
      if (step == 0) continue;
      if (Double.isNaN(ewa)) {
        ewa = bi;
      } else {
        double alpha = Math.min(1.0, batch * 2.0 / (n + 1));
        ewa = ewa * (1 - alpha) + bi * alpha;
      }
      if (Double.isNaN(ewaMin) || ewa < ewaMin) {
        noImprovement = 0;
        ewaMin = ewa;
      } else {
        noImprovement++;
      }
      if (noImprovement >= cfg.maxNoImprovement()) {
        step++;
        break;
      }
    }
    long tSteps = System.nanoTime();
    int[] labels = NearestCenter.assign(x, n, d, null, centers, k, packBuf);
    double[] part = new double[n];
    final float[] cen = centers;
    Parallel.forRange(
        n,
        Parallel.grain(n, 4),
        (a, b) -> {
          for (int i = a; i < b; i++) part[i] = NearestCenter.dist2(x, i, cen, labels[i], d);
        });
    double total = 0;
    for (double p : part) total += p;
    log.debug("k-means timing: k-means++ {} ms, {} steps {} ms, full assignment {} ms", (tInit - t0) / 1_000_000,
        step, (tSteps - tInit) / 1_000_000, (System.nanoTime() - tSteps) / 1_000_000);
    return new Run(centers, labels, total, Math.min(step, (int) Math.min(Integer.MAX_VALUE, steps)));
  }

  private static void reassign(
      double ratio, double[] counts, float[] centers, float[] x, int[] batchRows, int d, SplittableRandom rng) {
    int k = counts.length;
    double max = 0;
    for (double c : counts) max = Math.max(max, c);
    double thr = ratio * max;
    int nLow = 0;
    for (double c : counts) if (c < thr) nLow++;
    if (nLow == 0) return;
    Integer[] low = new Integer[nLow];
    int q = 0;
    for (int c = 0; c < k; c++) if (counts[c] < thr) low[q++] = c;
    int limit = (int) (0.5 * batchRows.length);
    if (nLow > limit) {
      // keep only the smallest counts, as sklearn does
      Arrays.sort(low, (a, b) -> Double.compare(counts[a], counts[b]));
      low = Arrays.copyOf(low, limit);
      nLow = limit;
    }
    if (nLow == 0) return;
    boolean[] moved = new boolean[k];
    for (int c : low) moved[c] = true;
    double minKept = Double.POSITIVE_INFINITY;
    for (int c = 0; c < k; c++) if (!moved[c]) minKept = Math.min(minKept, counts[c]);
    // distinct random batch samples
    int[] pick = batchRows.clone();
    for (int i = 0; i < nLow; i++) {
      int j = i + rng.nextInt(pick.length - i);
      int t = pick[i];
      pick[i] = pick[j];
      pick[j] = t;
      System.arraycopy(x, pick[i] * d, centers, low[i] * d, d);
      counts[low[i]] = Double.isFinite(minKept) ? minKept : 0;
    }
  }
}
