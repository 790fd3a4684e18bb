package org.maect.eval.linalg;

/** Plain-Java {@link PathKernel}. */
final class ScalarPathKernel implements PathKernel {
  @Override
  public int relax(double[] cost, int off, int m, double shift, double[] v, double[] minv, double[] way, double prev,
      boolean[] open, boolean[] free) {
    double best = Double.POSITIVE_INFINITY;
    int arg = -1;
    boolean argFree = false;
    for (int j = 0; j < m; j++) {
      if (!open[j]) continue;
      double d = shift + cost[off + j] - v[j];
      if (d < minv[j]) {
        minv[j] = d;
        way[j] = prev;
      }
      double mv = minv[j];
      if (mv < best || (mv == best && free[j] && !argFree)) {
        best = mv;
        arg = j;
        argFree = free[j];
      }
    }
    return arg;
  }
}
