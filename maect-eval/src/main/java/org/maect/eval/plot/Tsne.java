package org.maect.eval.plot;

import java.util.SplittableRandom;
import org.maect.eval.Inputs;
import org.maect.eval.linalg.DoublePanels;
import org.maect.eval.linalg.Gemm;
import org.maect.eval.linalg.Parallel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exact t-SNE (van der Maaten & Hinton 2008) for a few thousand points, with scikit-learn's optimiser
 * settings: per-point Gaussian bandwidths found by bisection to the target perplexity (natural log),
 * symmetrised {@code P = (P_j|i + P_i|j) / 2n}, Student-t similarities in 2-D, early exaggeration 12 for
 * 250 iterations with momentum 0.5 then 0.8, per-parameter gains (+0.2 / ×0.8, min 0.01), learning rate
 * {@code max(n / 12 / 4, 50)}, PCA initialisation scaled to std 1e-4.
 *
 * <p>Cost O(n² d) once for the distances and O(n²) per iteration (parallel over rows); memory n² floats.
 * Shapes: x {@code [n, d]} -> y {@code [n, 2]}.
 */
public final class Tsne {
  private static final Logger log = LoggerFactory.getLogger(Tsne.class);

  /** t-SNE settings; {@code learningRate <= 0} selects scikit-learn's "auto" rate. */
  public record Config(double perplexity, int iterations, int exaggerationIterations, double exaggeration, double learningRate, long seed) {
    public Config {
      if (!(perplexity > 1)) throw new IllegalArgumentException("Invalid perplexity: " + perplexity);
      if (iterations < 1 || exaggerationIterations < 0 || exaggerationIterations > iterations) {
        throw new IllegalArgumentException("Invalid t-SNE iterations: " + iterations + " / " + exaggerationIterations);
      }
      if (!(exaggeration >= 1)) throw new IllegalArgumentException("Invalid exaggeration: " + exaggeration);
    }

    public static Config defaults(long seed) {
      return new Config(30, 1000, 250, 12, 0, seed);
    }
  }

  private Tsne() {}

  public static float[][] embed(float[][] x, Config cfg) {
    int d = Inputs.checkFeatures("t-SNE input", x);
    int n = x.length;
    if (n < 4) throw new IllegalArgumentException("t-SNE needs at least 4 points, got " + n);
    if (n > 20_000) throw new IllegalArgumentException("exact t-SNE is O(n²): " + n + " points is too many (sample ≤ 20000)");
    if (cfg.perplexity() >= n) {
      throw new IllegalArgumentException("perplexity " + cfg.perplexity() + " must be below the number of points " + n);
    }
    long t0 = System.nanoTime();
    float[] p = affinities(x, n, d, cfg.perplexity());
    double[] y = pcaInit(x, n, d, new SplittableRandom(cfg.seed()));
    double lr = cfg.learningRate() > 0 ? cfg.learningRate() : Math.max(n / cfg.exaggeration() / 4, 50);
    double[] update = new double[2 * n], gains = new double[2 * n], grad = new double[2 * n];
    java.util.Arrays.fill(gains, 1.0);
    for (int it = 0; it < cfg.iterations(); it++) {
      boolean early = it < cfg.exaggerationIterations();
      double exag = early ? cfg.exaggeration() : 1.0, momentum = early ? 0.5 : 0.8;
      double kl = gradient(p, y, n, exag, grad, (it + 1) % 250 == 0);
      for (int i = 0; i < 2 * n; i++) {
        boolean sameSign = update[i] * grad[i] < 0;
        gains[i] = sameSign ? gains[i] + 0.2 : gains[i] * 0.8;
        if (gains[i] < 0.01) gains[i] = 0.01;
        update[i] = momentum * update[i] - lr * gains[i] * grad[i];
        y[i] += update[i];
      }
      if (!Double.isNaN(kl) && (it + 1) % 250 == 0) {
        log.info("t-SNE iteration {}/{}: KL {} ({} ms)", it + 1, cfg.iterations(), String.format("%.4f", kl), (System.nanoTime() - t0) / 1_000_000);
      }
    }
    float[][] out = new float[n][2];
    for (int i = 0; i < n; i++) {
      out[i][0] = (float) y[2 * i];
      out[i][1] = (float) y[2 * i + 1];
    }
    return out;
  }

