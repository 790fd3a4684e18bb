package org.maect.eval.linalg;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link PathKernel} on the JDK Vector API: one masked relax-and-min pass, one masked arg search. */
final class VectorPathKernel implements PathKernel {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public int relax(double[] cost, int off, int m, double shift, double[] v, double[] minv, double[] way, double prev,
      boolean[] open, boolean[] free) {
    DoubleVector inf = DoubleVector.broadcast(S, Double.POSITIVE_INFINITY);
    DoubleVector vmin = inf;
    DoubleVector prevV = DoubleVector.broadcast(S, prev);
    int j = 0;
    int upper = S.loopBound(m);
    for (; j < upper; j += L) {
      VectorMask<Double> op = VectorMask.fromArray(S, open, j);
      DoubleVector d = DoubleVector.fromArray(S, cost, off + j).add(shift).sub(DoubleVector.fromArray(S, v, j));
      DoubleVector mv = DoubleVector.fromArray(S, minv, j);
      VectorMask<Double> upd = d.lt(mv).and(op);
      if (upd.anyTrue()) {
        mv = mv.blend(d, upd);
        mv.intoArray(minv, j);
        DoubleVector.fromArray(S, way, j).blend(prevV, upd).intoArray(way, j);
      }
      vmin = vmin.min(inf.blend(mv, op));
    }
    double best = vmin.reduceLanes(VectorOperators.MIN);
    for (; j < m; j++) { // tail
      if (!open[j]) continue;
      double d = shift + cost[off + j] - v[j];
      if (d < minv[j]) {
        minv[j] = d;
        way[j] = prev;
      }
      best = Math.min(best, minv[j]);
    }
    if (best == Double.POSITIVE_INFINITY) {
      for (int k = 0; k < m; k++) if (open[k]) return k; // all remaining at +inf (cannot happen for finite costs)
      return -1;
    }
    // first free open column at the minimum, else the first open one
    int first = -1;
    DoubleVector bestV = DoubleVector.broadcast(S, best);
    for (j = 0; j < upper; j += L) {
      VectorMask<Double> eq = DoubleVector.fromArray(S, minv, j).eq(bestV).and(VectorMask.fromArray(S, open, j));
      if (eq.anyTrue()) {
        VectorMask<Double> fe = eq.and(VectorMask.fromArray(S, free, j));
        if (fe.anyTrue()) return j + fe.firstTrue();
        if (first < 0) first = j + eq.firstTrue();
      }
    }
    for (; j < m; j++) {
      if (open[j] && minv[j] == best) {
        if (free[j]) return j;
        if (first < 0) first = j;
      }
    }
    return first;
  }
}
