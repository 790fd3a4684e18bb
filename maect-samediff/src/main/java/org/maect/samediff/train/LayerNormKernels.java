package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.LayerNorm} over the last axis of {@code x: [N, D]} in one pass per row, forward and backward,
 * FLOAT, with the JDK Vector API: what {@link SiteFusion} runs in place of the composed graph of
 * {@code org.maect.samediff.vit.LayerNorm} (12 forward ops, ~25 backward ops, each a pass over {@code [N, D]}).
 *
 * <p>Per row: {@code mean = sum(x) / D}, {@code var = sum((x - mean)^2) / D} (biased, as torch), {@code rstd =
 * 1 / sqrt(var + eps)}, {@code xhat = (x - mean) rstd}, {@code y = xhat g + b}. Backward from {@code dy}:
 * {@code dg = sum_rows(dy xhat)}, {@code db = sum_rows(dy)}, {@code dxhat = dy g},
 * {@code dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))} (the statistics are recomputed from x, so the
 * forward keeps no intermediates). Row sums run in float over 8 lanes; {@code dg} and {@code db} accumulate in
 * float over the rows, in row order.
 */
final class LayerNormKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private LayerNormKernels() {}

  private static FloatBuffer floats(INDArray x) {
    return x.data().asNio().order(ORDER).asFloatBuffer();
  }

  private static void check(INDArray[] arrays, long n, int d, String what) {
    if (d == 0 || n * d == 0) throw new IllegalStateException(what + ": empty input");
    for (INDArray a : arrays) {
      if (a.dataType() != DataType.FLOAT || !PlanKernel.dense(a)) {
        throw new IllegalStateException(what + ": needs dense row-major FLOAT arrays, got " + a.shapeInfoToString());
      }
    }
    if (n * d > Integer.MAX_VALUE) throw new IllegalStateException(what + ": " + n + " x " + d + " is too large");
  }

  /** D, the last dimension of x (the first input), after checking every array is dense row-major FLOAT. */
  private static int width(INDArray[] inputs, INDArray[] outputs, String what) {
    INDArray x = inputs[0];
    int d = (int) x.size(x.rank() - 1);
    long n = d == 0 ? 0 : x.length() / d;
    check(inputs, n, d, what);
    check(outputs, n, d, what);
    return d;
  }

  /** Checks pairs of (array, expected length). */
  private static void lengths(String what, Object... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      INDArray a = (INDArray) pairs[i];
      long want = ((Number) pairs[i + 1]).longValue();
      if (a.length() != want) {
        throw new IllegalStateException(what + ": array " + java.util.Arrays.toString(a.shape()) + " has "
            + a.length() + " values, expected " + want);
      }
    }
  }

  /** {@code sum(v[off + i])}, {@code i < d}, in two interleaved vector chains (the adds' latency, not their count, is
   * what a 64-wide row costs). */
  private static float sum(float[] v, int off, int d) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    int l = S.length();
    int up2 = d - d % (2 * l);
    int i = 0;
    for (; i < up2; i += 2 * l) {
      a0 = a0.add(FloatVector.fromArray(S, v, off + i));
      a1 = a1.add(FloatVector.fromArray(S, v, off + i + l));
    }
    if (i + l <= d) {
      a0 = a0.add(FloatVector.fromArray(S, v, off + i));
      i += l;
    }
    float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; i < d; i++) s += v[off + i];
    return s;
  }

  /** Heap arrays of one kernel, sized for its width on first use (a plan's shapes do not change). */
  static final class Scratch {
    int d = -1;
    float[] g;
    float[] b;
    float[] dg;
    float[] db;
    float[] in;
    float[] dy;
    float[] out;
    float[] xh;
    float[] gx;

    Scratch size(int width) {
      if (width != d) {
        d = width;
        int rows = blockRows(width);
        g = new float[width];
        b = new float[width];
        dg = new float[width];
        db = new float[width];
        in = new float[rows * width];
        dy = new float[rows * width];
        out = new float[rows * width];
        xh = new float[width];
        gx = new float[width];
      }
      return this;
    }
  }

  /** Forward: inputs {@code (x [N, D], g [D], b [D])}, output {@code y [N, D]}. */
  static final class Forward implements PlanKernel {
    private final float eps;
    private final Scratch sc = new Scratch();

    Forward(double eps) {
      this.eps = (float) eps;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray xa = inputs[0];
      int d = width(inputs, outputs, "fused layer_norm");
      long n = xa.length() / d;
      lengths("fused layer_norm", inputs[1], d, inputs[2], d, outputs[0], n * d);
      sc.size(d);
      floats(inputs[1]).get(0, sc.g, 0, d);
      floats(inputs[2]).get(0, sc.b, 0, d);
      forward(floats(xa), sc, floats(outputs[0]), (int) n, d, eps);
      return true;
    }

    @Override
    public String name() {
      return "fused layer_norm (Vector API)";
    }
  }

  // Per-row loops live in small methods of their own: with the row loop in the same method, C2 (JDK 17) keeps the
  // vector accumulators in memory and runs several times slower (measured: a row sum of [6400, 64], 57 us in a
  // method of its own, 440-1800 us inlined into the row loop by hand).

  /** {@code sum((v[off + i] - mean)^2)}, {@code i < d}. */
  private static float squaredDeviations(float[] v, int off, int d, float mean) {
    FloatVector mv = FloatVector.broadcast(S, mean);
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    int l = S.length();
    int up2 = d - d % (2 * l);
    int i = 0;
    for (; i < up2; i += 2 * l) {
      FloatVector c0 = FloatVector.fromArray(S, v, off + i).sub(mv);
      FloatVector c1 = FloatVector.fromArray(S, v, off + i + l).sub(mv);
      a0 = c0.fma(c0, a0);
      a1 = c1.fma(c1, a1);
    }
    if (i + l <= d) {
      FloatVector c0 = FloatVector.fromArray(S, v, off + i).sub(mv);
      a0 = c0.fma(c0, a0);
      i += l;
    }
    float sq = a0.add(a1).reduceLanes(VectorOperators.ADD);
    for (; i < d; i++) sq += (v[off + i] - mean) * (v[off + i] - mean);
    return sq;
  }

  /** {@code out[off + i] = (in[off + i] - mean) rstd g[i] + b[i]}. */
  private static void normalize(float[] in, int off, int d, float mean, float rstd, float[] g, float[] b,
      float[] out) {
    FloatVector mv = FloatVector.broadcast(S, mean);
    FloatVector rv = FloatVector.broadcast(S, rstd);
    int up = S.loopBound(d);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector xh = FloatVector.fromArray(S, in, off + i).sub(mv).mul(rv);
      xh.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, b, i)).intoArray(out, off + i);
    }
    for (; i < d; i++) out[off + i] = (in[off + i] - mean) * rstd * g[i] + b[i];
  }

  /** One row's {@code dx} into {@code out[off..]}, its {@code dg} and {@code db} terms added. */
  private static void rowBackward(float[] in, float[] dy, int o, int d, float mean, float rstd, float[] g, float[] xh,
      float[] gx, float[] dg, float[] db, float[] out) {
    FloatVector mv = FloatVector.broadcast(S, mean);
    FloatVector rv = FloatVector.broadcast(S, rstd);
    int up = S.loopBound(d);
    // xhat, dxhat = dy g, their sums; dg += dy xhat, db += dy
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector h = FloatVector.fromArray(S, in, o + i).sub(mv).mul(rv);
      FloatVector gy = FloatVector.fromArray(S, dy, o + i);
      FloatVector dh = gy.mul(FloatVector.fromArray(S, g, i));
      h.intoArray(xh, i);
      dh.intoArray(gx, i);
      s1 = s1.add(dh);
      s2 = dh.fma(h, s2);
      gy.fma(h, FloatVector.fromArray(S, dg, i)).intoArray(dg, i);
      gy.add(FloatVector.fromArray(S, db, i)).intoArray(db, i);
    }
    float sum1 = s1.reduceLanes(VectorOperators.ADD);
    float sum2 = s2.reduceLanes(VectorOperators.ADD);
    for (; i < d; i++) {
      float h = (in[o + i] - mean) * rstd;
      float dh = dy[o + i] * g[i];
      xh[i] = h;
      gx[i] = dh;
      sum1 += dh;
      sum2 += dh * h;
      dg[i] += dy[o + i] * h;
      db[i] += dy[o + i];
    }
    dxRow(xh, gx, d, sum1 / d, sum2 / d, rstd, out, o);
  }

  /** {@code out[o + i] = (gx[i] - m1 - xh[i] m2) rstd}. */
  private static void dxRow(float[] xh, float[] gx, int d, float m1, float m2, float rstd, float[] out, int o) {
    FloatVector m1v = FloatVector.broadcast(S, m1);
    FloatVector m2v = FloatVector.broadcast(S, m2);
    FloatVector rv = FloatVector.broadcast(S, rstd);
    int up = S.loopBound(d);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector h = FloatVector.fromArray(S, xh, i);
      FloatVector.fromArray(S, gx, i).sub(m1v).sub(h.mul(m2v)).mul(rv).intoArray(out, o + i);
    }
    for (; i < d; i++) out[o + i] = (gx[i] - m1 - xh[i] * m2) * rstd;
  }

  /** {@code 1 / sqrt(var + eps)} of one row, the variance biased (as torch). */
  private static float rstd(float[] in, int o, int d, float mean, float eps) {
    return 1f / (float) Math.sqrt(squaredDeviations(in, o, d, mean) / d + eps);
  }

  /** Rows copied per block: enough to make the copy's fixed cost small, few enough to stay in L1/L2. */
  private static int blockRows(int d) {
    return Math.max(1, 4096 / d);
  }

  static void forward(FloatBuffer x, Scratch sc, FloatBuffer y, int n, int d, float eps) {
    int rows = blockRows(d);
    float[] in = sc.in;
    float[] out = sc.out;
    float[] g = sc.g;
    float[] b = sc.b;
    for (int r0 = 0; r0 < n; r0 += rows) {
      int m = Math.min(rows, n - r0);
      x.get(r0 * d, in, 0, m * d);
      for (int r = 0; r < m; r++) {
        int o = r * d;
        float mean = sum(in, o, d) / d;
        float rstd = rstd(in, o, d, mean, eps);
        normalize(in, o, d, mean, rstd, g, b, out);
      }
      y.put(r0 * d, out, 0, m * d);
    }
  }

  /**
   * Backward: inputs {@code (x [N, D], g [D], dy [N, D])}, outputs as listed by their roles: {@code dx} into
   * the first x-gradient output and zeros into any further one (the composed graph hands x its gradient in
   * several parts that the rest of the graph adds), {@code dg}, {@code db}.
   */
  static final class Backward implements PlanKernel {
    private final float eps;
    private final FusedOp.Role[] roles;
    private final Scratch sc = new Scratch();

    Backward(double eps, FusedOp.Role[] roles) {
      this.eps = (float) eps;
      this.roles = roles.clone();
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray xa = inputs[0];
      int d = width(inputs, outputs, "fused layer_norm_bp");
      long n = xa.length() / d;
      lengths("fused layer_norm_bp", inputs[1], d, inputs[2], n * d);
      for (int k = 0; k < roles.length; k++) {
        lengths("fused layer_norm_bp output " + roles[k], outputs[k], roles[k] == FusedOp.Role.DX ? n * d : d);
      }
      sc.size(d);
      floats(inputs[1]).get(0, sc.g, 0, d);
      java.util.Arrays.fill(sc.dg, 0f);
      java.util.Arrays.fill(sc.db, 0f);
      float[] dg = sc.dg;
      float[] db = sc.db;
      FloatBuffer dx = null;
      for (int k = 0; k < roles.length; k++) {
        if (roles[k] == FusedOp.Role.DX && dx == null) dx = floats(outputs[k]);
      }
      backward(floats(xa), sc, floats(inputs[2]), dx, (int) n, d, eps);
      boolean dxWritten = false;
      for (int k = 0; k < roles.length; k++) {
        switch (roles[k]) {
          case DX -> {
            if (dxWritten) outputs[k].assign(0); // a further part of x's gradient: the whole of it is in the first
            dxWritten = true;
          }
          case DG -> floats(outputs[k]).put(0, dg, 0, d);
          case DB -> floats(outputs[k]).put(0, db, 0, d);
          default -> throw new IllegalStateException("unexpected output role " + roles[k]);
        }
      }
      return true;
    }

    @Override
    public String name() {
      return "fused layer_norm_bp (Vector API)";
    }
  }

  static void backward(FloatBuffer x, Scratch sc, FloatBuffer dyb, FloatBuffer dxb, int n, int d, float eps) {
    int rows = blockRows(d);
    float[] in = sc.in;
    float[] dy = sc.dy;
    float[] out = sc.out;
    float[] xh = sc.xh;
    float[] gx = sc.gx;
    float[] g = sc.g;
    float[] dg = sc.dg;
    float[] db = sc.db;
    for (int r0 = 0; r0 < n; r0 += rows) {
      int m = Math.min(rows, n - r0);
      x.get(r0 * d, in, 0, m * d);
      dyb.get(r0 * d, dy, 0, m * d);
      for (int r = 0; r < m; r++) {
        int o = r * d;
        float mean = sum(in, o, d) / d;
        float rstd = rstd(in, o, d, mean, eps);
        rowBackward(in, dy, o, d, mean, rstd, g, xh, gx, dg, db, out);
      }
      if (dxb != null) dxb.put(r0 * d, out, 0, m * d); // null: x's gradient is not needed, only g's and b's
    }
  }
}
