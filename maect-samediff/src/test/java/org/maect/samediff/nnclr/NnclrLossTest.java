package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maect.samediff.train.ReusingGradients;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loss when a prediction row is exactly zero (predictor {@code ReLU -> Linear(no bias)} with all hidden units
 * of a sample negative). That happened in the stage-3 CLS gradient check (B = 3, 7 hidden units) and gave NaN
 * predictor gradients through SameDiff's {@code norm2} backward (0/0); torch's {@code F.normalize} gives finite
 * ones.
 */
class NnclrLossTest {

  @Test
  void normalizeIsTorchNormalizeIncludingZeroAndTinyRows() {
    SameDiff sd = SameDiff.create();
    INDArray x = Nd4j.create(new double[][] {{3, 4}, {0, 0}, {1e-13, 0}}).reshape(1, 3, 2);
    SDVariable out = NnclrLoss.normalize(sd, sd.constant("x", x), 2);
    INDArray y = out.eval().reshape(3, 2);
    // hand-derived: x / max(||x||, 1e-12)
    assertThat(y.getRow(0).toDoubleVector()).containsExactly(0.6, 0.8);
    assertThat(y.getRow(1).toDoubleVector()).containsExactly(0.0, 0.0);
    assertThat(y.getDouble(2, 0)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void gradientsAreFiniteAndExactWhenAPredictionRowIsZero() {
    SameDiff sd = graph(false);
    Map<String, INDArray> ph = Map.of(NnclrModel.POSITIVES, positives());
    INDArray pred = sd.output(ph, "pred").get("pred");
    assertThat(pred.getRow(1).toDoubleVector()).containsOnly(0.0); // the dead row
    // finite differences are valid here: a 1e-6 step keeps row 1's hidden units negative
    assertThat(FiniteDifferences.check(sd, NnclrModel.LOSS, ph, 6, 3)).isEqualTo(12);
    // the training path (session array cache on) gives finite gradients too
    Map<String, INDArray> g = ReusingGradients.calculate(sd, ph, List.of(NnclrModel.LOSS), List.of("w", "pre"))
        .getGradients();
    for (INDArray a : g.values()) assertThat(a.isNaN().any() || a.isInfinite().any()).isFalse();
    assertThat(g.get("pre").getRow(1).toDoubleVector()).containsOnly(0.0); // ReLU passes nothing to a dead row
  }

  /**
   * Why {@link NnclrLoss#normalize} exists: SameDiff 1.0.0-M2.1's {@code norm2} backward ({@code x * g / ||x||})
   * is NaN at a zero row even with {@code + eps} after the norm, and {@code 0 * NaN} in the matmul backward
   * carries it into the weight gradient. If this starts failing, SameDiff has fixed {@code reduce_norm2_bp}.
   */
  @Test
  void sameDiffNorm2BackwardIsNaNAtAZeroRow() {
    SameDiff sd = graph(true);
    Map<String, INDArray> g = sd.calculateGradients(Map.of(NnclrModel.POSITIVES, positives()), "w");
    assertThat(g.get("w").isNaN().any()).isTrue();
  }

  /**
   * {@code pred = relu(pre) @ w^T}, {@code pre: [4, 3]} (2 views x B 2) with row 1 all negative, {@code w: [3, 3]};
   * the NNCLR loss at tau 0.2; {@code norm2Loss}: the loss with the former {@code x / (||x|| + 1e-12)}.
   */
  private static SameDiff graph(boolean norm2Loss) {
    SameDiff sd = SameDiff.create();
    SDVariable pre = sd.var("pre", Nd4j.create(new double[][] {
        {0.5, -0.2, 0.9}, {-0.3, -0.7, -0.1}, {0.4, 0.8, -0.6}, {-0.5, 0.3, 0.2}}));
    SDVariable w = sd.var("w", Nd4j.create(new double[][] {{0.3, -0.8, 0.5}, {0.7, 0.1, -0.4}, {-0.2, 0.6, 0.9}}));
    SDVariable pred = sd.identity("pred", sd.mmul(sd.nn().relu(pre, 0), w, false, true, false));
    SDVariable pos = sd.placeHolder(NnclrModel.POSITIVES, DataType.DOUBLE, -1, 3);
    if (norm2Loss) {
      SDVariable p3 = pred.reshape(2, -1, 3);
      SDVariable pn = p3.div(p3.norm2(true, 2).add(1e-12));
      SDVariable nn3 = pos.reshape(2, -1, 3);
      nn3.mul(pn).sum(true, 2).mean(NnclrModel.LOSS);
    } else {
      NnclrLoss.build(sd, NnclrModel.LOSS, pred, pos, 3, 0.2);
    }
    sd.setLossVariables(NnclrModel.LOSS);
    return sd;
  }

  private static INDArray positives() {
    INDArray p = Nd4j.create(new double[][] {{1, 2, 2}, {0, 3, 4}, {2, -1, 2}, {-4, 0, 3}});
    for (int r = 0; r < 4; r++) p.getRow(r).divi(p.getRow(r).norm2Number());
    return p;
  }
}
