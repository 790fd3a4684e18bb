package org.maect.eval.lowshot;

/**
 * Limited-memory BFGS (Nocedal & Wright 2006, Alg. 7.4/7.5) with a strong-Wolfe line search (Alg. 3.5/3.6,
 * safeguarded cubic interpolation), for smooth unconstrained minimisation.
 *
 * <p>Stops when {@code max|g_i| <= gradTol}, when the relative decrease of f over an iteration is at most
 * {@code relTol} (scipy's {@code factr · eps} criterion), or after {@code maxIterations}.
 */
public final class Lbfgs {

  /** f and its gradient; writes the gradient into {@code grad} and returns f. */
  @FunctionalInterface
  public interface Objective {
    double valueAndGradient(double[] x, double[] grad);
  }

  /**
   * @param memory number of correction pairs kept
   * @param maxIterations iteration limit
   * @param gradTol tolerance on the largest gradient component
   * @param relTol tolerance on the relative decrease of f
   */
  public record Options(int memory, int maxIterations, double gradTol, double relTol) {
    public Options {
      if (memory < 1 || maxIterations < 1 || !(gradTol >= 0) || !(relTol >= 0)) {
        throw new IllegalArgumentException("Invalid L-BFGS options");
      }
    }

    /** Tight defaults: "solved to convergence". */
    public static Options tight() {
      return new Options(10, 5000, 1e-9, 1e-15);
    }
  }

  /** Outcome; {@code reason} says which criterion stopped the run. */
  public record Result(double[] x, double value, double gradInfNorm, int iterations, int evaluations, String reason) {
    public boolean converged() {
      return !reason.startsWith("max");
    }
  }

  private static final double C1 = 1e-4, C2 = 0.9;

  private Lbfgs() {}

  public static Result minimize(Objective f, double[] x0, Options opt) {
    int n = x0.length, m = opt.memory();
    double[] x = x0.clone(), g = new double[n];
    int[] evals = {0};
    double fx = eval(f, x, g, evals);
    double[][] s = new double[m][n], y = new double[m][n];
    double[] rho = new double[m], alphaBuf = new double[m];
    int stored = 0, head = 0;
    double[] p = new double[n], xNew = new double[n], gNew = new double[n];
    String reason = "max iterations";
    int it;
    for (it = 0; it < opt.maxIterations(); it++) {
      double gInf = infNorm(g);
      if (gInf <= opt.gradTol()) {
        reason = "gradient tolerance";
        break;
      }
      // two-loop recursion: p = -H g
      System.arraycopy(g, 0, p, 0, n);
      for (int k = 0; k < stored; k++) {
        int idx = Math.floorMod(head - 1 - k, m);
        double a = rho[idx] * dot(s[idx], p);
        alphaBuf[idx] = a;
        axpy(-a, y[idx], p);
      }
      double gamma;
      if (stored > 0) {
        int last = Math.floorMod(head - 1, m);
        gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
      } else {
        gamma = 1.0 / Math.max(1e-300, norm2(g)); // first step: unit length
      }
      for (int i = 0; i < n; i++) p[i] *= gamma;
      for (int k = stored - 1; k >= 0; k--) {
        int idx = Math.floorMod(head - 1 - k, m);
        double b = rho[idx] * dot(y[idx], p);
        axpy(alphaBuf[idx] - b, s[idx], p);
      }
      for (int i = 0; i < n; i++) p[i] = -p[i];
      double dphi0 = dot(g, p);
      if (!(dphi0 < 0)) { // not a descent direction: restart from steepest descent
        stored = 0;
        for (int i = 0; i < n; i++) p[i] = -g[i] / Math.max(1e-300, norm2(g));
        dphi0 = dot(g, p);
      }
      double[] fOut = new double[1];
      double step = lineSearch(f, x, fx, g, p, dphi0, xNew, gNew, fOut, evals);
      if (step <= 0) {
        reason = "line search failed (at machine precision)";
        break;
      }
      double fNew = fOut[0];
      // update memory
      double[] sk = s[head], yk = y[head];
      for (int i = 0; i < n; i++) {
        sk[i] = xNew[i] - x[i];
        yk[i] = gNew[i] - g[i];
      }
      double sy = dot(sk, yk);
      if (sy > 1e-16 * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
        rho[head] = 1.0 / sy;
        head = (head + 1) % m;
        stored = Math.min(stored + 1, m);
      }
      System.arraycopy(xNew, 0, x, 0, n);
      System.arraycopy(gNew, 0, g, 0, n);
      double rel = (fx - fNew) / Math.max(Math.max(Math.abs(fx), Math.abs(fNew)), 1.0);
      fx = fNew;
      if (rel <= opt.relTol()) {
        it++;
        reason = "relative decrease tolerance";
        break;
      }
    }
    return new Result(x, fx, infNorm(g), it, evals[0], reason);
  }

