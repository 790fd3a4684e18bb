package org.maect.samediff.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * libnd4j's {@code matmul} and {@code matmul_bp} on batches of small FLOAT matrices (attention's
 * {@code q k^T} and {@code attn v}: {@code [B, H, S, d]} with S = 13..50, d = 16), with the JDK Vector API.
 *
 * <p>Why: libnd4j multiplies a batch one matrix at a time with a per-matrix overhead of ~1.5 us, so
 * {@code [256, 4, 13, 16] x [256, 4, 16, 13]} runs at ~3.5 GFLOP/s and the backward (two such products and
 * transposes) at less (cpu28 MAE step: 40 ms of 323). Here each matrix pair is copied to small heap arrays
 * ({@code A} as stored, {@code op(B)} as {@code [K, N]} with N padded to the vector length),
 * multiplied with register blocks of 6 rows x 16 columns and copied back: 3-7x libnd4j's speed for 13 tokens,
 * 1.3-2x for 50 (measured in docs/PERFORMANCE.md). Only the summation order differs from libnd4j.
 *
 * <p>Shapes: {@code A [..., a0, a1]}, {@code B [..., b0, b1]}, the same leading (batch) dimensions, no
 * broadcasting; {@code C = op(A) op(B) [..., M, N]} with {@code op(X) = X^T} where the op's transpose flag is set.
 * {@code matmul_bp} takes {@code (A, B, dC)} and writes {@code (dA, dB)} (the shapes of A and B).
 */
