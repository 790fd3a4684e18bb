package org.maect.eval.metrics;

import java.util.Arrays;

/**
 * Contingency table of two labelings: rows are the distinct true labels (sorted), columns the distinct
 * predicted labels (sorted), {@code count(i, j)} the number of samples with class {@code rowLabels[i]}
 * and cluster {@code colLabels[j]} (scikit-learn's {@code contingency_matrix}).
 *
 * <p>Shapes: counts {@code [rows, cols]} row-major.
 */
public final class ContingencyTable {
  public final int[] rowLabels;
  public final int[] colLabels;
  public final int rows;
  public final int cols;
  /** Row-major counts {@code [rows * cols]}. */
  public final int[] counts;
  public final long[] rowSums;
  public final long[] colSums;
  public final long n;

  private ContingencyTable(int[] rowLabels, int[] colLabels, int[] counts, long n) {
    this.rowLabels = rowLabels;
    this.colLabels = colLabels;
    this.rows = rowLabels.length;
    this.cols = colLabels.length;
    this.counts = counts;
    this.n = n;
    this.rowSums = new long[rows];
    this.colSums = new long[cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        int c = counts[i * cols + j];
        rowSums[i] += c;
        colSums[j] += c;
      }
    }
  }

  /** Builds the table; both arrays must be non-empty and of equal length. */
  public static ContingencyTable of(int[] truth, int[] pred) {
    checkLabelings(truth, pred);
    LabelEncoding rt = LabelEncoding.fit(truth);
    LabelEncoding ct = LabelEncoding.fit(pred);
    long cells = (long) rt.size() * ct.size();
    if (cells > 200_000_000L) {
      throw new IllegalArgumentException(
          "contingency table too large: " + rt.size() + " classes x " + ct.size() + " clusters");
    }
    int[] r = rt.encode(truth);
    int[] c = ct.encode(pred);
    int[] counts = new int[(int) cells];
    for (int i = 0; i < truth.length; i++) counts[r[i] * ct.size() + c[i]]++;
    return new ContingencyTable(rt.classes(), ct.classes(), counts, truth.length);
  }

  public int count(int i, int j) {
    return counts[i * cols + j];
  }

  /** Validates two labelings for a supervised clustering metric. */
  static void checkLabelings(int[] truth, int[] pred) {
    if (truth == null || pred == null) throw new IllegalArgumentException("labels must not be null");
    if (truth.length != pred.length) {
      throw new IllegalArgumentException(
          "labelings differ in length: " + truth.length + " true labels vs " + pred.length + " predicted");
    }
    if (truth.length == 0) throw new IllegalArgumentException("labelings are empty");
  }

  @Override
  public String toString() {
    return "ContingencyTable[" + rows + "x" + cols + ", n=" + n + ", rows=" + Arrays.toString(rowLabels) + "]";
  }
}
