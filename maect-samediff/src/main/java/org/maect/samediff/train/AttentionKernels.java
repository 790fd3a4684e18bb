package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The core of timm's multi-head self-attention, from the packed {@code qkv [B*S, 3D]} to the merged heads
 * {@code [B*S, D]}, in one pass forward and one backward, FLOAT, with the JDK Vector API: what {@link SiteFusion}
 * runs in place of the composed ops of {@code org.maect.samediff.vit.Attention} (reshape, permute, unstack, scale,
 * {@code q k^T}, softmax, {@code attn v}, permute, reshape: 9 forward ops and ~14 backward ops, each over the
 * whole batch, the permutes copying it).
 *
 * <p>Per image b and head h ({@code d = D / H}, {@code c = 1 / sqrt(d)}): {@code q, k, v [S, d]} are columns
 * {@code h d .. h d + d} of the three thirds of the image's qkv rows; {@code attn = softmax(c q k^T)},
 * {@code out = attn v} goes to columns {@code h d ..} of the image's merged rows. Backward from {@code dout}
 * (scores and softmax recomputed, nothing kept from the forward): {@code dattn = dout v^T}, {@code dv = attn^T dout},
 * {@code ds = c attn (dattn - rowsum(dattn attn))}, {@code dq = ds k}, {@code dk = ds^T q}.
 *
 * <p>The products are {@link BatchedMatmul#multiply}'s register-blocked kernel reading q, k, v, dout in place in a
 * heap copy of the image's rows (row strides 3D and D) and writing out, dq, dk, dv in place; only k and v are
 * transposed (once per image, all heads: {@code [S, D] -> [D, S]}). Where d is not a multiple of the vector length,
 * the products with d columns go through a padded row buffer.
 */
final class AttentionKernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final int L = 8;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  private AttentionKernels() {}

  private static FloatBuffer floats(INDArray x) {
    return x.data().asNio().order(ORDER).asFloatBuffer();
  }

  private static int pad(int n) {
    return (n + L - 1) / L * L;
  }

  /** Shapes and scratch of one site: S tokens, H heads, width D. */
  private static final class Scratch {
    final int s;
    final int heads;
    final int sp;
    int dim;
    int hd;
    int hdp;
    boolean direct; // d a multiple of the vector length: products with d columns written in place
    float scale;
    float[] qkv; // one image's rows (+ L: padded reads of the last row stay in bounds)
    float[] merged;
    float[] dmerged;
    float[] dqkv;
    float[] kt; // [D, sp] k transposed, all heads (head h: rows h d ..); padding columns stay zero
    float[] vt;
    float[] scores;
    float[] attn;
    float[] dattn;
    float[] tmp;
    final FloatVector padBias; // added to a score row's last vector: 0 in real columns, -inf in the padding

    Scratch(int s, int heads) {
      this.s = s;
      this.heads = heads;
      this.sp = pad(s);
      float[] bias = new float[L];
      for (int j = 0; j < L; j++) bias[j] = sp - L + j < s ? 0f : Float.NEGATIVE_INFINITY;
      padBias = FloatVector.fromArray(S, bias, 0);
    }

    /** Sizes the arrays for width {@code dim} (once: a plan's shapes do not change). */
    void size(int dim, String what) {
      if (dim == this.dim) return;
      if (dim % heads != 0) throw new IllegalStateException(what + ": width " + dim + " not divisible by " + heads);
      this.dim = dim;
      hd = dim / heads;
      hdp = pad(hd);
      direct = hd == hdp;
      scale = (float) (1.0 / Math.sqrt(hd));
      qkv = new float[s * 3 * dim + L];
      merged = new float[s * dim];
      dmerged = new float[s * dim + L];
      dqkv = new float[s * 3 * dim];
      kt = new float[dim * sp];
      vt = new float[dim * sp];
      scores = new float[s * sp];
      attn = new float[s * sp];
      dattn = new float[s * sp];
      tmp = new float[s * hdp];
    }
  }

  private static void check(String what, INDArray a, long n) {
    if (a.dataType() != DataType.FLOAT || !PlanKernel.dense(a) || a.length() != n || n > Integer.MAX_VALUE) {
      throw new IllegalStateException(what + ": needs a dense row-major FLOAT array of " + n + " values, got "
          + a.shapeInfoToString());
    }
  }

  /** Rows per image and the number of images of {@code qkv}, checked. */
  private static int images(INDArray qkv, Scratch sc, String what) {
    long cols = qkv.size(qkv.rank() - 1);
    if (cols % 3 != 0) throw new IllegalStateException(what + ": qkv width " + cols + " is not 3 D");
    long rows = qkv.length() / cols;
    if (rows % sc.s != 0) {
      throw new IllegalStateException(what + ": " + rows + " rows are not images of " + sc.s + " tokens");
    }
    sc.size((int) (cols / 3), what);
    return (int) (rows / sc.s);
  }

  /** {@code dst [D, sp]} = the third {@code part} (1: k, 2: v) of the image's qkv rows, transposed. */
  private static void transpose(Scratch sc, int part, float[] dst) {
    int w = 3 * sc.dim;
    for (int t = 0; t < sc.s; t++) {
      int row = t * w + part * sc.dim;
      for (int j = 0; j < sc.dim; j++) dst[j * sc.sp + t] = sc.qkv[row + j];
    }
  }

  /** {@code attn = softmax(c q k^T)} of head h, row by row (q read in place, k from the transposed copy). */
  private static void scoresAndSoftmax(Scratch sc, int h) {
    BatchedMatmul.multiply(sc.qkv, h * sc.hd, 3 * sc.dim, 1, sc.kt, h * sc.hd * sc.sp, sc.sp, sc.scores, 0, sc.sp,
        sc.s, sc.sp, sc.hd);
    for (int i = 0; i < sc.s; i++) softmaxRow(sc.scores, sc.attn, i * sc.sp, sc.sp, sc.scale, sc.padBias);
  }

  /**
   * {@code out = softmax(c in)} over one padded row. The last vector gets {@code padBias} added: 0 in the real
   * columns, -inf in the padding (whose scores are 0: k's padding columns are zero), so the padding's
   * probabilities are exactly 0. (Writing -inf into the padding with scalar stores before vector loads of the
   * same words stalls store forwarding: ~2x slower rows.)
   */
  private static void softmaxRow(float[] in, float[] out, int off, int np, float c, FloatVector padBias) {
    int last = off + np - L;
    FloatVector tail = FloatVector.fromArray(S, in, last).add(padBias);
    FloatVector mx = tail;
    for (int j = off; j < last; j += L) mx = mx.max(FloatVector.fromArray(S, in, j));
    FloatVector cv = FloatVector.broadcast(S, c);
    FloatVector shift = FloatVector.broadcast(S, -c * mx.reduceLanes(VectorOperators.MAX));
    FloatVector sum = FloatVector.zero(S);
    for (int j = off; j < last; j += L) {
      FloatVector e = FloatVector.fromArray(S, in, j).fma(cv, shift).lanewise(VectorOperators.EXP);
      e.intoArray(out, j);
      sum = sum.add(e);
    }
    FloatVector e = tail.fma(cv, shift).lanewise(VectorOperators.EXP);
    e.intoArray(out, last);
    sum = sum.add(e);
    FloatVector inv = FloatVector.broadcast(S, 1f / sum.reduceLanes(VectorOperators.ADD));
    for (int j = off; j <= last; j += L) FloatVector.fromArray(S, out, j).mul(inv).intoArray(out, j);
  }

  /**
   * {@code dst[co + i * ldc + j] = A x B} for i < S, j < d: A {@code [S, k]} and B {@code [k, d]} as in
   * {@link BatchedMatmul#multiply}; in place where d is a multiple of the vector length, else through
   * {@code sc.tmp} (B's padding columns then read what follows its rows: values that only reach the dropped
   * padding columns).
   */
  private static void intoColumns(Scratch sc, float[] a, int ao, int rs, int cs, float[] b, int bo, int ldb, int k,
      float[] dst, int co, int ldc) {
    if (sc.direct) {
      BatchedMatmul.multiply(a, ao, rs, cs, b, bo, ldb, dst, co, ldc, sc.s, sc.hd, k);
      return;
    }
    BatchedMatmul.multiply(a, ao, rs, cs, b, bo, ldb, sc.tmp, 0, sc.hdp, sc.s, sc.hdp, k);
    for (int r = 0; r < sc.s; r++) System.arraycopy(sc.tmp, r * sc.hdp, dst, co + r * ldc, sc.hd);
  }

  /** Forward: input {@code qkv [B*S, 3D]}, output {@code merged [B*S, D]}. */
  static final class Forward implements PlanKernel {
    private final Scratch sc;

    Forward(int tokens, int heads) {
      sc = new Scratch(tokens, heads);
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outputs) {
      int b = images(inputs[0], sc, "fused attention");
      check("fused attention qkv", inputs[0], (long) b * sc.s * 3 * sc.dim);
      check("fused attention output", outputs[0], (long) b * sc.s * sc.dim);
      FloatBuffer in = floats(inputs[0]);
      FloatBuffer out = floats(outputs[0]);
      int block = sc.s * 3 * sc.dim;
      int mblock = sc.s * sc.dim;
      for (int img = 0; img < b; img++) {
        in.get(img * block, sc.qkv, 0, block);
        transpose(sc, 1, sc.kt);
        for (int h = 0; h < sc.heads; h++) {
          scoresAndSoftmax(sc, h);
          // out = attn v -> merged columns h d ..
          intoColumns(sc, sc.attn, 0, sc.sp, 1, sc.qkv, 2 * sc.dim + h * sc.hd, 3 * sc.dim, sc.s, sc.merged,
              h * sc.hd, sc.dim);
        }
        out.put(img * mblock, sc.merged, 0, mblock);
      }
      return true;
    }

    @Override
    public String name() {
      return "fused attention (Vector API)";
    }
  }

  /** Backward: inputs {@code (qkv, dmerged)}, outputs: parts of qkv's gradient (the whole into the first). */
  static final class Backward implements PlanKernel {
    private final Scratch sc;
    private final int outputs;

    Backward(int tokens, int heads, int outputs) {
      sc = new Scratch(tokens, heads);
      this.outputs = outputs;
    }

    @Override
    public boolean run(INDArray[] inputs, INDArray[] outs) {
      int b = images(inputs[0], sc, "fused attention_bp");
      long n = (long) b * sc.s * 3 * sc.dim;
      check("fused attention_bp qkv", inputs[0], n);
      check("fused attention_bp gradient", inputs[1], (long) b * sc.s * sc.dim);
      if (outs.length != outputs) throw new IllegalStateException("fused attention_bp: " + outs.length + " outputs");
      for (INDArray o : outs) check("fused attention_bp qkv gradient", o, n);
      FloatBuffer in = floats(inputs[0]);
      FloatBuffer dm = floats(inputs[1]);
      FloatBuffer dx = floats(outs[0]);
      int dim = sc.dim;
      int block = sc.s * 3 * dim;
      int mblock = sc.s * dim;
      int s = sc.s;
      int sp = sc.sp;
      int hd = sc.hd;
      for (int img = 0; img < b; img++) {
        in.get(img * block, sc.qkv, 0, block);
        dm.get(img * mblock, sc.dmerged, 0, mblock);
        transpose(sc, 1, sc.kt);
        transpose(sc, 2, sc.vt);
        for (int h = 0; h < sc.heads; h++) {
          int col = h * hd;
          scoresAndSoftmax(sc, h);
          // dattn = dout v^T [S, S] (dout read in place from the merged gradient)
          BatchedMatmul.multiply(sc.dmerged, col, dim, 1, sc.vt, col * sp, sp, sc.dattn, 0, sp, s, sp, hd);
          // dv = attn^T dout -> v's columns of the qkv gradient
          intoColumns(sc, sc.attn, 0, 1, sp, sc.dmerged, col, dim, s, sc.dqkv, 2 * dim + col, 3 * dim);
          // ds = c attn (dattn - rowsum(dattn attn)), in place of dattn
          for (int i = 0; i < s; i++) softmaxBackwardRow(sc.attn, sc.dattn, i * sp, sp, sc.scale);
          // dq = ds k; dk = ds^T q (k and q read in place)
          intoColumns(sc, sc.dattn, 0, sp, 1, sc.qkv, dim + col, 3 * dim, s, sc.dqkv, col, 3 * dim);
          intoColumns(sc, sc.dattn, 0, 1, sp, sc.qkv, col, 3 * dim, s, sc.dqkv, dim + col, 3 * dim);
        }
        dx.put(img * block, sc.dqkv, 0, block);
      }
      for (int k = 1; k < outs.length; k++) outs[k].assign(0);
      return true;
    }

    @Override
    public String name() {
      return "fused attention_bp (Vector API)";
    }
  }

  /** {@code g = c p (g - sum(g p))} over one padded row (p's padding is 0, so is g's after this). */
  private static void softmaxBackwardRow(float[] p, float[] g, int off, int np, float c) {
    FloatVector acc = FloatVector.zero(S);
    for (int j = 0; j < np; j += L) {
      acc = FloatVector.fromArray(S, g, off + j).fma(FloatVector.fromArray(S, p, off + j), acc);
    }
    FloatVector dot = FloatVector.broadcast(S, acc.reduceLanes(VectorOperators.ADD));
    FloatVector cv = FloatVector.broadcast(S, c);
    for (int j = 0; j < np; j += L) {
      FloatVector pv = FloatVector.fromArray(S, p, off + j).mul(cv);
      FloatVector.fromArray(S, g, off + j).sub(dot).mul(pv).intoArray(g, off + j);
    }
  }
}
