package org.maect.eval.metrics;

import java.math.BigInteger;

/**
 * Adjusted Rand index via the pair confusion matrix, as scikit-learn's {@code adjusted_rand_score}
 * (exact integer pair counts; the final ratio computed from arbitrary-precision products).
 */
public final class AdjustedRandIndex {
  private AdjustedRandIndex() {}

  public static double of(int[] truth, int[] pred) {
    return of(ContingencyTable.of(truth, pred));
  }

  public static double of(ContingencyTable t) {
    long n = t.n;
    long sumSquares = 0, rowDot = 0, colDot = 0;
    for (int i = 0; i < t.rows; i++) {
      for (int j = 0; j < t.cols; j++) {
        long c = t.count(i, j);
        if (c == 0) continue;
        sumSquares += c * c;
        colDot += c * t.colSums[j];
        rowDot += c * t.rowSums[i];
      }
    }
    long tp = sumSquares - n;
    long fp = colDot - sumSquares;
    long fn = rowDot - sumSquares;
    long tn = n * n - fp - fn - sumSquares;
    if (fn == 0 && fp == 0) return 1.0;
    BigInteger num = big(tp).multiply(big(tn)).subtract(big(fn).multiply(big(fp)));
    BigInteger den =
        big(tp + fn).multiply(big(fn + tn)).add(big(tp + fp).multiply(big(fp + tn)));
    // Python: 2.0 * int / int -> float(2.0 * float(num)) / float(den)
    return 2.0 * num.doubleValue() / den.doubleValue();
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }
}