final class BatchedMatmul implements PlanKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final int L = 8; // S.length()
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** Largest matrix side handled (the scratch arrays live on the heap). */
  static final int MAX_SIDE = 256;

  private final boolean backward;
  private final boolean ta;
  private final boolean tb;
  private float[] ap = new float[0];
  private float[] bp = new float[0];
  private float[] cp = new float[0];
  private float[] tmp = new float[0];

  BatchedMatmul(boolean backward, boolean transposeA, boolean transposeB) {
    this.backward = backward;
    this.ta = transposeA;
    this.tb = transposeB;
  }

  /**
   * Whether the kernel suits these recorded shapes: FLOAT, rank >= 3, equal batch dimensions, matching inner
   * dimensions and sides of at most {@link #MAX_SIDE}.
   */
  static boolean suits(long[] a, long[] b, boolean ta, boolean tb) {
    if (a.length < 3 || a.length != b.length) return false;
    for (int i = 0; i < a.length - 2; i++) {
      if (a[i] != b[i]) return false;
    }
    long m = ta ? a[a.length - 1] : a[a.length - 2];
    long k = ta ? a[a.length - 2] : a[a.length - 1];
    long kb = tb ? b[b.length - 1] : b[b.length - 2];
    long n = tb ? b[b.length - 2] : b[b.length - 1];
    return k == kb && m <= MAX_SIDE && n <= MAX_SIDE && k <= MAX_SIDE && m > 0 && n > 0 && k > 0;
  }

  @Override
  public boolean run(INDArray[] inputs, INDArray[] outputs) {
    for (INDArray x : inputs) {
      if (x.dataType() != DataType.FLOAT || !PlanKernel.dense(x)) return false;
    }
    for (INDArray x : outputs) {
      if (x.dataType() != DataType.FLOAT || !PlanKernel.dense(x)) return false;
    }
    long[] as = inputs[0].shape();
    long[] bs = inputs[1].shape();
    if (!suits(as, bs, ta, tb)) return false;
    int r = as.length;
    int m = (int) (ta ? as[r - 1] : as[r - 2]);
    int k = (int) (ta ? as[r - 2] : as[r - 1]);
    int n = (int) (tb ? bs[r - 2] : bs[r - 1]);
    long batchL = inputs[0].length() / ((long) m * k);
    if (batchL * Math.max(m, k) * Math.max(n, k) > Integer.MAX_VALUE) return false;
    int batch = (int) batchL;
    FloatBuffer a = floats(inputs[0]);
    FloatBuffer b = floats(inputs[1]);
    if (!backward) {
      if (outputs.length != 1 || outputs[0].length() != (long) batch * m * n) return false;
      bmm(a, ta, b, tb, floats(outputs[0]), batch, m, n, k);
      return true;
    }
    if (inputs.length != 3 || outputs.length != 2 || inputs[2].length() != (long) batch * m * n
        || outputs[0].length() != inputs[0].length() || outputs[1].length() != inputs[1].length()) {
      return false;
    }
    FloatBuffer dc = floats(inputs[2]);
    FloatBuffer da = floats(outputs[0]);
    FloatBuffer db = floats(outputs[1]);
    // C = op(A) op(B): dop(A) = dC op(B)^T, dop(B) = op(A)^T dC, transposed back where A or B was
    if (!ta && !tb) {
      bmm(dc, false, b, true, da, batch, m, k, n);
      bmm(a, true, dc, false, db, batch, k, n, m);
    } else if (!ta) {
      bmm(dc, false, b, false, da, batch, m, k, n);
      bmm(dc, true, a, false, db, batch, n, k, m);
    } else if (!tb) {
      bmm(b, false, dc, true, da, batch, k, m, n);
      bmm(a, false, dc, false, db, batch, k, n, m);
    } else {
      bmm(b, true, dc, true, da, batch, k, m, n);
      bmm(dc, true, a, true, db, batch, n, k, m);
    }
    return true;
  }

  private static FloatBuffer floats(INDArray x) {
    return x.data().asNio().order(ORDER).asFloatBuffer();
  }

  @Override
  public String name() {
    return backward ? "batched matmul_bp (Vector API)" : "batched matmul (Vector API)";
  }

  /**
   * {@code c[t] = op(a[t]) op(b[t])} for {@code t < batch}: {@code op(a)} is {@code [m, k]} (stored {@code [k, m]}
   * when {@code ta}), {@code op(b)} is {@code [k, n]} (stored {@code [n, k]} when {@code tb}), {@code c[t]} is
   * {@code [m, n]}; all row-major and contiguous.
   */
  void bmm(FloatBuffer a, boolean ta, FloatBuffer b, boolean tb, FloatBuffer c, int batch, int m, int n, int k) {
    int np = (n + L - 1) / L * L;
    int as = m * k;
    int bs = k * n;
    int cs = m * n;
    ensure(as, k * np, m * np, bs);
    float[] ap = this.ap;
    float[] bp = this.bp;
    float[] cp = this.cp;
    float[] tmp = this.tmp;
    for (int t = 0; t < batch; t++) {
      a.get(t * as, ap, 0, as); // [m, k], or [k, m] when ta: read with strides below, no transpose needed
      if (!tb) {
        for (int kk = 0; kk < k; kk++) b.get(t * bs + kk * n, bp, kk * np, n);
      } else {
        b.get(t * bs, tmp, 0, bs); // [n, k]
        for (int j = 0; j < n; j++) {
          for (int kk = 0; kk < k; kk++) bp[kk * np + j] = tmp[j * k + kk];
        }
      }
      multiply(ap, ta ? 1 : k, ta ? m : 1, bp, cp, m, np, k);
      if (np == n) {
        c.put(t * cs, cp, 0, cs);
      } else {
        for (int r = 0; r < m; r++) c.put(t * cs + r * n, cp, r * np, n);
      }
    }
  }

  private void ensure(int a, int b, int c, int t) {
    if (ap.length < a) ap = new float[a];
    if (bp.length < b) {
      bp = new float[b]; // the padding columns stay zero: they only feed the padding columns of cp
    }
    if (cp.length < c) cp = new float[c];
    if (tmp.length < t) tmp = new float[t];
  }

  /**
   * {@code cp [m, np] = A [m, k] x bp [k, np]}, np a multiple of the vector length, {@code A[i][q] =
   * ap[i * rs + q * cs]} (a row-major or a transposed copy: its elements are broadcast one at a time, so either
   * layout is read in place).
   */
  static void multiply(float[] ap, int rs, int cs, float[] bp, float[] cp, int m, int np, int k) {
    multiply(ap, 0, rs, cs, bp, 0, np, cp, 0, np, m, np, k);
  }

  /**
   * {@code C [m, n] = A [m, k] x B [k, n]} on arrays read and written in place: {@code A[i][q] = a[ao + i * rs + q *
   * cs]}, {@code B[q][j] = b[bo + q * ldb + j]}, {@code C[i][j] = c[co + i * ldc + j]}; n a multiple of the vector
   * length (columns of C beyond n are not touched). Register blocks of 6 rows x 16 columns (12 accumulators, two
   * loads of B and six broadcasts of A per 12 FMAs), then 2 and 1 rows (with two accumulators per vector of C, so
   * that an FMA does not wait for the one before); 8-column blocks at the end.
   */
  static void multiply(float[] a, int ao, int rs, int cs, float[] b, int bo, int ldb, float[] c, int co, int ldc,
      int m, int n, int k) {
    int i = 0;
    for (; i + 5 < m; i += 6) {
      int v = 0;
      for (; v + L < n; v += 2 * L) block6x16(a, ao + i * rs, rs, cs, b, bo + v, ldb, c, co + i * ldc + v, ldc, k);
      for (; v < n; v += L) block6x8(a, ao + i * rs, rs, cs, b, bo + v, ldb, c, co + i * ldc + v, ldc, k);
    }
    for (; i + 1 < m; i += 2) {
      int v = 0;
      for (; v + L < n; v += 2 * L) block2x16(a, ao + i * rs, rs, cs, b, bo + v, ldb, c, co + i * ldc + v, ldc, k);
      for (; v < n; v += L) block2x8(a, ao + i * rs, rs, cs, b, bo + v, ldb, c, co + i * ldc + v, ldc, k);
    }
    if (i < m) {
      int v = 0;
      for (; v + L < n; v += 2 * L) block1x16(a, ao + i * rs, cs, b, bo + v, ldb, c, co + i * ldc + v, k);
      for (; v < n; v += L) block1x8(a, ao + i * rs, cs, b, bo + v, ldb, c, co + i * ldc + v, k);
    }
  }

  /** Two rows of A, 16 columns of B. */
  private static void block2x16(float[] a, int a0, int rs, int cs, float[] b, int b0, int ldb, float[] c, int c0,
      int ldc, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector x1 = x0;
    FloatVector y0 = x0;
    FloatVector y1 = x0;
    for (int q = 0; q < k; q++) {
      int bi = b0 + q * ldb;
      FloatVector bv = FloatVector.fromArray(S, b, bi);
      FloatVector bw = FloatVector.fromArray(S, b, bi + L);
      int ai = a0 + q * cs;
      FloatVector av = FloatVector.broadcast(S, a[ai]);
      x0 = bv.fma(av, x0);
      y0 = bw.fma(av, y0);
      av = FloatVector.broadcast(S, a[ai + rs]);
      x1 = bv.fma(av, x1);
      y1 = bw.fma(av, y1);
    }
    x0.intoArray(c, c0);
    y0.intoArray(c, c0 + L);
    x1.intoArray(c, c0 + ldc);
    y1.intoArray(c, c0 + ldc + L);
  }

  /** Two rows of A, 8 columns of B (two accumulators per row: even and odd steps of k). */
  private static void block2x8(float[] a, int a0, int rs, int cs, float[] b, int b0, int ldb, float[] c, int c0,
      int ldc, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector x1 = x0;
    FloatVector z0 = x0;
    FloatVector z1 = x0;
    int q = 0;
    for (; q + 1 < k; q += 2) {
      FloatVector bv = FloatVector.fromArray(S, b, b0 + q * ldb);
      FloatVector bw = FloatVector.fromArray(S, b, b0 + (q + 1) * ldb);
      int ai = a0 + q * cs;
      x0 = bv.fma(FloatVector.broadcast(S, a[ai]), x0);
      x1 = bv.fma(FloatVector.broadcast(S, a[ai + rs]), x1);
      z0 = bw.fma(FloatVector.broadcast(S, a[ai + cs]), z0);
      z1 = bw.fma(FloatVector.broadcast(S, a[ai + cs + rs]), z1);
    }
    if (q < k) {
      FloatVector bv = FloatVector.fromArray(S, b, b0 + q * ldb);
      int ai = a0 + q * cs;
      x0 = bv.fma(FloatVector.broadcast(S, a[ai]), x0);
      x1 = bv.fma(FloatVector.broadcast(S, a[ai + rs]), x1);
    }
    x0.add(z0).intoArray(c, c0);
    x1.add(z1).intoArray(c, c0 + ldc);
  }

  /** One row of A, 16 columns of B (two accumulators per 8 columns: even and odd steps of k). */
  private static void block1x16(float[] a, int a0, int cs, float[] b, int b0, int ldb, float[] c, int c0, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector y0 = x0;
    FloatVector x1 = x0;
    FloatVector y1 = x0;
    int q = 0;
    for (; q + 1 < k; q += 2) {
      int bi = b0 + q * ldb;
      FloatVector av = FloatVector.broadcast(S, a[a0 + q * cs]);
      x0 = FloatVector.fromArray(S, b, bi).fma(av, x0);
      y0 = FloatVector.fromArray(S, b, bi + L).fma(av, y0);
      av = FloatVector.broadcast(S, a[a0 + (q + 1) * cs]);
      x1 = FloatVector.fromArray(S, b, bi + ldb).fma(av, x1);
      y1 = FloatVector.fromArray(S, b, bi + ldb + L).fma(av, y1);
    }
    if (q < k) {
      int bi = b0 + q * ldb;
      FloatVector av = FloatVector.broadcast(S, a[a0 + q * cs]);
      x0 = FloatVector.fromArray(S, b, bi).fma(av, x0);
      y0 = FloatVector.fromArray(S, b, bi + L).fma(av, y0);
    }
    x0.add(x1).intoArray(c, c0);
    y0.add(y1).intoArray(c, c0 + L);
  }

  /** One row of A, 8 columns of B (two accumulators). */
  private static void block1x8(float[] a, int a0, int cs, float[] b, int b0, int ldb, float[] c, int c0, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector x1 = x0;
    int q = 0;
    for (; q + 1 < k; q += 2) {
      x0 = FloatVector.fromArray(S, b, b0 + q * ldb).fma(FloatVector.broadcast(S, a[a0 + q * cs]), x0);
      x1 = FloatVector.fromArray(S, b, b0 + (q + 1) * ldb).fma(FloatVector.broadcast(S, a[a0 + (q + 1) * cs]), x1);
    }
    if (q < k) x0 = FloatVector.fromArray(S, b, b0 + q * ldb).fma(FloatVector.broadcast(S, a[a0 + q * cs]), x0);
    x0.add(x1).intoArray(c, c0);
  }

  /** Six rows of A from {@code a0}, 16 columns of B from {@code b0}, into C from {@code c0}. */
  private static void block6x16(float[] a, int a0, int rs, int cs, float[] b, int b0, int ldb, float[] c, int c0,
      int ldc, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0;
    FloatVector y0 = x0, y1 = x0, y2 = x0, y3 = x0, y4 = x0, y5 = x0;
    for (int q = 0; q < k; q++) {
      int bi = b0 + q * ldb;
      FloatVector bv = FloatVector.fromArray(S, b, bi);
      FloatVector bw = FloatVector.fromArray(S, b, bi + L);
      int ai = a0 + q * cs;
      FloatVector av = FloatVector.broadcast(S, a[ai]);
      x0 = bv.fma(av, x0);
      y0 = bw.fma(av, y0);
      av = FloatVector.broadcast(S, a[ai + rs]);
      x1 = bv.fma(av, x1);
      y1 = bw.fma(av, y1);
      av = FloatVector.broadcast(S, a[ai + 2 * rs]);
      x2 = bv.fma(av, x2);
      y2 = bw.fma(av, y2);
      av = FloatVector.broadcast(S, a[ai + 3 * rs]);
      x3 = bv.fma(av, x3);
      y3 = bw.fma(av, y3);
      av = FloatVector.broadcast(S, a[ai + 4 * rs]);
      x4 = bv.fma(av, x4);
      y4 = bw.fma(av, y4);
      av = FloatVector.broadcast(S, a[ai + 5 * rs]);
      x5 = bv.fma(av, x5);
      y5 = bw.fma(av, y5);
    }
    x0.intoArray(c, c0);
    y0.intoArray(c, c0 + L);
    x1.intoArray(c, c0 + ldc);
    y1.intoArray(c, c0 + ldc + L);
    x2.intoArray(c, c0 + 2 * ldc);
    y2.intoArray(c, c0 + 2 * ldc + L);
    x3.intoArray(c, c0 + 3 * ldc);
    y3.intoArray(c, c0 + 3 * ldc + L);
    x4.intoArray(c, c0 + 4 * ldc);
    y4.intoArray(c, c0 + 4 * ldc + L);
    x5.intoArray(c, c0 + 5 * ldc);
    y5.intoArray(c, c0 + 5 * ldc + L);
  }

  /** Six rows of A, 8 columns of B. */
  private static void block6x8(float[] a, int a0, int rs, int cs, float[] b, int b0, int ldb, float[] c, int c0,
      int ldc, int k) {
    FloatVector x0 = FloatVector.zero(S);
    FloatVector x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0;
    for (int q = 0; q < k; q++) {
      FloatVector bv = FloatVector.fromArray(S, b, b0 + q * ldb);
      int ai = a0 + q * cs;
      x0 = bv.fma(FloatVector.broadcast(S, a[ai]), x0);
      x1 = bv.fma(FloatVector.broadcast(S, a[ai + rs]), x1);
      x2 = bv.fma(FloatVector.broadcast(S, a[ai + 2 * rs]), x2);
      x3 = bv.fma(FloatVector.broadcast(S, a[ai + 3 * rs]), x3);
      x4 = bv.fma(FloatVector.broadcast(S, a[ai + 4 * rs]), x4);
      x5 = bv.fma(FloatVector.broadcast(S, a[ai + 5 * rs]), x5);
    }
    x0.intoArray(c, c0);
    x1.intoArray(c, c0 + ldc);
    x2.intoArray(c, c0 + 2 * ldc);
    x3.intoArray(c, c0 + 3 * ldc);
    x4.intoArray(c, c0 + 4 * ldc);
    x5.intoArray(c, c0 + 5 * ldc);
  }
}
