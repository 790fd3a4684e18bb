package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite-difference gradient check of a DOUBLE SameDiff graph against its backward pass. */
final class FiniteDifferences {

  private FiniteDifferences() {}

  /**
   * Checks {@code samples} random elements of every trainable variable:
   * {@code |analytic - numeric| <= 1e-6 + 1e-4 * |numeric|} with step 1e-6 (double precision: central
   * differences are accurate to ~h^2 * f''' + eps / h ~ 1e-10 here).
   */
  static int check(SameDiff sd, String loss, Map<String, INDArray> placeholders, int samples, long seed) {
    Map<String, INDArray> grads =
        sd.calculateGradients(placeholders, sd.variables().stream()
            .filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE)
            .map(SDVariable::name).toList());
    SplittableRandom rng = new SplittableRandom(seed);
    int checked = 0;
    double h = 1e-6;
    for (Map.Entry<String, INDArray> e : grads.entrySet()) {
      INDArray p = sd.getVariable(e.getKey()).getArr();
      assertThat(p.dataType()).isEqualTo(DataType.DOUBLE);
      INDArray g = e.getValue();
      for (int s = 0; s < samples; s++) {
        long i = rng.nextLong(p.length());
        double orig = p.getDouble(i);
        p.putScalar(i, orig + h);
        double up = sd.output(placeholders, loss).get(loss).getDouble(0);
        p.putScalar(i, orig - h);
        double down = sd.output(placeholders, loss).get(loss).getDouble(0);
        p.putScalar(i, orig);
        double numeric = (up - down) / (2 * h);
        double analytic = g.getDouble(i);
        assertThat(Math.abs(analytic - numeric))
            .as("d%s/d%s[%d]: analytic %s numeric %s", loss, e.getKey(), i, analytic, numeric)
            .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(numeric));
        checked++;
      }
    }
    return checked;
  }
}
