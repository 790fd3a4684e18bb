package org.maect.eval.metrics;

import org.maect.eval.linalg.Parallel;

/**
 * Mutual information between two labelings (natural log), its normalised (NMI) and adjusted-for-chance
 * (AMI) forms with arithmetic averaging of the entropies, scikit-learn's defaults.
 *
 * <p>The expected mutual information under the hypergeometric model (Vinh, Epps & Bailey 2010) is summed
 * exactly as in scikit-learn's {@code expected_mutual_information}, with two speed-ups that do not change
 * the value beyond rounding: log-factorials come from a table (Kahan-summed, so accurate to a few ulps),
 * and for each cell the hypergeometric probabilities are walked outwards from the mode by their exact
 * ratio {@code P(x+1)/P(x) = (a-x)(b-x) / ((x+1)(N-a-b+x+1))}, stopping once a term falls below
 * 1e-17 of the mode's and keeps shrinking geometrically (the omitted tail is below 2e-17 of that cell).
 */
public final class MutualInformation {
  private static final double EPS = Math.ulp(1.0); // np.finfo(float64).eps

  private MutualInformation() {}

  /** MI in nats ({@code mutual_info_score}). */
  public static double mi(ContingencyTable t) {
    if (t.rows == 1 || t.cols == 1) return 0.0;
    double n = t.n;
    double logN = Math.log(n);
    double logSumRows = Math.log(n), logSumCols = Math.log(n);
    double sum = 0;
    for (int i = 0; i < t.rows; i++) {
      for (int j = 0; j < t.cols; j++) {
        int c = t.count(i, j);
        if (c == 0) continue;
        double nm = c / n;
        double logOuter = -Math.log((double) (t.rowSums[i] * t.colSums[j])) + logSumRows + logSumCols;
        double v = nm * (Math.log(c) - logN) + nm * logOuter;
        if (Math.abs(v) < EPS) v = 0.0;
        sum += v;
      }
    }
    return Math.max(sum, 0.0);
  }

  /** Entropy in nats of a labeling given its class counts (zeros ignored). */
  public static double entropy(long[] counts) {
    int nz = 0;
    double total = 0;
    for (long c : counts) {
      if (c > 0) {
        nz++;
        total += c;
      }
    }
    if (nz <= 1) return 0.0;
    double logTotal = Math.log(total), h = 0;
    for (long c : counts) if (c > 0) h += (c / total) * (Math.log(c) - logTotal);
    return -h;
  }

  /** NMI with arithmetic mean normalisation ({@code normalized_mutual_info_score}). */
  public static double nmi(int[] truth, int[] pred) {
    return nmi(ContingencyTable.of(truth, pred));
  }

  public static double nmi(ContingencyTable t) {
    if (t.rows == 1 && t.cols == 1) return 1.0;
    double mi = mi(t);
    if (mi == 0) return 0.0;
    double norm = 0.5 * (entropy(t.rowSums) + entropy(t.colSums));
    return mi / norm;
  }

  /** AMI with arithmetic mean normalisation ({@code adjusted_mutual_info_score}). */
  public static double ami(int[] truth, int[] pred) {
    return ami(ContingencyTable.of(truth, pred));
  }

  public static double ami(ContingencyTable t) {
    if (t.rows == 1 && t.cols == 1) return 1.0;
    double mi = mi(t);
    double emi = expectedMutualInformation(t);
    double norm = 0.5 * (entropy(t.rowSums) + entropy(t.colSums));
    double den = norm - emi;
    den = den < 0 ? Math.min(den, -EPS) : Math.max(den, EPS);
    return (mi - emi) / den;
  }

  /** Expected MI of two random labelings with the table's marginals (hypergeometric model). */
  public static double expectedMutualInformation(ContingencyTable t) {
    if (t.rows == 1 || t.cols == 1) return 0.0;
    final int nInt = Math.toIntExact(t.n);
    final double[] lf = logFactorials(nInt);
    final double n = nInt;
    final double logN = Math.log(n);
    final int[] a = toInt(t.rowSums), b = toInt(t.colSums);
    final double[] rowTerms = new double[t.rows];
    Parallel.forRange(
        t.rows,
        Parallel.grain(t.rows, 8),
        (i0, i1) -> {
          for (int i = i0; i < i1; i++) {
            double s = 0;
            int ai = a[i];
            double logA = Math.log(ai);
            for (int j = 0; j < b.length; j++) s += cell(ai, b[j], nInt, n, logN, logA, lf);
            rowTerms[i] = s;
          }
        });
    double emi = 0;
    for (double r : rowTerms) emi += r;
    return emi;
  }

  /** Σ_x x/N · log(N x / (a b)) · P(x) over the hypergeometric support of one cell. */
  private static double cell(int a, int b, int nInt, double n, double logN, double logA, double[] lf) {
    int lo = Math.max(1, a + b - nInt);
    int hi = Math.min(a, b);
    if (lo > hi) return 0.0;
    double logAB = logA + Math.log(b);
    double base = lf[a] + lf[b] + lf[nInt - a] + lf[nInt - b] - lf[nInt];
    long mode = (long) Math.floor(((double) (a + 1) * (b + 1)) / (n + 2));
    int m = (int) Math.max(lo, Math.min(hi, mode));
    long rest = (long) nInt - a - b; // N - a - b (may be negative)
    double p0 = Math.exp(base - lf[m] - lf[a - m] - lf[b - m] - lf[(int) (rest + m)]);
    if (p0 == 0.0) return 0.0;
    double sum = 0;
    // Upwards from the mode.
    double p = p0;
    for (int x = m; x <= hi; x++) {
      sum += (x / n) * (logN + Math.log(x) - logAB) * p;
      double r = ((double) (a - x) * (b - x)) / ((double) (x + 1) * (rest + x + 1));
      p *= r;
      if (p == 0.0 || (p < 1e-17 * p0 && r < 0.5)) break;
    }
    // Downwards from the mode.
    p = p0;
    for (int x = m - 1; x >= lo; x--) {
      // P(x) = P(x+1) * (x+1)(N-a-b+x+1) / ((a-x)(b-x))
      double r = ((double) (x + 1) * (rest + x + 1)) / ((double) (a - x) * (b - x));
      p *= r;
      sum += (x / n) * (logN + Math.log(x) - logAB) * p;
      if (p == 0.0 || (p < 1e-17 * p0 && r < 0.5)) break;
    }
    return sum;
  }

  /** {@code lf[k] = ln k!} for k ≤ n, Kahan-summed. */
  static double[] logFactorials(int n) {
    double[] lf = new double[n + 1];
    double s = 0, comp = 0;
    for (int k = 2; k <= n; k++) {
      double y = Math.log(k) - comp;
      double tt = s + y;
      comp = (tt - s) - y;
      s = tt;
      lf[k] = s;
    }
    return lf;
  }

  private static int[] toInt(long[] v) {
    int[] o = new int[v.length];
    for (int i = 0; i < v.length; i++) o[i] = Math.toIntExact(v[i]);
    return o;
  }
}
