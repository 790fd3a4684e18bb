package org.maect.eval.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

class LinearProbeTest {

  @Test
  void probeReachesScikitLearnLogisticRegressionAccuracy() {
    JsonNode g = Golden.load("knn.json");
    float[][] xtr = Golden.floats2(g.get("train_x")), xte = Golden.floats2(g.get("test_x"));
    int[] ytr = Golden.ints(g.get("train_y")), yte = Golden.ints(g.get("test_y"));
    LinearProbeConfig cfg = new LinearProbeConfig(new double[] {0.3, 0.1, 0.03}, 30, 3, 64, 0.9, 1L);
    LinearProbe.Result r = LinearProbe.train(cfg, xtr, ytr, xte, yte);
    assertThat(r.accuracyByLearningRate()).hasSize(3);
    // sklearn LogisticRegression(C=1) on the same split; SGD probe within 3 points of it
    assertThat(r.bestAccuracy()).isCloseTo(g.get("logreg_acc").asDouble(), within(0.03));
    assertThat(r.bestAccuracy()).isEqualTo(r.accuracyByLearningRate().get(r.bestLearningRate()));
  }

  @Test
  void batchNormGivesZeroMeanUnitVarianceAndPyTorchRunningStats() {
    float[] x = {1, 10, 3, 20, 5, 30, 7, 40};
    double[] rm = new double[2], rv = {1, 1};
    LinearProbe.batchNorm(x, 4, 2, rm, rv);
    double m0 = 0, v0 = 0;
    for (int r = 0; r < 4; r++) m0 += x[r * 2];
    for (int r = 0; r < 4; r++) v0 += x[r * 2] * x[r * 2];
    assertThat(m0 / 4).isCloseTo(0, within(1e-6));
    assertThat(v0 / 4).isCloseTo(1, within(1e-5));
    assertThat(rm[0]).isCloseTo(0.1 * 4, within(1e-12)); // mean 4
    assertThat(rv[0]).isCloseTo(0.9 + 0.1 * (20.0 / 3), within(1e-12)); // unbiased var 20/3
  }

  @Test
  void invalidConfigIsRejected() {
    assertThatThrownBy(() -> new LinearProbeConfig(new double[] {-1}, 10, 1, 32, 0.9, 0))
        .hasMessageContaining("Invalid learning rate");
    assertThatThrownBy(() -> new LinearProbeConfig(new double[] {0.1}, 10, 10, 32, 0.9, 0))
        .hasMessageContaining("warmup");
  }
}
