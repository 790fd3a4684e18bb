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
 * FLOAT, with the JDK Vector API: what {@link LayerNormFusion} runs in place of the composed graph of
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

  private static float sum(float[] v, int d) {
    FloatVector acc = FloatVector.zero(S);
    int up = S.loopBound(d);
    int i = 0;
    for (; i < up; i += S.length()) acc = acc.add(FloatVector.fromArray(S, v, i));
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < d; i++) s += v[i];
    return s;
  }

  /** Forward: inputs {@code (x [N, D], g [D], b [D])}, output {@code y [N, D]}. */
  static final class Forward implements PlanKernel {
    private final float eps;

    Forward(double eps) {
      this.eps = (float) eps;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray xa = inputs[0];
      int d = (int) xa.size(xa.rank() - 1);
      long n = xa.length() / d;
      check(inputs, n, d, "fused layer_norm");
      check(outputs, n, d, "fused layer_norm");
      lengths("fused layer_norm", inputs[1], d, inputs[2], d, outputs[0], n * d);
      float[] g = new float[d];
      float[] b = new float[d];
      floats(inputs[1]).get(0, g, 0, d);
      floats(inputs[2]).get(0, b, 0, d);
      forward(floats(xa), g, b, floats(outputs[0]), (int) n, d, eps);
      return true;
    }

    @Override
    public String name() {
      return "fused layer_norm (Vector API)";
    }
  }

  static void forward(FloatBuffer x, float[] g, float[] b, FloatBuffer y, int n, int d, float eps) {
    float[] row = new float[d];
    float[] out = new float[d];
    int up = S.loopBound(d);
    for (int r = 0; r < n; r++) {
      x.get(r * d, row, 0, d);
      float mean = sum(row, d) / d;
      FloatVector mv = FloatVector.broadcast(S, mean);
      FloatVector acc = FloatVector.zero(S);
      int i = 0;
      for (; i < up; i += S.length()) {
        FloatVector c = FloatVector.fromArray(S, row, i).sub(mv);
        acc = c.fma(c, acc);
      }
      float sq = acc.reduceLanes(VectorOperators.ADD);
      for (; i < d; i++) sq += (row[i] - mean) * (row[i] - mean);
      float rstd = (float) (1.0 / Math.sqrt(sq / d + eps));
      FloatVector rv = FloatVector.broadcast(S, rstd);
      i = 0;
      for (; i < up; i += S.length()) {
        FloatVector xh = FloatVector.fromArray(S, row, i).sub(mv).mul(rv);
        xh.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, b, i)).intoArray(out, i);
      }
      for (; i < d; i++) out[i] = (row[i] - mean) * rstd * g[i] + b[i];
      y.put(r * d, out, 0, d);
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

    Backward(double eps, FusedOp.Role[] roles) {
      this.eps = (float) eps;
      this.roles = roles.clone();
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray xa = inputs[0];
      int d = (int) xa.size(xa.rank() - 1);
      long n = xa.length() / d;
      check(inputs, n, d, "fused layer_norm_bp");
      check(outputs, n, d, "fused layer_norm_bp");
      lengths("fused layer_norm_bp", inputs[1], d, inputs[2], n * d);
      for (int k = 0; k < roles.length; k++) {
        lengths("fused layer_norm_bp output " + roles[k], outputs[k], roles[k] == FusedOp.Role.DX ? n * d : d);
      }
      float[] g = new float[d];
      floats(inputs[1]).get(0, g, 0, d);
      float[] dg = new float[d];
      float[] db = new float[d];
      FloatBuffer dx = null;
      for (int k = 0; k < roles.length; k++) {
        if (roles[k] == FusedOp.Role.DX && dx == null) dx = floats(outputs[k]);
      }
      backward(floats(xa), g, floats(inputs[2]), dx, dg, db, (int) n, d, eps);
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

  static void backward(FloatBuffer x, float[] g, FloatBuffer dyb, FloatBuffer dxb, float[] dg, float[] db, int n,
      int d, float eps) {
    float[] row = new float[d];
    float[] dy = new float[d];
    float[] xh = new float[d];
    float[] gx = new float[d];
    float[] out = new float[d];
    int up = S.loopBound(d);
    for (int r = 0; r < n; r++) {
      x.get(r * d, row, 0, d);
      dyb.get(r * d, dy, 0, d);
      float mean = sum(row, d) / d;
      FloatVector mv = FloatVector.broadcast(S, mean);
      FloatVector acc = FloatVector.zero(S);
      int i = 0;
      for (; i < up; i += S.length()) {
        FloatVector c = FloatVector.fromArray(S, row, i).sub(mv);
        acc = c.fma(c, acc);
      }
      float sq = acc.reduceLanes(VectorOperators.ADD);
      for (; i < d; i++) sq += (row[i] - mean) * (row[i] - mean);
      float rstd = (float) (1.0 / Math.sqrt(sq / d + eps));
      FloatVector rv = FloatVector.broadcast(S, rstd);
      // xhat, dxhat = dy g, their sums; dg += dy xhat, db += dy
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      i = 0;
      for (; i < up; i += S.length()) {
        FloatVector h = FloatVector.fromArray(S, row, i).sub(mv).mul(rv);
        FloatVector gy = FloatVector.fromArray(S, dy, i);
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
        float h = (row[i] - mean) * rstd;
        float dh = dy[i] * g[i];
        xh[i] = h;
        gx[i] = dh;
        sum1 += dh;
        sum2 += dh * h;
        dg[i] += dy[i] * h;
        db[i] += dy[i];
      }
      float m1 = sum1 / d;
      float m2 = sum2 / d;
      FloatVector m1v = FloatVector.broadcast(S, m1);
      FloatVector m2v = FloatVector.broadcast(S, m2);
      i = 0;
      for (; i < up; i += S.length()) {
        FloatVector h = FloatVector.fromArray(S, xh, i);
        FloatVector.fromArray(S, gx, i).sub(m1v).sub(h.mul(m2v)).mul(rv).intoArray(out, i);
      }
      for (; i < d; i++) out[i] = (gx[i] - m1 - xh[i] * m2) * rstd;
      if (dxb != null) dxb.put(r * d, out, 0, d); // null: x's gradient is not needed, only g's and b's
    }
  }
}
