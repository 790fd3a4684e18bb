package org.maect.samediff.mae;

import static org.maect.samediff.mae.Close.assertClose;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences (DOUBLE graphs) against SameDiff's analytic gradients. */
public final class FiniteDifferences {
  private FiniteDifferences() {}

  /** Checks d loss / d var for every element of the named variables. */
  public static void check(SameDiff sd, String loss, Map<String, INDArray> ph, List<String> vars,
      double rtol, double atol) {
    Map<String, INDArray> analytic = sd.calculateGradients(ph, vars);
    double h = 1e-6;
    for (String v : vars) {
      INDArray arr = sd.getArrForVarName(v);
      INDArray num = arr.ulike();
      for (long i = 0; i < arr.length(); i++) {
        double x0 = arr.getDouble(i);
        arr.putScalar(i, x0 + h);
        double up = sd.output(ph, loss).get(loss).getDouble(0);
        arr.putScalar(i, x0 - h);
        double down = sd.output(ph, loss).get(loss).getDouble(0);
        arr.putScalar(i, x0);
        num.putScalar(i, (up - down) / (2 * h));
      }
      assertClose("d" + loss + "/d" + v, analytic.get(v), num, rtol, atol);
    }
  }
}
