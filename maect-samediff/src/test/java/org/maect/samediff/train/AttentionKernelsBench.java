package org.maect.samediff.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the fused attention kernels alone (not a test): {@code java --add-modules jdk.incubator.vector -cp
 * 'maect-samediff/target/test-classes:maect-samediff/target/classes:maect-examples/target/lib/*'
 * org.maect.samediff.train.AttentionKernelsBench TOKENS HEADS WIDTH IMAGES} prints the forward and backward time of
 * one call on {@code qkv [IMAGES * TOKENS, 3 WIDTH]} after a warm-up (median of the last 5 of 200 calls), per call
 * and per image and head. The shapes of the presets: cpu28 {@code 50 4 64 128} (CT step) and {@code 13 4 64 256}
 * (MAE encoder), ViT-Ti {@code 50 3 192 128} and {@code 13 3 192 64}, ViT-Ti's decoder {@code 50 4 128 64}.
 */
public final class AttentionKernelsBench {
  private AttentionKernelsBench() {}

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: AttentionKernelsBench TOKENS HEADS WIDTH IMAGES");
      System.exit(2);
    }
    int s = Integer.parseInt(args[0]);
    int heads = Integer.parseInt(args[1]);
    int dim = Integer.parseInt(args[2]);
    int b = Integer.parseInt(args[3]);
    if (!PlanKernels.vectorAvailable()) throw new IllegalStateException("start the JVM with --add-modules jdk.incubator.vector");
    INDArray qkv = TestArrays.random(1, (long) b * s, 3L * dim);
    INDArray dout = TestArrays.random(2, (long) b * s, dim);
    INDArray out = Nd4j.create(DataType.FLOAT, (long) b * s, dim);
    INDArray dqkv = Nd4j.create(DataType.FLOAT, (long) b * s, 3L * dim);
    PlanKernel forward = PlanKernels.attention(s, heads);
    PlanKernel backward = PlanKernels.attentionBp(s, heads, 1);
    int calls = 200;
    int kept = 5;
    double[] f = new double[kept];
    double[] g = new double[kept];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      forward.run(new INDArray[] {qkv}, new INDArray[] {out});
      long t1 = System.nanoTime();
      backward.run(new INDArray[] {qkv, dout}, new INDArray[] {dqkv});
      long t2 = System.nanoTime();
      if (i >= calls - kept) {
        f[i - calls + kept] = (t1 - t0) / 1e6;
        g[i - calls + kept] = (t2 - t1) / 1e6;
      }
    }
    java.util.Arrays.sort(f);
    java.util.Arrays.sort(g);
    double fm = f[kept / 2];
    double gm = g[kept / 2];
    System.out.printf("tokens %d, heads %d, width %d, images %d: forward %.2f ms, backward %.2f ms"
        + " (%.2f / %.2f us per image and head)%n", s, heads, dim, b, fm, gm, fm * 1e3 / b / heads,
        gm * 1e3 / b / heads);
  }
}
