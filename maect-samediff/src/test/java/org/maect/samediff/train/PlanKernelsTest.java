package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link PlanKernels} against independent references: erf against Commons Math's double-precision erf (and the
 * formula's published bound, 1.5e-7, plus float rounding), exp against {@link Math#exp}, the column-sum GEMM
 * against sums in double by hand.
 */
class PlanKernelsTest {
  private static final long[] NO_I = {};
  private static final double[] NO_T = {};

  private static INDArray gaussian(long rows, long cols, double scale, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[(int) (rows * cols)];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * scale);
    return Nd4j.create(v, new long[] {rows, cols}, 'c');
  }

  @Test
  void vectorErfIsWithin6e7OfTheDoublePrecisionErf() {
    assumeThat(PlanKernels.vectorAvailable()).as("jdk.incubator.vector loaded").isTrue();
    INDArray x = gaussian(1000, 37, 2.0, 1); // 37000 values, not a multiple of the vector length
    x.putScalar(0, 0f);
    x.putScalar(1, -0f);
    x.putScalar(2, 9f);
    x.putScalar(3, -9f);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    PlanKernel k = PlanKernels.select(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erf(), NO_I, NO_T,
        new long[][] {x.shape()},
        new DataType[] {DataType.FLOAT}, new long[][] {y.shape()}, new DataType[] {DataType.FLOAT});
    assertThat(k).isNotNull();
    assertThat(k.run(new INDArray[] {x}, new INDArray[] {y})).isTrue();
    float[] xs = x.data().asFloat();
    float[] ys = y.data().asFloat();
    double worst = 0;
    for (int i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(ys[i] - Erf.erf(xs[i])));
    assertThat(worst).isLessThan(6e-7);
    assertThat(ys[0]).isEqualTo(0f);
    assertThat(ys[2]).isEqualTo(1f);
    assertThat(ys[3]).isEqualTo(-1f);
  }

  @Test
  void vectorExpMatchesMathExpToAFewUlps() {
    assumeThat(PlanKernels.vectorAvailable()).as("jdk.incubator.vector loaded").isTrue();
    INDArray x = gaussian(333, 31, 4.0, 2);
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
    PlanKernel k = PlanKernels.select(new Exp(), NO_I, NO_T,
        new long[][] {x.shape()},
        new DataType[] {DataType.FLOAT}, new long[][] {y.shape()}, new DataType[] {DataType.FLOAT});
    assertThat(k.run(new INDArray[] {x}, new INDArray[] {y})).isTrue();
    float[] xs = x.data().asFloat();
    float[] ys = y.data().asFloat();
    for (int i = 0; i < xs.length; i++) {
      double ref = Math.exp(xs[i]);
      assertThat(Math.abs(ys[i] - ref)).as("exp(%s)", xs[i]).isLessThanOrEqualTo(4 * Math.ulp((float) ref));
    }
  }

  @Test
  void columnSumGemmEqualsSumsByHandAndRefusesOtherLayouts() {
    INDArray x = gaussian(501, 7, 1.0, 3);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 7);
    PlanKernel k = PlanKernels.select(new Sum(), NO_I, NO_T, new long[][] {{501, 7}}, new DataType[] {DataType.FLOAT},
        new long[][] {{7}}, new DataType[] {DataType.FLOAT});
    assertThat(k).isNotNull();
    assertThat(k.run(new INDArray[] {x}, new INDArray[] {out})).isTrue();
    float[] xs = x.data().asFloat();
    for (int c = 0; c < 7; c++) {
      double s = 0;
      for (int r = 0; r < 501; r++) s += xs[r * 7 + c];
      assertThat((double) out.getFloat(c)).as("column %d", c).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-4));
    }
    // a column-major copy is not row-major: the kernel declines and the plan runs the op
    assertThat(k.run(new INDArray[] {x.dup('f')}, new INDArray[] {out})).isFalse();
    // a square input is ambiguous (which axis?): not replaced
    assertThat(PlanKernels.select(new Sum(), NO_I, NO_T, new long[][] {{7, 7}}, new DataType[] {DataType.FLOAT},
        new long[][] {{7}}, new DataType[] {DataType.FLOAT})).isNull();
  }

  @Test
  void transposeEqualsTransposingByHandAndIsOnlyChosenForPermuteOneZero() {
    INDArray x = gaussian(33, 70, 1.0, 4); // not multiples of the tile
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 70, 33);
    PlanKernel k = PlanKernels.select(new org.nd4j.linalg.api.ops.impl.shape.Permute(), new long[] {1, 0},
        new double[0], new long[][] {{33, 70}}, new DataType[] {DataType.FLOAT}, new long[][] {{70, 33}},
        new DataType[] {DataType.FLOAT});
    assertThat(k).isNotNull();
    assertThat(k.run(new INDArray[] {x}, new INDArray[] {y})).isTrue();
    for (int i = 0; i < 33; i++) {
      for (int j = 0; j < 70; j++) assertThat(y.getFloat(j, i)).isEqualTo(x.getFloat(i, j));
    }
    assertThat(PlanKernels.select(new org.nd4j.linalg.api.ops.impl.shape.Permute(), new long[] {0, 1},
        new double[0], new long[][] {{33, 70}}, new DataType[] {DataType.FLOAT}, new long[][] {{33, 70}},
        new DataType[] {DataType.FLOAT})).isNull();
  }
}
