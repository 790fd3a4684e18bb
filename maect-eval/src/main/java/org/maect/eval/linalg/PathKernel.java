package org.maect.eval.linalg;

/**
 * The inner step of the shortest augmenting path assignment algorithm over one cost row, in double:
 * relax every open column and return the open column with the smallest tentative distance.
 */
public interface PathKernel {

  /**
   * For every column {@code j < m} with {@code open[j]}: {@code d = shift + cost[off + j] - v[j]}; if
   * {@code d < minv[j]} then {@code minv[j] = d, way[j] = prev}. Returns the open column with the
   * smallest {@code minv}, preferring a free column ({@code free[j]}) among equal minima and otherwise
   * the lowest index; -1 when no column is open.
   *
   * @param way predecessor columns stored as doubles (exact for indices below 2^53)
   */
  int relax(double[] cost, int off, int m, double shift, double[] v, double[] minv, double[] way, double prev,
      boolean[] open, boolean[] free);

  /** The kernel in use (Vector API when available, as {@link Kernels#get()}). */
  static PathKernel get() {
    return Kernels.path();
  }
}
