package org.maect.samediff.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FLOAT {@code erf} and {@code exp} with the JDK Vector API, reading and writing the arrays' native buffers in
 * place. Loaded reflectively by {@link PlanKernels} (this class needs {@code jdk.incubator.vector}).
 *
 * <p>erf: Abramowitz and Stegun 7.1.26, {@code erf(x) = sign(x) (1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5))))
 * exp(-x^2))}, {@code t = 1 / (1 + p |x|)}, maximum error 1.5e-7 in exact arithmetic (measured in float32 against
 * Commons Math's double erf: below 6e-7). This is the formula of PyTorch's vectorised float erf on CPU, so the
 * GELU's values follow PyTorch's at least as closely as libnd4j's scalar erf does. exp: the Vector API's
 * {@code EXP} (SVML on x86). 256-bit vectors: measured faster here than 512-bit.
 */
final class VectorTransforms {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final float P = 0.3275911f;
  private static final float A1 = 0.254829592f;
  private static final float A2 = -0.284496736f;
  private static final float A3 = 1.421413741f;
  private static final float A4 = -1.453152027f;
  private static final float A5 = 1.061405429f;

  private final PlanKernel erf = new Kernel("erf (Vector API)", true);
  private final PlanKernel exp = new Kernel("exp (Vector API)", false);

  PlanKernel erf() {
    return erf;
  }

  PlanKernel exp() {
    return exp;
  }

  /** A {@link BroadcastKernels} kernel for an arithmetic backward op, or null. */
  PlanKernel arithmeticBp(BroadcastKernels.Arith kind, long[] x, long[] y, long[] dz) {
    return BroadcastKernels.arithmeticBp(kind, x, y, dz);
  }

  PlanKernel reluBp(double cutoff) {
    return BroadcastKernels.reluBp(cutoff);
  }

  PlanKernel midReduce(boolean mean, long[] in, long[] out) {
    return BroadcastKernels.midReduce(mean, in, out);
  }

  PlanKernel attention(int tokens, int heads) {
    return new AttentionKernels.Forward(tokens, heads);
  }

  PlanKernel attentionBp(int tokens, int heads, int outputs) {
    return new AttentionKernels.Backward(tokens, heads, outputs);
  }

  PlanKernel gelu() {
    return new GeluKernels.Forward();
  }

  PlanKernel geluBp(int outputs) {
    return new GeluKernels.Backward(outputs);
  }

  PlanKernel layerNorm(double eps) {
    return new LayerNormKernels.Forward(eps);
  }

  PlanKernel layerNormBp(double eps, FusedOp.Role[] roles) {
    return new LayerNormKernels.Backward(eps, roles);
  }

  /** A {@link BatchedMatmul} (its own scratch arrays: one per plan step). */
  PlanKernel matmul(boolean backward, boolean transposeA, boolean transposeB) {
    return new BatchedMatmul(backward, transposeA, transposeB);
  }

  /** erf of {@code n} floats from {@code in} to {@code out} (byte buffers in native order, from offset 0). */
  static void erf(ByteBuffer in, ByteBuffer out, int n) {
    int i = 0;
    int up = S.loopBound(n);
    for (; i < up; i += S.length()) erf(FloatVector.fromByteBuffer(S, in, 4 * i, ORDER)).intoByteBuffer(out, 4 * i, ORDER);
    for (; i < n; i++) out.putFloat(4 * i, erf(in.getFloat(4 * i)));
  }

  /** erf of each lane (the formula above). */
  static FloatVector erf(FloatVector x) {
    return erf(x, x.mul(x).neg().lanewise(VectorOperators.EXP));
  }

  /** erf of each lane given {@code expNegSquare = exp(-x^2)} (a caller that needs it too computes it once). */
  static FloatVector erf(FloatVector x, FloatVector expNegSquare) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector t = one.div(x.abs().fma(P, 1f));
    FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(S, A3)).fma(t, FloatVector.broadcast(S, A2))
        .fma(t, FloatVector.broadcast(S, A1)).mul(t);
    FloatVector y = one.sub(poly.mul(expNegSquare));
    return y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
  }

  /** The same formula for one value (the loop's tail). */
  static float erf(float x) {
    float t = 1f / (1f + P * Math.abs(x));
    float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
    float y = 1f - poly * (float) Math.exp(-x * x);
    return x < 0 ? -y : y;
  }

  /** exp of {@code n} floats. */
  static void exp(ByteBuffer in, ByteBuffer out, int n) {
    int i = 0;
    int up = S.loopBound(n);
    for (; i < up; i += S.length()) {
      FloatVector.fromByteBuffer(S, in, 4 * i, ORDER).lanewise(VectorOperators.EXP).intoByteBuffer(out, 4 * i, ORDER);
    }
    for (; i < n; i++) out.putFloat(4 * i, (float) Math.exp(in.getFloat(4 * i)));
  }

  private static final class Kernel implements PlanKernel {
    private final String name;
    private final boolean isErf;

    Kernel(String name, boolean isErf) {
      this.name = name;
      this.isErf = isErf;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray x = inputs[0];
      INDArray y = outputs[0];
      if (x.dataType() != DataType.FLOAT || y.dataType() != DataType.FLOAT || x.length() != y.length()
          || x.length() > Integer.MAX_VALUE / 4 || !PlanKernel.dense(x) || !PlanKernel.dense(y)) {
        return false;
      }
      ByteBuffer in = x.data().asNio().order(ORDER);
      ByteBuffer out = y.data().asNio().order(ORDER);
      if (isErf) erf(in, out, (int) x.length());
      else exp(in, out, (int) x.length());
      return true;
    }

    @Override
    public String name() {
      return name;
    }
  }
}