  /** Symmetric joint probabilities {@code [n * n]} (row-major, zero diagonal). */
  static float[] affinities(float[][] x, int n, int d, double perplexity) {
    double[] flat = new double[n * d], sq = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        flat[i * d + j] = x[i][j];
        sq[i] += (double) x[i][j] * x[i][j];
      }
    }
    DoublePanels panels = DoublePanels.pack(flat, n, d);
    int ld = panels.paddedN();
    float[] cond = new float[n * n];
    double target = Math.log(perplexity);
    int block = 64;
    Parallel.forRange((n + block - 1) / block, 1, (b0, b1) -> {
      double[] dots = new double[block * ld], a = new double[block * d], dist = new double[n], pr = new double[n];
      for (int b = b0; b < b1; b++) {
        int r0 = b * block, rows = Math.min(block, n - r0);
        System.arraycopy(flat, r0 * d, a, 0, rows * d);
        Gemm.abt(a, rows, d, panels, dots, ld, false);
        for (int r = 0; r < rows; r++) {
          int i = r0 + r;
          for (int j = 0; j < n; j++) dist[j] = Math.max(0, sq[i] + sq[j] - 2 * dots[r * ld + j]);
          dist[i] = 0;
          // bisection on beta = 1 / (2 sigma²) so that the entropy equals log(perplexity)
          double beta = 1, lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
          for (int step = 0; step < 100; step++) {
            double sum = 0, dsum = 0;
            for (int j = 0; j < n; j++) {
              if (j == i) {
                pr[j] = 0;
                continue;
              }
              pr[j] = Math.exp(-dist[j] * beta);
              sum += pr[j];
            }
            if (sum == 0) sum = 1e-8;
            for (int j = 0; j < n; j++) dsum += dist[j] * pr[j];
            double h = Math.log(sum) + beta * dsum / sum;
            for (int j = 0; j < n; j++) pr[j] /= sum;
            double diff = h - target;
            if (Math.abs(diff) <= 1e-5) break;
            if (diff > 0) {
              lo = beta;
              beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
            } else {
              hi = beta;
              beta = lo == Double.NEGATIVE_INFINITY ? beta / 2 : (beta + lo) / 2;
            }
          }
          for (int j = 0; j < n; j++) cond[i * n + j] = (float) pr[j];
        }
      }
    });
    // symmetrise in place: P_ij = (c_ij + c_ji) / 2n, floored at machine epsilon like sklearn
    float[] p = cond;
    double norm = 2.0 * n;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        float v = (float) Math.max((p[i * n + j] + p[j * n + i]) / norm, 1e-12);
        p[i * n + j] = v;
        p[j * n + i] = v;
      }
      p[i * n + i] = 0;
    }
    return p;
  }

  /**
   * Writes dKL/dy into grad; returns KL(P||Q) when {@code withKl} (else NaN). Each pair is computed once
   * (j > i) and added to both points; rows are split into chunks of about equal pair counts, each with its
   * own accumulators, merged in chunk order (deterministic for any thread count).
   */
  static double gradient(float[] p, double[] y, int n, double exag, double[] grad, boolean withKl) {
    double[] y0 = new double[n], y1 = new double[n];
    for (int i = 0; i < n; i++) {
      y0[i] = y[2 * i];
      y1[i] = y[2 * i + 1];
    }
    int chunks = Math.min(n, 16);
    int[] bounds = new int[chunks + 1];
    long pairs = (long) n * (n - 1) / 2, acc = 0;
    for (int i = 0, c = 1; i < n && c < chunks; i++) { // equal-area split of the upper triangle
      acc += n - 1 - i;
      if (acc >= pairs * c / chunks) bounds[c++] = i + 1;
    }
    bounds[chunks] = n;
    for (int c = 1; c <= chunks; c++) bounds[c] = Math.max(bounds[c], bounds[c - 1]);
    double[][] attr = new double[chunks][], rep = new double[chunks][];
    double[] zc = new double[chunks];
    Parallel.forRange(chunks, 1, (c0, c1) -> {
      for (int c = c0; c < c1; c++) {
        double[] at = new double[2 * n], rp = new double[2 * n];
        double z = 0;
        for (int i = bounds[c]; i < bounds[c + 1]; i++) {
          double yi0 = y0[i], yi1 = y1[i];
          double a0 = 0, a1 = 0, r0 = 0, r1 = 0;
          int po = i * n;
          for (int j = i + 1; j < n; j++) {
            double d0 = yi0 - y0[j], d1 = yi1 - y1[j];
            double w = 1.0 / (1.0 + d0 * d0 + d1 * d1);
            z += w;
            double pw = p[po + j] * w, ww = w * w;
            double fa0 = pw * d0, fa1 = pw * d1, fr0 = ww * d0, fr1 = ww * d1;
            a0 += fa0;
            a1 += fa1;
            r0 += fr0;
            r1 += fr1;
            at[2 * j] -= fa0;
            at[2 * j + 1] -= fa1;
            rp[2 * j] -= fr0;
            rp[2 * j + 1] -= fr1;
          }
          at[2 * i] += a0;
          at[2 * i + 1] += a1;
          rp[2 * i] += r0;
          rp[2 * i + 1] += r1;
        }
        attr[c] = at;
        rep[c] = rp;
        zc[c] = 2 * z; // Z sums over ordered pairs
      }
    });
    double z = 0;
    for (double v : zc) z += v;
    java.util.Arrays.fill(grad, 0.0);
    for (int c = 0; c < chunks; c++) {
      for (int i = 0; i < 2 * n; i++) grad[i] += exag * attr[c][i] - rep[c][i] / z;
    }
    for (int i = 0; i < 2 * n; i++) grad[i] *= 4;
    if (!withKl) return Double.NaN;
    double kl = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i == j) continue;
        double pij = p[i * n + j];
        double d0 = y0[i] - y0[j], d1 = y1[i] - y1[j];
        double q = Math.max(1.0 / (1.0 + d0 * d0 + d1 * d1) / z, 1e-12);
        kl += pij * Math.log(Math.max(pij, 1e-12) / q);
      }
    }
    return kl;
  }

  /** First two principal components (power iteration), scaled so column 0 has std 1e-4. */
  static double[] pcaInit(float[][] x, int n, int d, SplittableRandom rng) {
    double[] mean = new double[d];
    for (float[] r : x) for (int j = 0; j < d; j++) mean[j] += r[j];
    for (int j = 0; j < d; j++) mean[j] /= n;
    double[][] comps = new double[2][];
    for (int c = 0; c < 2; c++) {
      double[] v = new double[d];
      for (int j = 0; j < d; j++) v[j] = rng.nextDouble() - 0.5;
      for (int it = 0; it < 100; it++) {
        double[] xv = new double[n];
        for (int i = 0; i < n; i++) {
          double s = 0;
          for (int j = 0; j < d; j++) s += (x[i][j] - mean[j]) * v[j];
          xv[i] = s;
        }
        double[] nv = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) nv[j] += xv[i] * (x[i][j] - mean[j]);
        for (int k = 0; k < c; k++) { // deflate
          double dp = 0;
          for (int j = 0; j < d; j++) dp += nv[j] * comps[k][j];
          for (int j = 0; j < d; j++) nv[j] -= dp * comps[k][j];
        }
        double nrm = 0;
        for (double t : nv) nrm += t * t;
        nrm = Math.sqrt(nrm);
        if (nrm == 0) break;
        for (int j = 0; j < d; j++) nv[j] /= nrm;
        v = nv;
      }
      comps[c] = v;
    }
    double[] y = new double[2 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 2; c++) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (x[i][j] - mean[j]) * comps[c][j];
        y[2 * i + c] = s;
      }
    }
    double m0 = 0, v0 = 0;
    for (int i = 0; i < n; i++) m0 += y[2 * i];
    m0 /= n;
    for (int i = 0; i < n; i++) v0 += (y[2 * i] - m0) * (y[2 * i] - m0);
    double sd = Math.sqrt(v0 / n);
    double scale = sd > 0 ? 1e-4 / sd : 1.0;
    for (int i = 0; i < 2 * n; i++) y[i] *= scale;
    if (sd == 0) for (int i = 0; i < 2 * n; i++) y[i] = 1e-4 * (rng.nextDouble() - 0.5);
    return y;
  }
}
