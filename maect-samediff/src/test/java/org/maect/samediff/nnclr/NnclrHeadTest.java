package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maect.core.config.NnclrHeadConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NnclrHeadTest {

  private static final NnclrHeadConfig TINY =
      new NnclrHeadConfig(NnclrHeadConfig.Pooling.MEAN_PATCH, 6, 7, 4, 16, 0.2, 0.99, 1e-5, 0.1);

  private static INDArray randn(SplittableRandom rng, long... shape) {
    long n = 1;
    for (long s : shape) n *= s;
    double[] v = new double[(int) n];
    for (int i = 0; i < v.length; i++) v[i] = rng.nextDouble() * 2 - 1 + 0.3 * (i % 3);
    return Nd4j.create(v, shape, DataType.DOUBLE);
  }

  @Test
  void batchNormNormalisesEachViewWithItsOwnStatistics() {
    SplittableRandom rng = new SplittableRandom(3);
    int views = 2, b = 5, c = 3;
    INDArray x = randn(rng, views * b, c);
    x.getRow(7).addi(4); // view 1 only: different statistics per view
    Map<String, INDArray> p = new HashMap<>();
    p.put("bn.weight", Nd4j.create(new double[] {1.5, -0.5, 2.0}));
    p.put("bn.bias", Nd4j.create(new double[] {0.1, 0.2, -0.3}));
    SameDiff sd = SameDiff.create();
    SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, c);
    List<ComposedBatchNorm.Layer> layers = new ArrayList<>();
    SDVariable y = ComposedBatchNorm.apply(sd, "bn", in, views, c, true, true, 1e-5,
        ComposedBatchNorm.Mode.TRAIN, p, layers);
    Map<String, INDArray> out = sd.output(Map.of("x", x), y.name(), layers.get(0).batchMean().name(),
        layers.get(0).batchVar().name());
    INDArray got = out.get(y.name());
    for (int v = 0; v < views; v++) {
      for (int ch = 0; ch < c; ch++) {
        double mean = 0, var = 0;
        for (int i = 0; i < b; i++) mean += x.getDouble(v * b + i, ch) / b;
        for (int i = 0; i < b; i++) var += Math.pow(x.getDouble(v * b + i, ch) - mean, 2) / b;
        assertThat(out.get(layers.get(0).batchMean().name()).getDouble(v, ch)).isCloseTo(mean, within(1e-12));
        assertThat(out.get(layers.get(0).batchVar().name()).getDouble(v, ch)).isCloseTo(var, within(1e-12));
        for (int i = 0; i < b; i++) {
          double expected = (x.getDouble(v * b + i, ch) - mean) / Math.sqrt(var + 1e-5)
              * p.get("bn.weight").getDouble(ch) + p.get("bn.bias").getDouble(ch);
          assertThat(got.getDouble(v * b + i, ch)).isCloseTo(expected, within(1e-10));
        }
      }
    }
  }

  @Test
  void runningStatisticsFollowTorchOnceForEachView() {
    INDArray rm = Nd4j.create(new double[] {0.0, 1.0});
    INDArray rv = Nd4j.create(new double[] {1.0, 2.0});
    INDArray bm = Nd4j.create(new double[][] {{1.0, 2.0}, {3.0, 4.0}});
    INDArray bv = Nd4j.create(new double[][] {{0.4, 0.8}, {1.2, 1.6}});
    ComposedBatchNorm.updateRunningStats(rm, rv, bm, bv, 5, 0.1);
    // torch: view 0 then view 1, unbiased var = biased * 5/4
    double m0 = 0.9 * (0.9 * 0.0 + 0.1 * 1.0) + 0.1 * 3.0;
    double v1 = 0.9 * (0.9 * 2.0 + 0.1 * 0.8 * 1.25) + 0.1 * 1.6 * 1.25;
    assertThat(rm.getDouble(0)).isCloseTo(m0, within(1e-12));
    assertThat(rv.getDouble(1)).isCloseTo(v1, within(1e-12));
  }

  @Test
  void inferenceModeUsesTheRunningBuffers() {
    Map<String, INDArray> p = new HashMap<>();
    p.put("bn.weight", Nd4j.create(new double[] {2.0}));
    p.put("bn.bias", Nd4j.create(new double[] {1.0}));
    p.put("bn.running_mean", Nd4j.create(new double[] {0.5}));
    p.put("bn.running_var", Nd4j.create(new double[] {4.0}));
    SameDiff sd = SameDiff.create();
    SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 1);
    SDVariable y = ComposedBatchNorm.apply(sd, "bn", in, 2, 1, true, true, 0.0,
        ComposedBatchNorm.Mode.INFERENCE, p, new ArrayList<>());
    INDArray out = sd.output(Map.of("x", Nd4j.create(new double[][] {{2.5}, {0.5}})), y.name()).get(y.name());
    assertThat(out.getDouble(0)).isCloseTo(2.0 * (2.0 / 2.0) + 1.0, within(1e-12));
    assertThat(out.getDouble(1)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void lossMatchesAHandComputedSymmetricInfoNce() {
    SplittableRandom rng = new SplittableRandom(11);
    int b = 3, o = 4;
    double tau = 0.2;
    INDArray pred = randn(rng, 2 * b, o);
    INDArray nn = randn(rng, 2 * b, o);
    for (int r = 0; r < 2 * b; r++) nn.getRow(r).divi(nn.getRow(r).norm2Number());
    SameDiff sd = SameDiff.create();
    SDVariable p = sd.placeHolder("pred", DataType.DOUBLE, -1, o);
    SDVariable n = sd.placeHolder("nn", DataType.DOUBLE, -1, o);
    SDVariable loss = NnclrLoss.build(sd, "loss", p, n, o, tau);
    INDArray positives = Nd4j.create(NnclrLoss.pairWithOtherView(nn.castTo(DataType.FLOAT).dup().data().asFloat()),
        new long[] {2 * b, o}).castTo(DataType.DOUBLE);
    double got = sd.output(Map.of("pred", pred, "nn", positives), "loss").get("loss").getDouble(0);

    double total = 0;
    for (int a = 0; a < 2; a++) {
      int other = 1 - a;
      for (int i = 0; i < b; i++) {
        double[] logits = new double[b];
        for (int j = 0; j < b; j++) {
          INDArray pj = pred.getRow(a * b + j);
          logits[j] = nn.getRow(other * b + i).mul(pj.div(pj.norm2Number())).sumNumber().doubleValue() / tau;
        }
        double lse = 0;
        for (double l : logits) lse += Math.exp(l);
        total += Math.log(lse) - logits[i];
      }
    }
    assertThat(got).isCloseTo(total / (2 * b), within(1e-6));
  }

  @Test
  void headAndLossGradientsMatchFiniteDifferencesInDouble() {
    SplittableRandom rng = new SplittableRandom(5);
    int e = 5, b = 4;
    LinkedHashMap<String, INDArray> params = new LinkedHashMap<>();
    params.putAll(NnclrHead.initProjector(NnclrHead.PROJECTOR, e, TINY, DataType.DOUBLE, rng));
    params.putAll(NnclrHead.initPredictor(NnclrHead.PREDICTOR, TINY, DataType.DOUBLE, rng));
    // non-trivial affine parameters
    for (Map.Entry<String, INDArray> en : params.entrySet()) {
      if (en.getKey().endsWith(".weight") && en.getValue().rank() == 1) en.getValue().addi(randn(rng, en.getValue().length()).mul(0.3));
      if (en.getKey().endsWith(".bias")) en.getValue().addi(randn(rng, en.getValue().length()).mul(0.3));
    }
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("pooled", DataType.DOUBLE, -1, e);
    SDVariable nn = sd.placeHolder("nn", DataType.DOUBLE, -1, TINY.outputDim());
    List<ComposedBatchNorm.Layer> norms = new ArrayList<>();
    SDVariable proj = NnclrHead.projector(sd, NnclrHead.PROJECTOR, x, TINY, 2, ComposedBatchNorm.Mode.TRAIN, true,
        params, norms);
    SDVariable pred = NnclrHead.predictor(sd, NnclrHead.PREDICTOR, proj, TINY, 2, ComposedBatchNorm.Mode.TRAIN,
        params, norms);
    NnclrLoss.build(sd, "loss", pred, nn, TINY.outputDim(), TINY.temperature());
    sd.setLossVariables("loss");
    INDArray nnArr = randn(rng, 2 * b, TINY.outputDim());
    for (int r = 0; r < 2 * b; r++) nnArr.getRow(r).divi(nnArr.getRow(r).norm2Number());
    Map<String, INDArray> ph = Map.of("pooled", randn(rng, 2 * b, e), "nn", nnArr);
    assertThat(norms).extracting(ComposedBatchNorm.Layer::name)
        .containsExactly("projector.1", "projector.4", "projector.7", "predictor.1");
    int checked = FiniteDifferences.check(sd, "loss", ph, 6, 17);
    assertThat(checked).isEqualTo(6 * 13); // 5 Linear weights + 4 BatchNorms x (weight, bias)
  }
}
