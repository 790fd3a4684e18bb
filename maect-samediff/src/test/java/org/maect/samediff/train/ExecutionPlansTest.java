package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link ExecutionPlans}: replayed results equal to hand-computed ones, and plan memory released on time. */
class ExecutionPlansTest {

  /** {@code out = tanh(x W)}, {@code x: [-1, 3]}, {@code W: [3, 2]} = rows (1, 2), (3, 4), (5, 6). */
  private static SameDiff graph() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
    SDVariable w = sd.var("w", Nd4j.create(new double[][] {{1, 2}, {3, 4}, {5, 6}}).mul(0.1));
    sd.math().tanh(x.mmul(w)).rename("out");
    return sd;
  }

  @Test
  void replaysGiveTheHandComputedValuesAndReleaseFreesThePlans() {
    SameDiff sd = graph();
    for (int call = 0; call < 3; call++) { // record, then replays
      double a = call;
      INDArray x = Nd4j.create(new double[][] {{a, 1, 0}, {0, 1, -a}});
      INDArray out = ExecutionPlans.output(sd, Map.of("x", x), "out").get("out");
      double[][] expected = {
          {Math.tanh(0.1 * (a + 3)), Math.tanh(0.1 * (2 * a + 4))},
          {Math.tanh(0.1 * (3 - 5 * a)), Math.tanh(0.1 * (4 - 6 * a))}};
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
          assertThat(out.getDouble(i, j)).isCloseTo(expected[i][j], org.assertj.core.data.Offset.offset(1e-12));
        }
      }
    }
    assertThat(ExecutionPlans.planCount(sd)).isEqualTo(1);
    ExecutionPlans.release(sd);
    assertThat(ExecutionPlans.planCount(sd)).isZero();
  }

  @Test
  void onlyTheGraphsUsedLastKeepTheirPlans() {
    List<SameDiff> graphs = new ArrayList<>();
    for (int g = 0; g <= ExecutionPlans.MAX_GRAPHS; g++) {
      SameDiff sd = graph();
      graphs.add(sd);
      ExecutionPlans.output(sd, Map.of("x", Nd4j.ones(DataType.DOUBLE, 4, 3)), "out");
    }
    assertThat(ExecutionPlans.planCount(graphs.get(0))).as("least recently used graph").isZero();
    for (int g = 1; g <= ExecutionPlans.MAX_GRAPHS; g++) {
      assertThat(ExecutionPlans.planCount(graphs.get(g))).isEqualTo(1);
    }
    graphs.forEach(ExecutionPlans::release);
  }
}