  /**
   * Strong-Wolfe line search along p; on success writes the accepted point and gradient into xOut/gOut,
   * sets fOut[0], and returns the step (0 on failure).
   */
  private static double lineSearch(
      Objective f, double[] x, double f0, double[] g0, double[] p, double dphi0, double[] xOut, double[] gOut, double[] fOut, int[] evals) {
    int n = x.length;
    double[] xt = new double[n], gt = new double[n];
    double aPrev = 0, fPrev = f0, dPrev = dphi0;
    double a = 1.0;
    for (int i = 0; i < 40; i++) {
      double fa = trial(f, x, p, a, xt, gt, evals);
      double da = dot(gt, p);
      if (fa > f0 + C1 * a * dphi0 || (i > 0 && fa >= fPrev)) {
        return zoom(f, x, f0, p, dphi0, aPrev, fPrev, dPrev, a, fa, da, xOut, gOut, fOut, evals);
      }
      if (Math.abs(da) <= -C2 * dphi0) {
        accept(xt, gt, fa, xOut, gOut, fOut);
        return a;
      }
      if (da >= 0) {
        return zoom(f, x, f0, p, dphi0, a, fa, da, aPrev, fPrev, dPrev, xOut, gOut, fOut, evals);
      }
      aPrev = a;
      fPrev = fa;
      dPrev = da;
      a *= 2;
    }
    return 0;
  }

  private static double zoom(
      Objective f, double[] x, double f0, double[] p, double dphi0,
      double lo, double fLo, double dLo, double hi, double fHi, double dHi,
      double[] xOut, double[] gOut, double[] fOut, int[] evals) {
    int n = x.length;
    double[] xt = new double[n], gt = new double[n];
    for (int j = 0; j < 60; j++) {
      double a = cubicMin(lo, fLo, dLo, hi, fHi, dHi);
      double lower = Math.min(lo, hi), upper = Math.max(lo, hi), w = upper - lower;
      if (!Double.isFinite(a) || a < lower + 0.1 * w || a > upper - 0.1 * w) a = 0.5 * (lo + hi);
      if (w <= 1e-16 * Math.max(1.0, upper)) break;
      double fa = trial(f, x, p, a, xt, gt, evals);
      double da = dot(gt, p);
      if (fa > f0 + C1 * a * dphi0 || fa >= fLo) {
        hi = a;
        fHi = fa;
        dHi = da;
      } else {
        if (Math.abs(da) <= -C2 * dphi0) {
          accept(xt, gt, fa, xOut, gOut, fOut);
          return a;
        }
        if (da * (hi - lo) >= 0) {
          hi = lo;
          fHi = fLo;
          dHi = dLo;
        }
        lo = a;
        fLo = fa;
        dLo = da;
      }
    }
    // Interval collapsed: accept lo if it decreased f (sufficient decrease holds for lo by construction).
    if (lo > 0 && fLo < f0) {
      trial(f, x, p, lo, xt, gt, evals);
      accept(xt, gt, fLo, xOut, gOut, fOut);
      return lo;
    }
    return 0;
  }

  private static double cubicMin(double a, double fa, double da, double b, double fb, double db) {
    double d1 = da + db - 3 * (fa - fb) / (a - b);
    double disc = d1 * d1 - da * db;
    if (!(disc >= 0)) return Double.NaN;
    double d2 = Math.signum(b - a) * Math.sqrt(disc);
    return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
  }

  private static double trial(Objective f, double[] x, double[] p, double a, double[] xt, double[] gt, int[] evals) {
    for (int i = 0; i < x.length; i++) xt[i] = x[i] + a * p[i];
    return eval(f, xt, gt, evals);
  }

  private static void accept(double[] xt, double[] gt, double fa, double[] xOut, double[] gOut, double[] fOut) {
    System.arraycopy(xt, 0, xOut, 0, xt.length);
    System.arraycopy(gt, 0, gOut, 0, gt.length);
    fOut[0] = fa;
  }

  private static double eval(Objective f, double[] x, double[] g, int[] evals) {
    evals[0]++;
    double v = f.valueAndGradient(x, g);
    if (!Double.isFinite(v)) throw new ArithmeticException("L-BFGS: objective is " + v);
    return v;
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double norm2(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static double infNorm(double[] a) {
    double m = 0;
    for (double v : a) m = Math.max(m, Math.abs(v));
    return m;
  }

  private static void axpy(double a, double[] x, double[] y) {
    for (int i = 0; i < x.length; i++) y[i] += a * x[i];
  }
}
