package org.maect.samediff.mae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The one closeness helper: {@code |a - b| <= atol + rtol * |b|} elementwise, b the reference. */
public final class Close {
  private Close() {}

  public static void assertClose(String what, INDArray actual, INDArray expected, double rtol, double atol) {
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] b = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double worst = 0;
    int at = -1;
    for (int i = 0; i < a.length; i++) {
      double excess = Math.abs(a[i] - b[i]) - (atol + rtol * Math.abs(b[i]));
      if (at < 0 || excess > worst) {
        worst = excess;
        at = i;
      }
    }
    assertThat(worst)
        .as("%s: worst element %d actual %s expected %s (rtol %s atol %s, shape %s)", what, at,
            a[at], b[at], rtol, atol, Arrays.toString(expected.shape()))
        .isLessThanOrEqualTo(0.0);
  }
}
