package org.maect.eval.lowshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

/** Multinomial L2 logistic regression against scikit-learn's lbfgs solution (tol 1e-12). */
class LogisticRegressionTest {

  private static double[][] toDouble(float[][] x) {
    double[][] o = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      o[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) o[i][j] = x[i][j];
    }
    return o;
  }

  @Test
  void weightsObjectiveAndAccuracyMatchScikitLearn() {
    JsonNode g = Golden.load("logreg.json");
    double[][] x = toDouble(Golden.floats2(g.get("x")));
    double[][] xt = toDouble(Golden.floats2(g.get("test_x")));
    int[] y = Golden.ints(g.get("y")), yt = Golden.ints(g.get("test_y"));
    for (JsonNode fit : g.get("fits")) {
      double lambda = fit.get("lambda").asDouble();
      LogisticRegression lr = LogisticRegression.fit(x, y, 5, lambda, Lbfgs.Options.tight());
      assertThat(lr.fitResult().converged()).as(lr.fitResult().reason()).isTrue();
      // Same convex problem: our optimum is at least as low as sklearn's (measured: lower by 1e-10..1e-7,
      // sklearn's lbfgs stops earlier) and not lower by more than 1e-6 relative.
      double ref = fit.get("objective").asDouble();
      assertThat(lr.fitResult().value()).as("objective, lambda=" + lambda)
          .isLessThanOrEqualTo(ref + 1e-12)
          .isGreaterThan(ref * (1 - 1e-6));
      double[] w = lr.weights();
      JsonNode wRef = fit.get("W");
      // Weights: sklearn's are less converged (|dW| ~ sqrt(2 df / lambda) ~ 6e-5 at lambda=0.1);
      // tiny lambda: flat valley, looser.
      double tol = lambda >= 0.1 ? 2e-4 : 2e-2;
      double maxAbs = 0;
      for (int c = 0; c < 5; c++) for (int j = 0; j < x[0].length; j++) maxAbs = Math.max(maxAbs, Math.abs(wRef.get(c).get(j).asDouble()));
      for (int c = 0; c < 5; c++) {
        for (int j = 0; j < x[0].length; j++) {
          assertThat(w[c * x[0].length + j]).isCloseTo(wRef.get(c).get(j).asDouble(), within(tol * Math.max(1, maxAbs)));
        }
      }
      int[] p = lr.predict(xt);
      long hit = 0;
      for (int i = 0; i < p.length; i++) if (p[i] == yt[i]) hit++;
      assertThat((double) hit / p.length).isEqualTo(fit.get("test_acc").asDouble());
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    int n = 7, d = 4, c = 3;
    double[][] x = new double[n][d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(c);
      for (int j = 0; j < d; j++) x[i][j] = r.nextGaussian();
    }
    double[] xf = new double[n * d], xt = new double[d * n];
    for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) {
      xf[i * d + j] = x[i][j];
      xt[j * n + i] = x[i][j];
    }
    var panels = org.maect.eval.linalg.DoublePanels.pack(xt, d, n);
    double[] w = new double[c * d];
    for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian();
    double[] g = new double[w.length], dummy = new double[w.length];
    LogisticRegression.objective(w, g, xf, panels, y, n, d, c, 0.3);
    for (int i = 0; i < w.length; i++) {
      double h = 1e-6, o = w[i];
      w[i] = o + h;
      double fp = LogisticRegression.objective(w, dummy, xf, panels, y, n, d, c, 0.3);
      w[i] = o - h;
      double fm = LogisticRegression.objective(w, dummy, xf, panels, y, n, d, c, 0.3);
      w[i] = o;
      assertThat(g[i]).isCloseTo((fp - fm) / (2 * h), within(1e-8));
    }
  }

  @Test
  void lowShotRejectsClassesWithTooFewSamples() {
    float[][] x = {{1, 0}, {0, 1}, {1, 1}};
    assertThatThrownBy(() -> LowShot.evaluate(LowShotConfig.paper(0), x, new int[] {0, 1, 1}, x, new int[] {0, 1, 1}))
        .hasMessageContaining("class 0 has 1 training samples, fewer than 5 shots");
  }

  @Test
  void lbfgsMinimisesRosenbrock() {
    Lbfgs.Result r = Lbfgs.minimize((v, g) -> {
      double a = v[0], b = v[1];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
    }, new double[] {-1.2, 1}, Lbfgs.Options.tight());
    assertThat(r.x()[0]).isCloseTo(1, within(1e-6));
    assertThat(r.x()[1]).isCloseTo(1, within(1e-6));
  }
}
