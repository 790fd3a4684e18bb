package org.maect.samediff.mae;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maect.samediff.vit.Gelu;
import org.maect.samediff.vit.LayerNorm;
import org.maect.samediff.vit.Params;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference gradient checks in DOUBLE for every op whose backward is not a plain library op:
 * the masking gather and the decoder's un-shuffle (one-hot matmuls), exact GELU (erf), the composed
 * LayerNorm and the norm-pix loss. Tolerance rtol 1e-6 / atol 1e-8: central differences with h = 1e-6
 * in double are accurate to ~1e-9 for these smooth functions.
 */
class GradientCheckTest {
  static final double RTOL = 1e-6;
  static final double ATOL = 1e-8;

  private static INDArray randn(SplittableRandom r, long... shape) {
    int n = 1;
    for (long s : shape) n *= (int) s;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) v[i] = r.nextDouble() * 2 - 1;
    return Nd4j.create(v, shape, DataType.DOUBLE);
  }

  /** A loss with distinct weights per output element so every gradient entry differs. */
  private static SDVariable weightedSum(SameDiff sd, SDVariable y, SplittableRandom r, long... shape) {
    SDVariable w = sd.constant(randn(r, shape));
    return y.mul(y).mul(w).sum();
  }

  @Test
  void perSampleGatherAndScatterHaveExactGradients() {
    SplittableRandom r = new SplittableRandom(1);
    int b = 3, l = 6, k = 2, d = 4;
    RandomMasking m = RandomMasking.sample(b, l, k, r);
    SameDiff sd = SameDiff.create();
    SDVariable sel = sd.constant(m.keepOneHot(DataType.DOUBLE));
    SDVariable x = sd.var("x", randn(r, b, l, d));
    SDVariable g = PerSampleGather.gather(sel, x);                 // [B, K, D]
    SDVariable tok = sd.var("tok", randn(r, 1, 1, d));
    SDVariable full = PerSampleGather.scatter(sel, g.mul(1.5))     // [B, L, D]
        .add(PerSampleGather.removedColumn(sel).mmul(tok.reshape(1, d)).reshape(-1, l, d));
    weightedSum(sd, full, r, b, l, d).rename("loss");
    // the gather/scatter must pick the right rows (value check) ...
    INDArray got = full.eval();
    INDArray xs = sd.getArrForVarName("x");
    for (int s = 0; s < b; s++) {
      for (int p = 0; p < l; p++) {
        for (int c = 0; c < d; c++) {
          double want = m.removed(s, p) ? sd.getArrForVarName("tok").getDouble(c) : 1.5 * xs.getDouble(s, p, c);
          org.assertj.core.api.Assertions.assertThat(got.getDouble(s, p, c)).isCloseTo(want,
              org.assertj.core.data.Offset.offset(1e-12));
        }
      }
    }
    // ... and have the right gradients
    FiniteDifferences.check(sd, "loss", Map.of(), List.of("x", "tok"), RTOL, ATOL);
  }

  @Test
  void exactGeluGradient() {
    SplittableRandom r = new SplittableRandom(2);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", randn(r, 5, 7).muli(3));
    SDVariable y = Gelu.apply("g", x);
    weightedSum(sd, y, r, 5, 7).rename("loss");
    FiniteDifferences.check(sd, "loss", Map.of(), List.of("x"), RTOL, ATOL);
    // and the value is the erf GELU: gelu(1) = 0.8413447460685429
    INDArray one = Gelu.apply("g1", sd.constant(Nd4j.scalar(1.0))).eval();
    org.assertj.core.api.Assertions.assertThat(one.getDouble(0))
        .isCloseTo(0.8413447460685429, org.assertj.core.data.Offset.offset(1e-14));
  }

  @Test
  void composedLayerNormGradient() {
    SplittableRandom r = new SplittableRandom(3);
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.DOUBLE, 3);
    SDVariable x = sd.var("x", randn(r, 4, 6));
    SDVariable y = LayerNorm.apply(p, "ln", x, 6);
    sd.getArrForVarName("ln.weight").assign(randn(r, 6));
    sd.getArrForVarName("ln.bias").assign(randn(r, 6));
    weightedSum(sd, y, r, 4, 6).rename("loss");
    FiniteDifferences.check(sd, "loss", Map.of(), List.of("x", "ln.weight", "ln.bias"), RTOL, ATOL);
  }

  @Test
  void normPixLossGradientCountsOnlyMaskedPatches() {
    SplittableRandom r = new SplittableRandom(4);
    int b = 2, l = 4, pdim = 3;
    SameDiff sd = SameDiff.create();
    RandomMasking m = RandomMasking.sample(b, l, 1, r);
    SDVariable pred = sd.var("pred", randn(r, b, l, pdim));
    SDVariable target = sd.constant(randn(r, b, l, pdim));
    SDVariable removed = PerSampleGather.removedColumn(sd.constant(m.keepOneHot(DataType.DOUBLE)));
    NormPixLoss.apply(sd, "loss", pred, target, removed, pdim);
    FiniteDifferences.check(sd, "loss", Map.of(), List.of("pred"), RTOL, ATOL);
    INDArray g = sd.calculateGradients(Map.of(), "pred").get("pred");
    for (int s = 0; s < b; s++) {
      for (int i = 0; i < l; i++) {
        if (!m.removed(s, i)) {
          org.assertj.core.api.Assertions.assertThat(g.get(
              org.nd4j.linalg.indexing.NDArrayIndex.point(s), org.nd4j.linalg.indexing.NDArrayIndex.point(i),
              org.nd4j.linalg.indexing.NDArrayIndex.all()).sumNumber().doubleValue()).isEqualTo(0.0);
        }
      }
    }
  }
}
