package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
  private static final int CHUNK = 4096;
  private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
  private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

  private GeluKernels() {}

  private static FloatBuffer floats(INDArray x) {
    return x.data().asNio().order(ORDER).asFloatBuffer();
  }

  private static void check(String what, INDArray a, long n) {
    if (a.dataType() != DataType.FLOAT || !PlanKernel.dense(a) || a.length() != n || n > Integer.MAX_VALUE) {
      throw new IllegalStateException(what + ": needs a dense row-major FLOAT array of " + n + " values, got "
          + a.shapeInfoToString());
    }
  }

  /** {@code Phi(x) = 0.5 + 0.5 erf(x / sqrt 2)}. */
  private static FloatVector cdf(FloatVector x) {
    return VectorTransforms.erf(x.mul(INV_SQRT2)).fma(0.5f, 0.5f);
  }

  private static float cdf(float x) {
    return VectorTransforms.erf(x * INV_SQRT2) * 0.5f + 0.5f;
  }

  /** Forward over one chunk (a method of its own: C2 compiles such loops well, see {@link LayerNormKernels}). */
  private static void forwardChunk(float[] x, float[] y, int len) {
    int up = S.loopBound(len);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      v.mul(cdf(v)).intoArray(y, i);
    }
    for (; i < len; i++) y[i] = x[i] * cdf(x[i]);
  }

  /** Backward over one chunk: {@code g[i] = dy[i] (Phi(x) + x phi(x))} in place of dy. */
  private static void backwardChunk(float[] x, float[] g, int len) {
    int up = S.loopBound(len);
    int i = 0;
    for (; i < up; i += S.length()) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      FloatVector pdf = v.mul(v).mul(-0.5f).lanewise(VectorOperators.EXP).mul(INV_SQRT_2PI);
      FloatVector.fromArray(S, g, i).mul(v.fma(pdf, cdf(v))).intoArray(g, i);
    }
    for (; i < len; i++) {
      float pdf = (float) Math.exp(-0.5f * x[i] * x[i]) * INV_SQRT_2PI;
      g[i] = g[i] * (cdf(x[i]) + x[i] * pdf);
    }
  }

  /** Forward: input x, output y (same shape). */
  static final class Forward implements PlanKernel {
    private final float[] xs = new float[CHUNK];
    private final float[] ys = new float[CHUNK];

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      long n = inputs[0].length();
      check("fused gelu input", inputs[0], n);
      check("fused gelu output", outputs[0], n);
      FloatBuffer x = floats(inputs[0]);
      FloatBuffer y = floats(outputs[0]);
      for (int start = 0; start < n; start += CHUNK) {
        int len = (int) Math.min(CHUNK, n - start);
        x.get(start, xs, 0, len);
        forwardChunk(xs, ys, len);
        y.put(start, ys, 0, len);
      }
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
    private final float[] xs = new float[CHUNK];
    private final float[] gs = new float[CHUNK];

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
      FloatBuffer x = floats(inputs[0]);
      FloatBuffer dy = floats(inputs[1]);
      FloatBuffer dx = floats(outs[0]);
      for (int start = 0; start < n; start += CHUNK) {
        int len = (int) Math.min(CHUNK, n - start);
        x.get(start, xs, 0, len);
        dy.get(start, gs, 0, len);
        backwardChunk(xs, gs, len);
        dx.put(start, gs, 0, len);
      }
      for (int k = 1; k < outs.length; k++) outs[k].assign(0);
      return true;
    }

    @Override
    public String name() {
      return "fused gelu_bp (Vector API)";
    }
  }
}
