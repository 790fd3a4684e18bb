package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.samediff.mae.MaeModel;
import org.maect.samediff.mae.RandomMasking;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link ReusingGradients} against SameDiff's own {@code calculateGradientsAndOutputs} (the reference: a
 * fresh array for every op output) over several steps of the MAE graph, with new placeholders, in-place
 * parameter updates and the returned arrays closed between steps: re-used session arrays must never leak
 * stale values into a later step.
 */
class ReusingGradientsTest {

  private static final MaeConfig CONFIG =
      new MaeConfig(new ViTConfig(8, 2, 2, 16, 2, 2, 4.0), 8, 1, 2, 0.75, true);

  @Test
  void sameLossAndGradientsAsStockOverSeveralSteps() {
    MaeModel model = new MaeModel(CONFIG, DataType.DOUBLE, 3);
    SameDiff sd = model.sameDiff();
    List<String> names = model.parameterNames();
    SplittableRandom rng = new SplittableRandom(7);
    int batch = 3;
    for (int step = 0; step < 3; step++) {
      float[] images = new float[batch * 2 * 8 * 8];
      for (int i = 0; i < images.length; i++) images[i] = (float) rng.nextGaussian();
      MaeModel.Inputs in = model.inputs(images, batch,
          RandomMasking.sample(batch, CONFIG.encoder().numPatches(), CONFIG.numKeep(), rng));
      OutAndGrad reused = ReusingGradients.calculate(sd, in.placeholders(), List.of(MaeModel.LOSS), names);
      OutAndGrad stock = sd.calculateGradientsAndOutputs(in.placeholders(), List.of(MaeModel.LOSS), names);
      assertThat(reused.getOutputs().get(MaeModel.LOSS).getDouble(0))
          .isEqualTo(stock.getOutputs().get(MaeModel.LOSS).getDouble(0));
      assertThat(reused.getGradients().keySet()).containsExactlyInAnyOrderElementsOf(names);
      for (String n : names) {
        INDArray a = reused.getGradients().get(n);
        INDArray b = stock.getGradients().get(n);
        assertThat(a.shape()).as(n).isEqualTo(b.shape());
        assertThat(a.sub(b).amaxNumber().doubleValue()).as("step %d %s", step, n)
            .isLessThanOrEqualTo(1e-12 * Math.max(1, b.amaxNumber().doubleValue()));
      }
      // SGD step in place, then release what the reusing pass returned (as SameDiffStep.release does)
      Map<String, INDArray> params = model.parameters();
      for (String n : names) params.get(n).subi(stock.getGradients().get(n).mul(0.1));
      for (INDArray g : reused.getGradients().values()) {
        if (g.closeable()) g.close();
      }
    }
  }
}
