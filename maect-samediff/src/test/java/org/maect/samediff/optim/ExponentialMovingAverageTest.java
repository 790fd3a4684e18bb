package org.maect.samediff.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ExponentialMovingAverageTest {

  @Test
  void blendsParametersAndCopiesBuffers() {
    Map<String, INDArray> src = new LinkedHashMap<>();
    src.put("projector.linear1.weight", Nd4j.createFromArray(new float[][] {{1f, 2f}, {3f, 4f}}));
    src.put("projector.bn1.running_mean", Nd4j.createFromArray(5f, 6f));
    src.put("encoder.ignored", Nd4j.createFromArray(9f));
    Map<String, INDArray> tgt = new LinkedHashMap<>();
    tgt.put("ema.linear1.weight", Nd4j.createFromArray(new float[][] {{0f, 0f}, {10f, 10f}}));
    tgt.put("ema.bn1.running_mean", Nd4j.createFromArray(0f, 0f));

    ExponentialMovingAverage ema = ExponentialMovingAverage.of(src, tgt, n -> n.startsWith("projector."),
        n -> n.contains("running_"), n -> n.replace("projector.", "ema."));
    assertThat(ema.size()).isEqualTo(2);
    ema.update(0.99);
    // 0.99 * 0 + 0.01 * 1 = 0.01 ; 0.99 * 10 + 0.01 * 4 = 9.94
    INDArray w = tgt.get("ema.linear1.weight");
    assertThat(w.getDouble(0, 0)).isCloseTo(0.01, within(1e-7));
    assertThat(w.getDouble(0, 1)).isCloseTo(0.02, within(1e-7));
    assertThat(w.getDouble(1, 1)).isCloseTo(9.94, within(1e-6));
    assertThat(tgt.get("ema.bn1.running_mean").toFloatVector()).containsExactly(5f, 6f);
    // sources untouched
    assertThat(src.get("projector.linear1.weight").getDouble(1, 1)).isEqualTo(4.0);
    ema.update(0.5);
    assertThat(w.getDouble(0, 0)).isCloseTo(0.5 * 0.01 + 0.5, within(1e-7));
  }

  @Test
  void initialiseCopiesAndMomentumOneFreezes() {
    INDArray s = Nd4j.createFromArray(1f, 2f);
    INDArray t = Nd4j.createFromArray(7f, 7f);
    ExponentialMovingAverage ema = new ExponentialMovingAverage().blend("w", s, t);
    ema.update(1.0);
    assertThat(t.toFloatVector()).containsExactly(7f, 7f);
    ema.initialise();
    assertThat(t.toFloatVector()).containsExactly(1f, 2f);
  }

  @Test
  void rejectsMismatchedPairs() {
    assertThatThrownBy(() -> new ExponentialMovingAverage().blend("w", Nd4j.zeros(2), Nd4j.zeros(3)))
        .hasMessageContaining("'w'").hasMessageContaining("[2]");
    assertThatThrownBy(() -> ExponentialMovingAverage.of(Map.of("a", Nd4j.zeros(2)), Map.of(), n -> true,
        n -> false, n -> "ema." + n)).hasMessageContaining("'ema.a'");
    assertThatThrownBy(() -> new ExponentialMovingAverage().update(1.5)).hasMessageContaining("momentum");
  }
}
