package org.maect.samediff.train;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.ThresholdReluBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.MulBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.SubBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PlanKernel}s an {@link ExecutionPlan} uses instead of libnd4j ops that are slow here (profiled, cpu28
 * CT step, one thread; docs/PERFORMANCE.md):
 * <ul>
 *   <li>{@code erf} and {@code exp} on FLOAT arrays (the exact GELU and its derivative): libnd4j's kernels are
 *       scalar (4 and 2.2 ns per element); {@link VectorTransforms} evaluates them with the JDK Vector API,
 *       erf with the Abramowitz-Stegun 7.1.26 formula PyTorch's vectorised CPU erf uses (|error| < 6e-7);
 *   <li>{@code reduce_sum} over the rows of a row-major {@code [N, C]} array (every Linear's bias gradient):
 *       libnd4j walks the columns with stride C (3.6 ms for {@code [6400, 256]}); a {@code [1, N] x [N, C]} GEMM
 *       with a ones row does it in a fraction of that;
 *   <li>{@code matmul} / {@code matmul_bp} on batches of small FLOAT matrices (attention): libnd4j multiplies
 *       them one at a time at 3-20 GFLOP/s; {@link BatchedMatmul} blocks them in registers with the Vector API;
 *   <li>the BatchNorm / ReLU backward ops of the NNCLR head ({@code add_bp}, {@code subtract_bp},
 *       {@code multiply_bp} with a broadcast operand, {@code thresholdedrelu_bp}, {@code reduce_mean} over rows
 *       with kept dimensions): libnd4j's broadcast backward takes ~20 ns per element ({@link BroadcastKernels}).
 * </ul>
 * {@code -Dmaect.samediff.kernels=false} keeps libnd4j's ops (comparisons). The Vector API kernels need
 * {@code --add-modules jdk.incubator.vector} (the launcher sets it); without it only the column-sum kernel is used.
 */
final class PlanKernels {
  private static final Logger log = LoggerFactory.getLogger(PlanKernels.class);

  /** System property: {@code -Dmaect.samediff.kernels=false} runs every op in libnd4j. */
  static final String PROPERTY = "maect.samediff.kernels";

  private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
  /** Whether arrays live in host memory (the Java kernels read and write it directly). */
  private static final boolean CPU = Nd4j.getEnvironment().isCPU();
  private static final VectorTransforms VECTOR = loadVector();

  private PlanKernels() {}

  private static VectorTransforms loadVector() {
    if (!ENABLED) return null;
    if (!CPU) {
      // the kernels read and write the arrays' host buffers: right only where those are the arrays' memory
      log.info("not a CPU backend: the plan's Java kernels and fused sites are off");
      return null;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      log.info("jdk.incubator.vector not loaded: erf/exp run in libnd4j (start the JVM with --add-modules "
          + "jdk.incubator.vector for ~3x faster GELU)");
      return null;
    }
    try {
      return (VectorTransforms) Class.forName("org.maect.samediff.train.VectorTransforms")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      log.warn("Vector API kernels unavailable ({}); erf/exp run in libnd4j", e.toString());
      return null;
    }
  }

  /** Whether the Vector API kernels are in use. */
  static boolean vectorAvailable() {
    return VECTOR != null;
  }

  /**
   * The kernel replacing {@code op}, or null to run the op itself.
   *
   * @param iArgs the op's recorded integer arguments (a matmul's transpose flags)
   * @param tArgs the op's recorded floating-point arguments (a matmul's alpha and beta)
   * @param inShapes the recorded input arrays' shapes
   * @param inTypes their data types
   * @param outShapes the recorded output shapes
   * @param outTypes their data types
   */
  static PlanKernel select(DifferentialFunction op, long[] iArgs, double[] tArgs, long[][] inShapes,
      DataType[] inTypes, long[][] outShapes, DataType[] outTypes) {
    // VECTOR is null unless kernels are enabled on a CPU backend with the Vector API loaded
    if (VECTOR != null && (op.getClass() == Mmul.class || op.getClass() == MmulBp.class)) {
      return matmul(op.getClass() == MmulBp.class, iArgs, tArgs, inShapes, inTypes, outTypes);
    }
    if (VECTOR != null && allFloat(inTypes) && allFloat(outTypes)) {
      Class<?> c = op.getClass();
      if ((c == AddBpOp.class || c == SubBpOp.class || c == MulBpOp.class) && inShapes.length == 3
          && outShapes.length == 2) {
        BroadcastKernels.Arith kind = c == AddBpOp.class ? BroadcastKernels.Arith.ADD
            : c == SubBpOp.class ? BroadcastKernels.Arith.SUB : BroadcastKernels.Arith.MUL;
        PlanKernel k = VECTOR.arithmeticBp(kind, inShapes[0], inShapes[1], inShapes[2]);
        if (k != null) return k;
      }
      if (c == ThresholdReluBp.class && inShapes.length == 2 && tArgs.length == 1
          && Arrays.equals(inShapes[0], inShapes[1]) && outShapes.length == 1
          && Arrays.equals(outShapes[0], inShapes[0])) {
        return VECTOR.reluBp(tArgs[0]);
      }
      if ((c == Mean.class || c == Sum.class) && inShapes.length == 1 && outShapes.length == 1
          && inShapes[0].length == outShapes[0].length) {
        PlanKernel k = VECTOR.midReduce(c == Mean.class, inShapes[0], outShapes[0]);
        if (k != null) return k;
      }
      if (c == Sum.class && inShapes.length == 1 && outShapes.length == 1 && inShapes[0].length == 2
          && length(outShapes[0]) == inShapes[0][1] && inShapes[0][0] > 1 && inShapes[0][0] != inShapes[0][1]) {
        // column sums of [N, C] (a Linear's bias gradient; N != C, so the shapes say which dimension is reduced):
        // the rows added in order into one accumulator row
        PlanKernel k = VECTOR.midReduce(false, inShapes[0], new long[] {1, inShapes[0][1]});
        if (k != null) return k;
      }
    }
    if (!ENABLED || inShapes.length != 1 || outShapes.length != 1 || inTypes[0] != outTypes[0]) return null;
    if (VECTOR != null && inTypes[0] == DataType.FLOAT && length(inShapes[0]) == length(outShapes[0])) {
      if (op.getClass() == Erf.class) return VECTOR.erf();
      if (op.getClass() == Exp.class) return VECTOR.exp();
    }
    if (CPU && op.getClass() == Permute.class && inShapes[0].length == 2 && Arrays.equals(iArgs, new long[] {1, 0})
        && inTypes[0] == DataType.FLOAT && Arrays.equals(outShapes[0], new long[] {inShapes[0][1], inShapes[0][0]})) {
      return new Transpose();
    }
    if (op.getClass() == Sum.class && inShapes[0].length == 2 && inShapes[0][0] != inShapes[0][1]
        && length(outShapes[0]) == inShapes[0][1]
        && (inTypes[0] == DataType.FLOAT || inTypes[0] == DataType.DOUBLE)) {
      return new ColumnSum();
    }
    return null;
  }

  /** The fused attention core forward ({@link AttentionKernels}); needs the Vector API. */
  static PlanKernel attention(int tokens, int heads) {
    return VECTOR.attention(tokens, heads);
  }

  /** The fused attention core backward writing {@code outputs} parts of qkv's gradient; needs the Vector API. */
  static PlanKernel attentionBp(int tokens, int heads, int outputs) {
    return VECTOR.attentionBp(tokens, heads, outputs);
  }

  /** The fused GELU forward ({@link GeluKernels}); needs the Vector API. */
  static PlanKernel gelu() {
    return VECTOR.gelu();
  }

  /** The fused GELU backward writing {@code outputs} parts of x's gradient; needs the Vector API. */
  static PlanKernel geluBp(int outputs) {
    return VECTOR.geluBp(outputs);
  }

  /** The fused LayerNorm forward ({@link LayerNormKernels}); needs the Vector API. */
  static PlanKernel layerNorm(double eps) {
    return VECTOR.layerNorm(eps);
  }

  /** The fused LayerNorm backward with these output roles; needs the Vector API. */
  static PlanKernel layerNormBp(double eps, FusedOp.Role[] roles) {
    return VECTOR.layerNormBp(eps, roles);
  }

  /** A batched small-matrix kernel for a {@code matmul} / {@code matmul_bp} with these arguments, or null. */
  private static PlanKernel matmul(boolean backward, long[] iArgs, double[] tArgs, long[][] inShapes,
      DataType[] inTypes, DataType[] outTypes) {
    if (inShapes.length != (backward ? 3 : 2) || outTypes.length != (backward ? 2 : 1)) return null;
    if (!allFloat(inTypes) || !allFloat(outTypes)) return null;
    boolean ta = iArgs.length > 0 && iArgs[0] != 0;
    boolean tb = iArgs.length > 1 && iArgs[1] != 0;
    if (iArgs.length > 2 && iArgs[2] != 0) return null; // transposed result
    if (tArgs.length > 0 && tArgs[0] != 1.0) return null; // alpha
    if (tArgs.length > 1 && tArgs[1] != 0.0) return null; // beta
    if (!BatchedMatmul.suits(inShapes[0], inShapes[1], ta, tb)) return null;
    long[] b = inShapes[1];
    if (!backward && tb && b[b.length - 2] > 32) {
      return null; // q k^T with 50 tokens: libnd4j is as fast (the transposed copy of B costs what blocking gains)
    }
    return VECTOR.matmul(backward, ta, tb);
  }

  private static boolean allFloat(DataType[] types) {
    for (DataType t : types) {
      if (t != DataType.FLOAT) return false;
    }
    return types.length > 0;
  }

  private static long length(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  /**
   * {@code permute(1, 0)} of a FLOAT matrix (every Linear transposes its weight forward and its weight gradient
   * backward): libnd4j copies it at ~2 ns per value; a blocked transpose through heap arrays at a fraction.
   */
  static final class Transpose implements PlanKernel {
    private static final int BLOCK = 32;
    private float[] in = new float[0];
    private float[] out = new float[0];

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray x = inputs[0];
      INDArray y = outputs[0];
      if (x.rank() != 2 || x.dataType() != DataType.FLOAT || y.dataType() != DataType.FLOAT || !PlanKernel.dense(x)
          || !PlanKernel.dense(y) || y.length() != x.length() || x.length() > Integer.MAX_VALUE) {
        return false;
      }
      int r = (int) x.size(0);
      int c = (int) x.size(1);
      int n = r * c;
      if (in.length < n) {
        in = new float[n];
        out = new float[n];
      }
      java.nio.ByteOrder order = java.nio.ByteOrder.nativeOrder();
      x.data().asNio().order(order).asFloatBuffer().get(0, in, 0, n);
      transpose(in, out, r, c);
      y.data().asNio().order(order).asFloatBuffer().put(0, out, 0, n);
      return true;
    }

    /** {@code out [c, r] = in [r, c]^T}, in 32 x 32 tiles. */
    static void transpose(float[] in, float[] out, int r, int c) {
      for (int i0 = 0; i0 < r; i0 += BLOCK) {
        int i1 = Math.min(r, i0 + BLOCK);
        for (int j0 = 0; j0 < c; j0 += BLOCK) tile(in, out, r, c, i0, i1, j0, Math.min(c, j0 + BLOCK));
      }
    }

    /** One tile, writing {@code out}'s rows contiguously (a method of its own: C2 compiles it better). */
    private static void tile(float[] in, float[] out, int r, int c, int i0, int i1, int j0, int j1) {
      for (int j = j0; j < j1; j++) {
        int o = j * r;
        for (int i = i0; i < i1; i++) out[o + i] = in[i * c + j];
      }
    }

    @Override
    public String name() {
      return "transpose";
    }
  }

  /** Sums of the columns of a row-major {@code [N, C]} array: {@code ones [1, N] x x [N, C] -> [1, C]}. */
  static final class ColumnSum implements PlanKernel {
    private final Map<String, INDArray> ones = new HashMap<>();

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      INDArray x = inputs[0];
      INDArray out = outputs[0];
      if (x.rank() != 2 || !PlanKernel.dense(x) || !PlanKernel.dense(out) || out.length() != x.size(1)) return false;
      long n = x.size(0);
      INDArray o = ones.computeIfAbsent(x.dataType() + ":" + n, k -> Nd4j.ones(x.dataType(), 1, n));
      INDArray row = out.rank() == 2 && out.size(0) == 1 ? out : out.reshape('c', 1, x.size(1)); // a view of out
      Nd4j.gemm(o, x, row, false, false, 1.0, 0.0);
      return true;
    }

    @Override
    public String name() {
      return "column-sum GEMM";
    }
  }
}
