package org.maect.eval.metrics;

/**
 * Hungarian-matched clustering accuracy: the fraction of samples whose cluster is mapped to their class
 * by the one-to-one cluster→class mapping that maximises the number of such samples.
 *
 * <p>When #clusters ≠ #classes the mapping is a maximum matching of the rectangular contingency table:
 * surplus clusters (or classes) stay unmatched and their samples count as errors (the same value as
 * padding the table with zeros to a square and solving that).
 */
public final class ClusterAccuracy {
  private ClusterAccuracy() {}

  public static double of(int[] truth, int[] clusters) {
    return of(ContingencyTable.of(truth, clusters));
  }

  public static double of(ContingencyTable t) {
    int[] map = mapping(t);
    long hit = 0;
    for (int i = 0; i < t.rows; i++) if (map[i] >= 0) hit += t.count(i, map[i]);
    return (double) hit / t.n;
  }

  /** For each class row {@code i}, the matched cluster column, or -1 when none. */
  public static int[] mapping(ContingencyTable t) {
    double[] cost = new double[t.counts.length]; // maximise counts = minimise their negation
    for (int i = 0; i < cost.length; i++) cost[i] = -t.counts[i];
    return LinearAssignment.minimize(cost, t.rows, t.cols);
  }
}
