package org.maect.eval.metrics;

/**
 * Confusion matrix over the union of true and predicted labels (sorted), as scikit-learn's
 * {@code confusion_matrix}: {@code counts[i][j]} = samples of class {@code labels[i]} predicted as
 * {@code labels[j]}.
 */
public record ConfusionMatrix(int[] labels, long[][] counts) {

  public static ConfusionMatrix of(int[] truth, int[] pred) {
    ContingencyTable.checkLabelings(truth, pred);
    int[] both = new int[truth.length * 2];
    System.arraycopy(truth, 0, both, 0, truth.length);
    System.arraycopy(pred, 0, both, truth.length, pred.length);
    LabelEncoding enc = LabelEncoding.fit(both);
    int[] t = enc.encode(truth), p = enc.encode(pred);
    long[][] c = new long[enc.size()][enc.size()];
    for (int i = 0; i < t.length; i++) c[t[i]][p[i]]++;
    return new ConfusionMatrix(enc.classes(), c);
  }

  /** Cluster-vs-class table with clusters reordered by their Hungarian match (for plotting). */
  public static ConfusionMatrix matchedClusters(int[] truth, int[] clusters) {
    ContingencyTable t = ContingencyTable.of(truth, clusters);
    int[] map = ClusterAccuracy.mapping(t);
    int[] colOrder = new int[t.cols];
    boolean[] used = new boolean[t.cols];
    int k = 0;
    for (int i = 0; i < t.rows; i++) {
      if (map[i] >= 0) {
        colOrder[k++] = map[i];
        used[map[i]] = true;
      }
    }
    for (int j = 0; j < t.cols; j++) if (!used[j]) colOrder[k++] = j;
    long[][] c = new long[t.rows][t.cols];
    for (int i = 0; i < t.rows; i++) for (int j = 0; j < t.cols; j++) c[i][j] = t.count(i, colOrder[j]);
    return new ConfusionMatrix(t.rowLabels, c);
  }

  /** Fraction of samples on the diagonal (accuracy when rows and columns are the same labels). */
  public double diagonalFraction() {
    long diag = 0, total = 0;
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts[i].length; j++) {
        total += counts[i][j];
        if (i == j) diag += counts[i][j];
      }
    }
    return total == 0 ? 0 : (double) diag / total;
  }
}
