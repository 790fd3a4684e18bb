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
 * {@code ds = attn (dattn - rowsum(dattn attn))}, {@code dq = c ds k}, {@code dk = c ds^T q}. The products are
 * {@link BatchedMatmul#multiply}'s register-blocked kernel on heap copies of one image's rows.
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
    float scale;
    float[] qkv;
    float[] merged;
    float[] dmerged;
    float[] dqkv;
    float[] q;
    float[] k;
    float[] v;
    float[] kt;
    float[] vt;
    float[] scores;
    float[] attn;
    float[] dout;
    float[] dattn;
    float[] tmp;

    Scratch(int s, int heads) {
      this.s = s;
      this.heads = heads;
      this.sp = pad(s);
    }

    /** Sizes the arrays for width {@code dim} (once: a plan's shapes do not change). */
    void size(int dim, String what) {
      if (dim == this.dim) return;
      if (dim % heads != 0) throw new IllegalStateException(what + ": width " + dim + " not divisible by " + heads);
      this.dim = dim;
      hd = dim / heads;
      hdp = pad(hd);
      scale = (float) (1.0 / Math.sqrt(hd));
      qkv = new float[s * 3 * dim];
      merged = new float[s * dim];
      dmerged = new float[s * dim];
      dqkv = new float[s * 3 * dim];
      q = new float[s * hdp];
      k = new float[s * hdp];
      v = new float[s * hdp];
      kt = new float[hd * sp]; // padding columns stay zero: the padded score columns are then set to -inf
      vt = new float[hd * sp];
      scores = new float[s * sp];
      attn = new float[s * sp];
      dout = new float[s * hdp];
      dattn = new float[s * sp];
      tmp = new float[s * Math.max(sp, hdp)];
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

  /** q (scaled), k, v of head h from the image's qkv rows; k (and v if {@code vt}) also transposed ({@code [d, S]}). */
  private static void gather(Scratch sc, int h, boolean vt) {
    int s = sc.s;
    int dim = sc.dim;
    int hd = sc.hd;
    int hdp = sc.hdp;
    int sp = sc.sp;
    for (int t = 0; t < s; t++) {
      int row = t * 3 * dim + h * hd;
      for (int j = 0; j < hd; j++) {
        sc.q[t * hdp + j] = sc.qkv[row + j] * sc.scale;
        float kv = sc.qkv[row + dim + j];
        float vv = sc.qkv[row + 2 * dim + j];
        sc.k[t * hdp + j] = kv;
        sc.v[t * hdp + j] = vv;
        sc.kt[j * sp + t] = kv;
        if (vt) sc.vt[j * sp + t] = vv;
      }
    }
  }

  /** {@code attn = softmax(q k^T)} row by row (scores' padding columns to -inf first). */
  private static void scoresAndSoftmax(Scratch sc) {
    BatchedMatmul.multiply(sc.q, sc.hdp, 1, sc.kt, sc.scores, sc.s, sc.sp, sc.hd);
    for (int i = 0; i < sc.s; i++) softmaxRow(sc.scores, sc.attn, i * sc.sp, sc.s, sc.sp);
  }

  private static void softmaxRow(float[] in, float[] out, int off, int n, int np) {
    for (int j = n; j < np; j++) in[off + j] = Float.NEGATIVE_INFINITY;
    FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    for (int j = 0; j < np; j += L) mx = mx.max(FloatVector.fromArray(S, in, off + j));
    FloatVector m = FloatVector.broadcast(S, mx.reduceLanes(VectorOperators.MAX));
    FloatVector sum = FloatVector.zero(S);
    for (int j = 0; j < np; j += L) {
      FloatVector e = FloatVector.fromArray(S, in, off + j).sub(m).lanewise(VectorOperators.EXP);
      e.intoArray(out, off + j);
      sum = sum.add(e);
    }
    FloatVector inv = FloatVector.broadcast(S, 1f / sum.reduceLanes(VectorOperators.ADD));
    for (int j = 0; j < np; j += L) FloatVector.fromArray(S, out, off + j).mul(inv).intoArray(out, off + j);
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
        for (int h = 0; h < sc.heads; h++) {
          gather(sc, h, false);
          scoresAndSoftmax(sc);
          // out = attn v  -> merged columns h d ..
          BatchedMatmul.multiply(sc.attn, sc.sp, 1, sc.v, sc.tmp, sc.s, sc.hdp, sc.s);
          scatter(sc.tmp, sc.hdp, sc.merged, sc.dim, h * sc.hd, sc.s, sc.hd);
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

  /** Copies {@code rows x width} from {@code src} (row stride ss) to {@code dst} at column {@code col} (stride ds). */
  private static void scatter(float[] src, int ss, float[] dst, int ds, int col, int rows, int width) {
    for (int r = 0; r < rows; r++) System.arraycopy(src, r * ss, dst, r * ds + col, width);
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
      int block = sc.s * 3 * sc.dim;
      int mblock = sc.s * sc.dim;
      int s = sc.s;
      int sp = sc.sp;
      int hd = sc.hd;
      int hdp = sc.hdp;
      for (int img = 0; img < b; img++) {
        in.get(img * block, sc.qkv, 0, block);
        dm.get(img * mblock, sc.dmerged, 0, mblock);
        for (int h = 0; h < sc.heads; h++) {
          gather(sc, h, true);
          scoresAndSoftmax(sc);
          for (int t = 0; t < s; t++) System.arraycopy(sc.dmerged, t * sc.dim + h * hd, sc.dout, t * hdp, hd);
          // dattn = dout v^T [S, S]; dv = attn^T dout [S, d]
          BatchedMatmul.multiply(sc.dout, hdp, 1, sc.vt, sc.dattn, s, sp, hd);
          BatchedMatmul.multiply(sc.attn, 1, sp, sc.dout, sc.tmp, s, hdp, s);
          scatter(sc.tmp, hdp, sc.dqkv, 3 * sc.dim, 2 * sc.dim + h * hd, s, hd);
          // ds = attn (dattn - rowsum(dattn attn)), in place of dattn
          for (int i = 0; i < s; i++) softmaxBackwardRow(sc.attn, sc.dattn, i * sp, sp);
          // dq = c ds k; dk = c ds^T q (q already carries c)
          BatchedMatmul.multiply(sc.dattn, sp, 1, sc.k, sc.tmp, s, hdp, s);
          scaledScatter(sc.tmp, hdp, sc.dqkv, 3 * sc.dim, h * hd, s, hd, sc.scale);
          BatchedMatmul.multiply(sc.dattn, 1, sp, sc.q, sc.tmp, s, hdp, s);
          scatter(sc.tmp, hdp, sc.dqkv, 3 * sc.dim, sc.dim + h * hd, s, hd);
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

  private static void scaledScatter(float[] src, int ss, float[] dst, int ds, int col, int rows, int width, float c) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < width; j++) dst[r * ds + col + j] = src[r * ss + j] * c;
    }
  }

  /** {@code g = p (g - sum(g p))} over one padded row (p's padding is 0, so is g's after this). */
  private static void softmaxBackwardRow(float[] p, float[] g, int off, int np) {
    FloatVector acc = FloatVector.zero(S);
    for (int j = 0; j < np; j += L) acc = FloatVector.fromArray(S, g, off + j).fma(FloatVector.fromArray(S, p, off + j), acc);
    FloatVector dot = FloatVector.broadcast(S, acc.reduceLanes(VectorOperators.ADD));
    for (int j = 0; j < np; j += L) {
      FloatVector pv = FloatVector.fromArray(S, p, off + j);
      FloatVector.fromArray(S, g, off + j).sub(dot).mul(pv).intoArray(g, off + j);
    }
  }
}
