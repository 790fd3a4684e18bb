package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code torch.nn.Linear}'s forward on the weight in its {@code [out, in]} layout, for {@link TransposeFolding}:
 * {@code y [N, out] = x [N, in] W^T + b}. The bias goes into y's rows first, then one libnd4j {@code matmul} with
 * {@code transB} and beta 1 adds {@code x W^T} (BLAS reads W transposed, no copy of it is made). Inputs
 * {@code (x, W, b)}, FLOAT, dense row-major host arrays.
 */
final class LinearKernel implements PlanKernel {
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private final Mmul matmul = new Mmul(); // only names the op: its arguments are the context's
  private final OpContext ctx;
  private float[] bias = new float[0];

  LinearKernel() {
    ctx = Nd4j.getExecutioner().buildContext();
    ctx.setIArguments(0, 1, 0); // x, W transposed, result as is
    ctx.setTArguments(1.0, 1.0); // alpha 1, beta 1: adds to the bias rows
  }

  @Override
  public boolean run(INDArray[] inputs, INDArray[] outputs) {
    if (inputs.length != 3 || outputs.length != 1) return false;
    INDArray x = inputs[0];
    INDArray w = inputs[1];
    INDArray b = inputs[2];
    INDArray y = outputs[0];
    for (INDArray a : new INDArray[] {x, w, b, y}) {
      if (a.dataType() != DataType.FLOAT || !PlanKernel.dense(a)) return false;
    }
    if (x.rank() != 2 || w.rank() != 2 || y.rank() != 2 || x.size(1) != w.size(1) || y.size(0) != x.size(0)
        || y.size(1) != w.size(0) || b.length() != w.size(0) || y.length() > Integer.MAX_VALUE) {
      return false;
    }
    int n = (int) y.size(0);
    int out = (int) y.size(1);
    if (bias.length != out) bias = new float[out];
    b.data().asNio().order(ORDER).asFloatBuffer().get(0, bias, 0, out);
    FloatBuffer yb = y.data().asNio().order(ORDER).asFloatBuffer();
    for (int r = 0; r < n; r++) yb.put(r * out, bias, 0, out);
    ctx.setInputArrays(x, w);
    ctx.setOutputArrays(y);
    Nd4j.exec(matmul, ctx);
    return true;
  }

  @Override
  public String name() {
    return "linear (bias rows + GEMM with transB)";
  }
}
