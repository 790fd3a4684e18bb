package org.maect.eval.lowshot;

import org.maect.eval.linalg.DoublePanels;
import org.maect.eval.linalg.Gemm;
import org.maect.eval.linalg.Parallel;

/**
 * Multinomial logistic regression without intercept, L2-regularised:
 * {@code min_W (1/n) Σ_i [log Σ_c exp(w_c·x_i) - w_{y_i}·x_i] + (λ/2) ||W||²}, solved by {@link Lbfgs}.
 *
 * <p>The same minimiser as scikit-learn's {@code LogisticRegression(multi_class="multinomial",
 * fit_intercept=False, C=1/(λ n))}. Shapes: x {@code [n, d]}, y {@code [n]} in {@code 0..C-1}, W
 * {@code [C, d]}.
 */
public final class LogisticRegression {
  private final double[] w;
  private final int classes;
  private final int dim;
  private final Lbfgs.Result fit;

  private LogisticRegression(double[] w, int classes, int dim, Lbfgs.Result fit) {
    this.w = w;
    this.classes = classes;
    this.dim = dim;
    this.fit = fit;
  }

  /** Fits on rows of {@code x} with labels {@code y ∈ [0, classes)}. */
  public static LogisticRegression fit(double[][] x, int[] y, int classes, double lambda, Lbfgs.Options opt) {
    int n = x.length, d = x[0].length;
    if (y.length != n) throw new IllegalArgumentException(n + " rows but " + y.length + " labels");
    if (!(lambda >= 0)) throw new IllegalArgumentException("Invalid lambda: " + lambda);
    double[] xf = new double[n * d];
    for (int i = 0; i < n; i++) System.arraycopy(x[i], 0, xf, i * d, d);
    double[] xt = new double[d * n]; // X^T [d, n] for the gradient product
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) xt[j * n + i] = xf[i * d + j];
    DoublePanels xtPanels = DoublePanels.pack(xt, d, n);
    Lbfgs.Objective obj = (wv, g) -> objective(wv, g, xf, xtPanels, y, n, d, classes, lambda);
    Lbfgs.Result r = Lbfgs.minimize(obj, new double[classes * d], opt);
    return new LogisticRegression(r.x(), classes, d, r);
  }

  /** Objective and gradient at W (flat {@code [C, d]}). */
  static double objective(
      double[] w, double[] g, double[] x, DoublePanels xtPanels, int[] y, int n, int d, int classes, double lambda) {
    DoublePanels wp = DoublePanels.pack(w, classes, d);
    int ldz = wp.paddedN();
    double[] z = new double[n * ldz];
    Gemm.abt(x, n, d, wp, z, ldz, n >= 64);
    // residual R = softmax(Z) - onehot(y), scaled by 1/n; stored transposed [C, n]
    double[] rt = new double[classes * n];
    double loss = 0;
    for (int i = 0; i < n; i++) {
      int o = i * ldz;
      double mx = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) mx = Math.max(mx, z[o + c]);
      double se = 0;
      for (int c = 0; c < classes; c++) se += Math.exp(z[o + c] - mx);
      double lse = mx + Math.log(se);
      loss += lse - z[o + y[i]];
      for (int c = 0; c < classes; c++) rt[c * n + i] = Math.exp(z[o + c] - lse) / n;
      rt[y[i] * n + i] -= 1.0 / n;
    }
    // G = R^T X = rt [C, n] · (X^T)^T, i.e. abt(rt, X^T packed)
    int ldg = xtPanels.paddedN();
    double[] gg = new double[classes * ldg];
    Gemm.abt(rt, classes, n, xtPanels, gg, ldg, classes >= 16);
    double reg = 0;
    for (int c = 0; c < classes; c++) {
      for (int j = 0; j < d; j++) {
        double wj = w[c * d + j];
        g[c * d + j] = gg[c * ldg + j] + lambda * wj;
        reg += wj * wj;
      }
    }
    return loss / n + 0.5 * lambda * reg;
  }

  /** Class scores {@code [n, C]} (blocked matrix product with the weights). */
  public double[][] decision(double[][] x) {
    int n = x.length;
    double[][] out = new double[n][classes];
    DoublePanels wp = DoublePanels.pack(w, classes, dim);
    int ld = wp.paddedN(), block = 256;
    Parallel.forRange((n + block - 1) / block, 1, (b0, b1) -> {
      double[] a = new double[block * dim], z = new double[block * ld];
      for (int b = b0; b < b1; b++) {
        int r0 = b * block, rows = Math.min(block, n - r0);
        for (int r = 0; r < rows; r++) System.arraycopy(x[r0 + r], 0, a, r * dim, dim);
        Gemm.abt(a, rows, dim, wp, z, ld, false);
        for (int r = 0; r < rows; r++) System.arraycopy(z, r * ld, out[r0 + r], 0, classes);
      }
    });
    return out;
  }

  /** Predicted class indices (ties: the smallest index). */
  public int[] predict(double[][] x) {
    double[][] s = decision(x);
    int[] p = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) if (s[i][c] > s[i][best]) best = c;
      p[i] = best;
    }
    return p;
  }

  /** Weights {@code [C, d]} flat (a copy). */
  public double[] weights() {
    return w.clone();
  }

  public Lbfgs.Result fitResult() {
    return fit;
  }
}
