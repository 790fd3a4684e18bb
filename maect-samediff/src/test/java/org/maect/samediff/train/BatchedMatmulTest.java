package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BatchedMatmul} (selected through {@link PlanKernels#select} as the plan does) against products and
 * gradients computed in double by hand: {@code C = op(A) op(B)}, {@code dA}, {@code dB} from the chain rule
 * ({@code d op(A) = dC op(B)^T}, {@code d op(B) = op(A)^T dC}), for every pair of transpose flags and for sides
 * that are and are not multiples of the vector length.
 */
class BatchedMatmulTest {

  @BeforeEach
  void needsVectorApi() {
    assumeThat(PlanKernels.vectorAvailable()).as("jdk.incubator.vector loaded").isTrue();
  }

  private static INDArray random(long seed, long... shape) {
    return TestArrays.random(seed, shape);
  }

  /** {@code op(x)[t][i][j]} in double: x is {@code [T, r, c]} row-major, transposed when {@code t}. */
  private static double at(float[] x, int batch, int rows, int cols, boolean transposed, int i, int j) {
    return transposed ? x[batch * rows * cols + j * cols + i] : x[batch * rows * cols + i * cols + j];
  }

  private static long[] stored(int b0, int b1, int r, int c, boolean t) {
    return t ? new long[] {b0, b1, c, r} : new long[] {b0, b1, r, c};
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} ta={3} tb={4}")
  @CsvSource({
      "13, 13, 16, false, true",
      "13, 16, 13, false, false",
      "50, 50, 16, false, true",
      "50, 16, 50, false, false",
      "7, 9, 5, true, false",
      "6, 17, 3, true, true",
      "1, 1, 1, false, false",
      "33, 24, 8, false, true"})
  void forwardAndBackwardMatchDoubleReference(int m, int n, int k, boolean ta, boolean tb) {
    int b0 = 3;
    int b1 = 2;
    int batch = b0 * b1;
    INDArray a = random(1, stored(b0, b1, m, k, ta));
    INDArray b = random(2, stored(b0, b1, k, n, tb));
    INDArray dc = random(3, b0, b1, m, n);
    long[] iArgs = {ta ? 1 : 0, tb ? 1 : 0, 0};
    DataType[] f2 = {DataType.FLOAT, DataType.FLOAT};
    DataType[] f3 = {DataType.FLOAT, DataType.FLOAT, DataType.FLOAT};
    PlanKernel fwd = PlanKernels.select(new Mmul(), iArgs, new double[] {1.0, 0.0},
        new long[][] {a.shape(), b.shape()}, f2, new long[][] {dc.shape()}, new DataType[] {DataType.FLOAT});
    PlanKernel bwd = PlanKernels.select(new MmulBp(), iArgs, new double[0],
        new long[][] {a.shape(), b.shape(), dc.shape()}, f3, new long[][] {a.shape(), b.shape()}, f2);
    if (tb && n > 32) {
      assertThat(fwd).as("q k^T with many tokens stays in libnd4j").isNull();
      fwd = new BatchedMatmul(false, ta, tb); // still checked: the backward runs the same products
    }
    assertThat(fwd).isInstanceOf(BatchedMatmul.class);
    assertThat(bwd).isInstanceOf(BatchedMatmul.class);

    INDArray c = Nd4j.createUninitialized(DataType.FLOAT, b0, b1, m, n);
    INDArray da = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
    INDArray db = Nd4j.createUninitialized(DataType.FLOAT, b.shape());
    assertThat(fwd.run(new INDArray[] {a, b}, new INDArray[] {c})).isTrue();
    assertThat(bwd.run(new INDArray[] {a, b, dc}, new INDArray[] {da, db})).isTrue();

    float[] av = a.data().asFloat();
    float[] bv = b.data().asFloat();
    float[] dcv = dc.data().asFloat();
    int ar = ta ? k : m;
    int ac = ta ? m : k;
    int br = tb ? n : k;
    int bc = tb ? k : n;
    double tol = 1e-5 * Math.max(1, Math.max(m, Math.max(n, k)));
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int q = 0; q < k; q++) s += at(av, t, ar, ac, ta, i, q) * at(bv, t, br, bc, tb, q, j);
          assertThat((double) c.getFloat((long) t * m * n + (long) i * n + j)).as("C[%d][%d][%d]", t, i, j)
              .isCloseTo(s, org.assertj.core.data.Offset.offset(tol));
        }
      }
      // d op(A)[i][q] = sum_j dC[i][j] op(B)[q][j]; stored transposed when ta
      for (int i = 0; i < m; i++) {
        for (int q = 0; q < k; q++) {
          double s = 0;
          for (int j = 0; j < n; j++) s += dcv[t * m * n + i * n + j] * at(bv, t, br, bc, tb, q, j);
          long idx = (long) t * m * k + (ta ? (long) q * m + i : (long) i * k + q);
          assertThat((double) da.getFloat(idx)).as("dA at %d", idx).isCloseTo(s, org.assertj.core.data.Offset.offset(tol));
        }
      }
      // d op(B)[q][j] = sum_i op(A)[i][q] dC[i][j]; stored transposed when tb
      for (int q = 0; q < k; q++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int i = 0; i < m; i++) s += at(av, t, ar, ac, ta, i, q) * dcv[t * m * n + i * n + j];
          long idx = (long) t * k * n + (tb ? (long) j * k + q : (long) q * n + j);
          assertThat((double) db.getFloat(idx)).as("dB at %d", idx).isCloseTo(s, org.assertj.core.data.Offset.offset(tol));
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"rank 2", "broadcast batch", "transposed result", "double", "scaled"})
  void declinesWhatItDoesNotCompute(String what) {
    long[] a = {2, 4, 5};
    long[] b = {2, 5, 3};
    long[] iArgs = {0, 0, 0};
    double[] tArgs = {1.0, 0.0};
    DataType t = DataType.FLOAT;
    switch (what) {
      case "rank 2" -> {
        a = new long[] {4, 5};
        b = new long[] {5, 3};
      }
      case "broadcast batch" -> b = new long[] {1, 5, 3};
      case "transposed result" -> iArgs = new long[] {0, 0, 1};
      case "double" -> t = DataType.DOUBLE;
      case "scaled" -> tArgs = new double[] {2.0, 0.0};
      default -> throw new IllegalArgumentException(what);
    }
    assertThat(PlanKernels.select(new Mmul(), iArgs, tArgs, new long[][] {a, b}, new DataType[] {t, t},
        new long[][] {{2, 4, 3}}, new DataType[] {t})).isNull();
  }

  @org.junit.jupiter.api.Test
  void stridedMultiplyMatchesTheProductForEveryBlockShape() {
    // A read with offset, row stride and column stride (row-major and transposed), B and C with offsets and
    // leading dimensions wider than n (C's other columns must stay untouched): every row count 1..20 covers the
    // 6-, 4-, 2- and 1-row blocks, n = 8..40 the 16- and 8-column blocks
    java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
    for (boolean transposedA : new boolean[] {false, true}) {
      for (int m = 1; m <= 20; m++) {
        for (int n : new int[] {8, 16, 24, 40}) {
          int k = 1 + rng.nextInt(70);
          int ao = 3;
          int rs = transposedA ? 1 : k + 5;
          int cs = transposedA ? m + 2 : 1;
          float[] a = new float[ao + (m + 2) * (k + 5) + 8];
          float[] b = new float[2 + k * (n + 9) + 8];
          float[] c = new float[5 + m * (n + 3) + 8];
          for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
          for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextGaussian();
          java.util.Arrays.fill(c, 42f);
          BatchedMatmul.multiply(a, ao, rs, cs, b, 2, n + 9, c, 5, n + 3, m, n, k);
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n + 3; j++) {
              float got = c[5 + i * (n + 3) + j];
              if (j >= n) {
                assertThat(got).as("untouched column %d", j).isEqualTo(42f);
                continue;
              }
              double want = 0;
              for (int q = 0; q < k; q++) want += (double) a[ao + i * rs + q * cs] * b[2 + q * (n + 9) + j];
              assertThat((double) got).as("m=%d n=%d k=%d tA=%s C[%d][%d]", m, n, k, transposedA, i, j)
                  .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(k)));
            }
          }
        }
      }
    }
  }
}
