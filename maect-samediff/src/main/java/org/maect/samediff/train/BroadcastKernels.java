package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FLOAT kernels for the BatchNorm and ReLU backward ops of the NNCLR head, where libnd4j's broadcast backward
 * kernels take ~20 ns per element (profiled, cpu28 CT step: {@code multiply_bp [2, 64, 1024]} 1.5 ms for 131k
 * elements, 11 ms per step in all):
 * <ul>
 *   <li>{@code add_bp}, {@code subtract_bp}, {@code multiply_bp} where one operand broadcasts against the
 *       gradient: the gradient {@code dz} is {@code [outer, mid, inner]} and the small operand {@code [outer, 1,
 *       inner]} (e.g. {@code [V, B, C]} against a per-view {@code [V, 1, C]} statistic, or {@code [N, C]} against a
 *       {@code [C]} weight); the small operand's gradient is the sum over {@code mid};
 *   <li>{@code thresholdedrelu_bp}: {@code dx = x > cutoff ? dz : 0};
 *   <li>{@code reduce_sum} / {@code reduce_mean} over a contiguous block of middle dimensions with kept dimensions
 *       ({@code [outer, mid, inner] -> [outer, 1, inner]}, BatchNorm's batch mean).
 * </ul>
 * Sums run over {@code mid} in float per column, in row order. Rows are copied to heap arrays and processed with
 * the JDK Vector API. The shapes are fixed when the plan selects a kernel; {@link #run} checks them again.
 */
final class BroadcastKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** Shortest contiguous run ({@code inner}) worth a row-wise kernel. */
  static final int MIN_INNER = 8;

  private BroadcastKernels() {}

  /** Arithmetic backward ops handled. */
  enum Arith { ADD, SUB, MUL }

  /**
   * {@code [outer, mid, inner]} such that {@code big} is that shape and {@code small} (right-aligned, missing
   * leading dimensions are 1) is {@code [outer, 1, inner]}, or null when the broadcast is not one contiguous block of
   * dimensions, nothing is broadcast, or {@code inner < MIN_INNER}.
   */
  static long[] split(long[] big, long[] small) {
    int r = big.length;
    if (small.length > r) return null;
    long[] s = new long[r];
    for (int i = 0; i < r; i++) {
      int j = i - (r - small.length);
      s[i] = j < 0 ? 1 : small[j];
    }
    int first = -1;
    int last = -1;
    for (int i = 0; i < r; i++) {
      if (s[i] == big[i]) continue;
      if (s[i] != 1) return null;
      if (first < 0) first = i;
      last = i;
    }
    for (int i = first + 1; i < last; i++) {
      if (s[i] == big[i] && big[i] != 1) return null; // broadcast dimensions with a kept one between them
    }
    if (first < 0) return null;
    long outer = 1;
    long mid = 1;
    long inner = 1;
    for (int i = 0; i < first; i++) outer *= big[i];
    for (int i = first; i <= last; i++) mid *= big[i];
    for (int i = last + 1; i < r; i++) inner *= big[i];
    if (inner < MIN_INNER || outer * mid * inner > Integer.MAX_VALUE) return null;
    return new long[] {outer, mid, inner};
  }

  private static long length(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  private static FloatBuffer floats(INDArray x) {
    return x.data().asNio().order(ORDER).asFloatBuffer();
  }

  private static boolean floatDense(INDArray[] arrays) {
    for (INDArray a : arrays) {
      if (a == null || a.dataType() != DataType.FLOAT || !PlanKernel.dense(a)) return false;
    }
    return true;
  }

  /**
   * The kernel for {@code add_bp} / {@code subtract_bp} / {@code multiply_bp} with inputs {@code (x, y, dz)} of
   * these shapes, or null if neither operand broadcasts in the {@link #split} form.
   */
  static PlanKernel arithmeticBp(Arith kind, long[] x, long[] y, long[] dz) {
    long n = length(dz);
    boolean xBig = length(x) == n && length(y) < n;
    boolean yBig = length(y) == n && length(x) < n;
    if (!xBig && !yBig) return null;
    long[] split = split(dz, xBig ? y : x);
    if (split == null) return null;
    if (xBig && !java.util.Arrays.equals(x, dz) || yBig && !java.util.Arrays.equals(y, dz)) return null;
    return new ArithmeticBp(kind, xBig, (int) split[0], (int) split[1], (int) split[2]);
  }

  /** The kernel for a same-shape {@code thresholdedrelu_bp}. */
  static PlanKernel reluBp(double cutoff) {
    return new ReluBp((float) cutoff);
  }

  /**
   * The kernel for a {@code reduce_sum} / {@code reduce_mean} from {@code in} to {@code out} (same rank: kept
   * dimensions), or null if the reduced dimensions are not one contiguous block.
   */
  static PlanKernel midReduce(boolean mean, long[] in, long[] out) {
    if (in.length != out.length) return null;
    long[] split = split(in, out);
    if (split == null) return null;
    return new MidReduce(mean, (int) split[0], (int) split[1], (int) split[2]);
  }

  /** {@code add_bp} / {@code subtract_bp} / {@code multiply_bp} with one broadcast operand. */
  static final class ArithmeticBp implements PlanKernel {
    private final Arith kind;
    private final boolean xBig;
    private final int outer;
    private final int mid;
    private final int inner;
    private final float[] dzRow;
    private final float[] bigRow;
    private final float[] smallRow;
    private final float[] outRow;
    private final float[] acc;

    ArithmeticBp(Arith kind, boolean xBig, int outer, int mid, int inner) {
      this.kind = kind;
      this.xBig = xBig;
      this.outer = outer;
      this.mid = mid;
      this.inner = inner;
      dzRow = new float[inner];
      bigRow = new float[inner];
      smallRow = new float[inner];
      outRow = new float[inner];
      acc = new float[inner];
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      if (inputs.length != 3 || outputs.length != 2 || !floatDense(inputs) || !floatDense(outputs)) return false;
      long n = (long) outer * mid * inner;
      long small = (long) outer * inner;
      INDArray big = inputs[xBig ? 0 : 1];
      INDArray sm = inputs[xBig ? 1 : 0];
      INDArray dBig = outputs[xBig ? 0 : 1];
      INDArray dSmall = outputs[xBig ? 1 : 0];
      if (inputs[2].length() != n || big.length() != n || sm.length() != small || dBig.length() != n
          || dSmall.length() != small) {
        return false;
      }
      FloatBuffer dz = floats(inputs[2]);
      FloatBuffer bigB = floats(big);
      FloatBuffer smB = floats(sm);
      FloatBuffer dBigB = floats(dBig);
      FloatBuffer dSmB = floats(dSmall);
      // d(big) and d(small) per operand: add: dz, sum dz; subtract: +-dz, -+sum dz (x - y); multiply: dz*small,
      // sum dz*big
      float bigSign = kind == Arith.SUB && !xBig ? -1f : 1f;
      float smallSign = kind == Arith.SUB && xBig ? -1f : 1f;
      int up = S.loopBound(inner);
      for (int o = 0; o < outer; o++) {
        java.util.Arrays.fill(acc, 0f);
        if (kind == Arith.MUL) smB.get(o * inner, smallRow, 0, inner);
        for (int m = 0; m < mid; m++) {
          int off = (o * mid + m) * inner;
          dz.get(off, dzRow, 0, inner);
          if (kind == Arith.MUL) {
            bigB.get(off, bigRow, 0, inner);
            int i = 0;
            for (; i < up; i += S.length()) {
              FloatVector g = FloatVector.fromArray(S, dzRow, i);
              g.mul(FloatVector.fromArray(S, smallRow, i)).intoArray(outRow, i);
              g.fma(FloatVector.fromArray(S, bigRow, i), FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
            }
            for (; i < inner; i++) {
              outRow[i] = dzRow[i] * smallRow[i];
              acc[i] += dzRow[i] * bigRow[i];
            }
            dBigB.put(off, outRow, 0, inner);
          } else {
            int i = 0;
            for (; i < up; i += S.length()) {
              FloatVector g = FloatVector.fromArray(S, dzRow, i);
              g.add(FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
              if (bigSign < 0) g.neg().intoArray(outRow, i);
            }
            for (; i < inner; i++) {
              acc[i] += dzRow[i];
              if (bigSign < 0) outRow[i] = -dzRow[i];
            }
            dBigB.put(off, bigSign < 0 ? outRow : dzRow, 0, inner);
          }
        }
        if (smallSign < 0) {
          for (int i = 0; i < inner; i++) acc[i] = -acc[i];
        }
        dSmB.put(o * inner, acc, 0, inner);
      }
      return true;
    }

    @Override
    public String name() {
      return kind.name().toLowerCase(java.util.Locale.ROOT) + "_bp broadcast (Vector API)";
    }
  }

  /** {@code thresholdedrelu_bp}: {@code dx = x > cutoff ? dz : 0}. */
  static final class ReluBp implements PlanKernel {
    private static final int CHUNK = 4096;
    private final float cutoff;
    private final float[] xs = new float[CHUNK];
    private final float[] gs = new float[CHUNK];

    ReluBp(float cutoff) {
      this.cutoff = cutoff;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      if (inputs.length != 2 || outputs.length != 1 || !floatDense(inputs) || !floatDense(outputs)) return false;
      long n = inputs[0].length();
      if (inputs[1].length() != n || outputs[0].length() != n || n > Integer.MAX_VALUE) return false;
      FloatBuffer x = floats(inputs[0]);
      FloatBuffer dz = floats(inputs[1]);
      FloatBuffer dx = floats(outputs[0]);
      FloatVector zero = FloatVector.zero(S);
      for (int start = 0; start < n; start += CHUNK) {
        int len = (int) Math.min(CHUNK, n - start);
        x.get(start, xs, 0, len);
        dz.get(start, gs, 0, len);
        int up = S.loopBound(len);
        int i = 0;
        for (; i < up; i += S.length()) {
          VectorMask<Float> pass = FloatVector.fromArray(S, xs, i).compare(VectorOperators.GT, cutoff);
          zero.blend(FloatVector.fromArray(S, gs, i), pass).intoArray(gs, i);
        }
        for (; i < len; i++) gs[i] = xs[i] > cutoff ? gs[i] : 0f;
        dx.put(start, gs, 0, len);
      }
      return true;
    }

    @Override
    public String name() {
      return "thresholdedrelu_bp (Vector API)";
    }
  }

  /** Sum or mean over the middle block: {@code [outer, mid, inner] -> [outer, 1, inner]}. */
  static final class MidReduce implements PlanKernel {
    private final boolean mean;
    private final int outer;
    private final int mid;
    private final int inner;
    private final float[] row;
    private final float[] acc;

    MidReduce(boolean mean, int outer, int mid, int inner) {
      this.mean = mean;
      this.outer = outer;
      this.mid = mid;
      this.inner = inner;
      row = new float[inner];
      acc = new float[inner];
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      if (inputs.length != 1 || outputs.length != 1 || !floatDense(inputs) || !floatDense(outputs)) return false;
      if (inputs[0].length() != (long) outer * mid * inner || outputs[0].length() != (long) outer * inner) {
        return false;
      }
      FloatBuffer x = floats(inputs[0]);
      FloatBuffer out = floats(outputs[0]);
      int up = S.loopBound(inner);
      for (int o = 0; o < outer; o++) {
        java.util.Arrays.fill(acc, 0f);
        for (int m = 0; m < mid; m++) {
          x.get((o * mid + m) * inner, row, 0, inner);
          int i = 0;
          for (; i < up; i += S.length()) {
            FloatVector.fromArray(S, row, i).add(FloatVector.fromArray(S, acc, i)).intoArray(acc, i);
          }
          for (; i < inner; i++) acc[i] += row[i];
        }
        if (mean) {
          for (int i = 0; i < inner; i++) acc[i] /= mid;
        }
        out.put(o * inner, acc, 0, inner);
      }
      return true;
    }

    @Override
    public String name() {
      return (mean ? "reduce_mean" : "reduce_sum") + " over rows (Vector API)";
    }
  }
}
