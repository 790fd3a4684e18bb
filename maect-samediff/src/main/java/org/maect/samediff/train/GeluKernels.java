package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The exact GELU in one pass, forward and backward, FLOAT, with the JDK Vector API: what {@link SiteFusion} runs in
 * place of the composed ops of {@code org.maect.samediff.vit.Gelu} (5 forward ops, ~11 backward ops, each a pass
 * over the MLP's widest activations).
 *
 * <p>{@code y = x Phi(x)}, {@code Phi(x) = 0.5 + 0.5 erf(x / sqrt 2)}, with erf by {@link VectorTransforms#erf}
 * (the formula the plan's erf kernel uses). Backward: {@code dx = dy (Phi(x) + x phi(x))},
 * {@code phi(x) = exp(-x^2 / 2) / sqrt(2 pi)}: the derivative of the composed graph ({@code erf'(z) = 2 / sqrt(pi)
 * exp(-z^2)}) in closed form. x's gradient is written whole into the first output and zeros into any further one
 * (the composed graph hands it over in two parts).
 */
final class GeluKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
  private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

  private GeluKernels() {}

  private static ByteBuffer bytes(INDArray x) {
    return x.data().asNio().order(ORDER);
  }

  private static void check(String what, INDArray a, long n) {
    if (a.dataType() != DataType.FLOAT || !PlanKernel.dense(a) || a.length() != n || n > Integer.MAX_VALUE / 4) {
      throw new IllegalStateException(what + ": needs a dense row-major FLOAT array of " + n + " values, got "
          + a.shapeInfoToString());
    }
  }

  private static float cdf(float x) {
    return VectorTransforms.erf(x * INV_SQRT2) * 0.5f + 0.5f;
  }

  // The loops read and write the arrays' native buffers in place (reading them in chunks into heap arrays first
  // measured slower: the copies do not overlap the arithmetic) and live in methods of their own (see
  // LayerNormKernels on C2 and vector loops).

  /** {@code y = x Phi(x)} for {@code n} floats. */
  static void forward(ByteBuffer x, ByteBuffer y, int n) {
    int up = S.loopBound(n);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector v = FloatVector.fromByteBuffer(S, x, 4 * i, ORDER);
      FloatVector a = v.mul(INV_SQRT2);
      FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP);
      v.mul(VectorTransforms.erf(a, e).fma(0.5f, 0.5f)).intoByteBuffer(y, 4 * i, ORDER);
    }
    for (; i < n; i++) {
      float v = x.getFloat(4 * i);
      y.putFloat(4 * i, v * cdf(v));
    }
  }

  /**
   * {@code dx = dy (Phi(x) + x phi(x))} for {@code n} floats; {@code exp(-x^2 / 2)} serves both erf (at
   * {@code x / sqrt 2}) and phi.
   */
  static void backward(ByteBuffer x, ByteBuffer dy, ByteBuffer dx, int n) {
    int up = S.loopBound(n);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector v = FloatVector.fromByteBuffer(S, x, 4 * i, ORDER);
      FloatVector a = v.mul(INV_SQRT2);
      FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP);
      FloatVector cdf = VectorTransforms.erf(a, e).fma(0.5f, 0.5f);
      FloatVector slope = v.mul(e).fma(FloatVector.broadcast(S, INV_SQRT_2PI), cdf); // Phi(x) + x phi(x)
      FloatVector.fromByteBuffer(S, dy, 4 * i, ORDER).mul(slope).intoByteBuffer(dx, 4 * i, ORDER);
    }
    for (; i < n; i++) {
      float v = x.getFloat(4 * i);
      float pdf = (float) Math.exp(-0.5f * v * v) * INV_SQRT_2PI;
      dx.putFloat(4 * i, dy.getFloat(4 * i) * (cdf(v) + v * pdf));
    }
  }

  /** Forward: input x, output y (same shape). */
  static final class Forward implements PlanKernel {
    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      long n = inputs[0].length();
      check("fused gelu input", inputs[0], n);
      check("fused gelu output", outputs[0], n);
      forward(bytes(inputs[0]), bytes(outputs[0]), (int) n);
      return true;
    }

    @Override
    public String name() {
      return "fused gelu (Vector API)";
    }
  }

  /** Backward: inputs (x, dy), outputs: parts of dx (the whole into the first, zeros into the others). */
  static final class Backward implements PlanKernel {
    private final int outputs;

    Backward(int outputs) {
      this.outputs = outputs;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outs) {
      long n = inputs[0].length();
      check("fused gelu_bp x", inputs[0], n);
      check("fused gelu_bp dy", inputs[1], n);
      if (outs.length != outputs) throw new IllegalStateException("fused gelu_bp: " + outs.length + " outputs");
      for (INDArray o : outs) check("fused gelu_bp dx", o, n);
      backward(bytes(inputs[0]), bytes(inputs[1]), bytes(outs[0]), (int) n);
      for (int k = 1; k < outs.length; k++) outs[k].assign(0);
      return true;
    }

    @Override
    public String name() {
      return "fused gelu_bp (Vector API)";
    }
  }
}
