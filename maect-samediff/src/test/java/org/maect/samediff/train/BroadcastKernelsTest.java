package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.ThresholdReluBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.MulBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.SubBpOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BroadcastKernels} (selected through {@link PlanKernels#select}) against gradients by hand in double:
 * {@code z = x op y} with y broadcast over the middle dimensions ({@code [V, B, C]} vs {@code [V, 1, C]}, or
 * {@code [N, C]} vs {@code [C]}), in both operand orders; ReLU's backward; row means. One case is also checked
 * against the libnd4j op the kernel replaces (same output order and signs).
 */
class BroadcastKernelsTest {
  private static final DataType F = DataType.FLOAT;

  @BeforeEach
  void needsVectorApi() {
    assumeThat(PlanKernels.vectorAvailable()).as("jdk.incubator.vector loaded").isTrue();
  }

  private static INDArray random(long seed, long... shape) {
    return TestArrays.random(seed, shape);
  }

  private static PlanKernel select(org.nd4j.autodiff.functions.DifferentialFunction op, double[] tArgs,
      long[][] in, long[][] out) {
    DataType[] ti = new DataType[in.length];
    DataType[] to = new DataType[out.length];
    java.util.Arrays.fill(ti, F);
    java.util.Arrays.fill(to, F);
    return PlanKernels.select(op, new long[0], tArgs, in, ti, out, to);
  }

  /** outer, mid, inner; which operand is the small one; the op. */
  @ParameterizedTest(name = "{3} outer={0} mid={1} inner={2} smallFirst={4}")
  @CsvSource({
      "2, 64, 20, MUL, false",
      "2, 64, 20, MUL, true",
      "3, 7, 9, SUB, false",
      "3, 7, 9, SUB, true",
      "1, 33, 17, ADD, false",
      "1, 33, 8, ADD, true"})
  void arithmeticBackwardMatchesTheChainRule(int outer, int mid, int inner, String kind, boolean smallFirst) {
    long[] big = {outer, mid, inner};
    long[] small = outer == 1 ? new long[] {inner} : new long[] {outer, 1, inner};
    INDArray bigA = random(1, big);
    INDArray smallA = random(2, small);
    INDArray dz = random(3, big);
    INDArray x = smallFirst ? smallA : bigA;
    INDArray y = smallFirst ? bigA : smallA;
    var op = switch (kind) {
      case "MUL" -> new MulBpOp();
      case "SUB" -> new SubBpOp();
      default -> new AddBpOp();
    };
    PlanKernel k = select(op, new double[0], new long[][] {x.shape(), y.shape(), big},
        new long[][] {x.shape(), y.shape()});
    assertThat(k).isNotNull();
    INDArray dx = Nd4j.createUninitialized(F, x.shape());
    INDArray dy = Nd4j.createUninitialized(F, y.shape());
    assertThat(k.run(new INDArray[] {x, y, dz}, new INDArray[] {dx, dy})).isTrue();
    float[] b = bigA.data().asFloat();
    float[] s = smallA.data().asFloat();
    float[] g = dz.data().asFloat();
    float[] dBig = (smallFirst ? dy : dx).data().asFloat();
    float[] dSmall = (smallFirst ? dx : dy).data().asFloat();
    // z = x - y: dx = dz, dy = -dz; z = x * y: dx = dz * y, dy = dz * x; the small operand's sums run over mid
    double bigSign = kind.equals("SUB") && smallFirst ? -1 : 1;
    double smallSign = kind.equals("SUB") && !smallFirst ? -1 : 1;
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double sum = 0;
        for (int m = 0; m < mid; m++) {
          int at = (o * mid + m) * inner + i;
          double expectBig = kind.equals("MUL") ? (double) g[at] * s[o * inner + i] : bigSign * g[at];
          assertThat((double) dBig[at]).as("d(big) at %d", at).isCloseTo(expectBig, Offset.offset(1e-6));
          sum += kind.equals("MUL") ? (double) g[at] * b[at] : g[at];
        }
        assertThat((double) dSmall[o * inner + i]).as("d(small) at %d,%d", o, i)
            .isCloseTo(smallSign * sum, Offset.offset(1e-5 * mid));
      }
    }
  }

  @Test
  void multiplyBackwardEqualsTheLibnd4jOpItReplaces() {
    INDArray x = random(4, 2, 64, 24);
    INDArray y = random(5, 2, 1, 24);
    INDArray dz = random(6, 2, 64, 24);
    INDArray dx = Nd4j.createUninitialized(F, x.shape());
    INDArray dy = Nd4j.createUninitialized(F, y.shape());
    PlanKernel k = select(new MulBpOp(), new double[0], new long[][] {x.shape(), y.shape(), dz.shape()},
        new long[][] {x.shape(), y.shape()});
    assertThat(k.run(new INDArray[] {x, y, dz}, new INDArray[] {dx, dy})).isTrue();
    INDArray rx = Nd4j.createUninitialized(F, x.shape());
    INDArray ry = Nd4j.createUninitialized(F, y.shape());
    Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("multiply_bp").addInputs(x, y, dz).addOutputs(rx, ry)
        .build());
    assertThat(dx.equalsWithEps(rx, 1e-6)).isTrue();
    assertThat(dy.equalsWithEps(ry, 1e-4)).isTrue();
  }

  @Test
  void reluBackwardPassesTheGradientWhereTheInputIsAboveTheCutoff() {
    INDArray x = random(7, 3, 4099); // not a multiple of the chunk or the vector length
    x.putScalar(0, 0f);
    x.putScalar(1, 0.5f);
    INDArray dz = random(8, 3, 4099);
    for (double cutoff : new double[] {0.0, 0.5}) {
      PlanKernel k = select(new ThresholdReluBp(), new double[] {cutoff}, new long[][] {x.shape(), dz.shape()},
          new long[][] {x.shape()});
      INDArray dx = Nd4j.createUninitialized(F, x.shape());
      assertThat(k.run(new INDArray[] {x, dz}, new INDArray[] {dx})).isTrue();
      float[] xs = x.data().asFloat();
      float[] gs = dz.data().asFloat();
      float[] out = dx.data().asFloat();
      for (int i = 0; i < xs.length; i++) {
        assertThat(out[i]).as("at %d (x = %s)", i, xs[i]).isEqualTo(xs[i] > cutoff ? gs[i] : 0f);
      }
    }
  }

  @Test
  void rowMeanWithKeptDimensionsEqualsMeansByHand() {
    INDArray x = random(9, 2, 64, 30);
    INDArray out = Nd4j.createUninitialized(F, 2, 1, 30);
    PlanKernel k = select(new Mean(), new double[0], new long[][] {x.shape()}, new long[][] {out.shape()});
    assertThat(k).isNotNull();
    assertThat(k.run(new INDArray[] {x}, new INDArray[] {out})).isTrue();
    float[] xs = x.data().asFloat();
    for (int o = 0; o < 2; o++) {
      for (int i = 0; i < 30; i++) {
        double s = 0;
        for (int m = 0; m < 64; m++) s += xs[(o * 64 + m) * 30 + i];
        assertThat((double) out.getFloat(o * 30L + i)).isCloseTo(s / 64, Offset.offset(1e-6));
      }
    }
  }

  @Test
  void splitAcceptsOneContiguousBroadcastBlockOnly() {
    assertThat(BroadcastKernels.split(new long[] {2, 64, 512}, new long[] {2, 1, 512})).containsExactly(2, 64, 512);
    assertThat(BroadcastKernels.split(new long[] {6400, 64}, new long[] {64})).containsExactly(1, 6400, 64);
    assertThat(BroadcastKernels.split(new long[] {4, 5, 1, 6, 16}, new long[] {4, 1, 1, 1, 16}))
        .containsExactly(4, 30, 16);
    assertThat(BroadcastKernels.split(new long[] {4, 5, 6, 16}, new long[] {4, 1, 6, 16}))
        .containsExactly(4, 5, 96);
    assertThat(BroadcastKernels.split(new long[] {4, 5, 6, 16}, new long[] {1, 5, 1, 16})).isNull(); // two blocks
    assertThat(BroadcastKernels.split(new long[] {64, 16}, new long[] {64, 1})).isNull(); // inner 1: too short
    assertThat(BroadcastKernels.split(new long[] {64, 16}, new long[] {64, 16})).isNull(); // nothing broadcast
    assertThat(BroadcastKernels.split(new long[] {64, 16}, new long[] {2, 16})).isNull(); // not broadcastable
  }
}
