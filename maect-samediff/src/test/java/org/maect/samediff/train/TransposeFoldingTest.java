package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maect.samediff.vit.Linear;
import org.maect.samediff.vit.Params;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link TransposeFolding}: a FLOAT training pass through a Linear (whose weight is read
 * transposed) and a product whose transpose is taken ({@code (x^T W2)^T}), planned with the transposes folded, against
 * the same pass written out by hand in double and against SameDiff's session running the composed ops.
 */
class TransposeFoldingTest {
  private static final int N = 37;
  private static final int IN = 11;
  private static final int OUT = 6;

  /**
   * {@code loss = sum((h W^T + b) * r) + sum((x^T W2)^T * s)}, {@code h = x U}, with {@code U [IN, IN]},
   * {@code W [OUT, IN]}, {@code W2 [N, OUT]}: the first term is a Linear whose input has a gradient (so W^T is read
   * forward by xw_plus_b and backward by a matmul); the second a transposed product.
   */
  private static SameDiff graph() {
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.FLOAT, 5);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, N, IN);
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, N, OUT);
    SDVariable s = sd.placeHolder("s", DataType.FLOAT, OUT, IN);
    SDVariable u = sd.var("u", TestArrays.random(11, IN, IN));
    SDVariable y = Linear.apply(p, "fc", x.mmul(u), IN, OUT);
    sd.getVariable("fc.bias").setArray(TestArrays.random(9, OUT));
    SDVariable w2 = sd.var("w2", TestArrays.random(10, N, OUT));
    SDVariable t = sd.mmul(x, w2, true, false, false).permute(1, 0); // [OUT, IN]
    y.mul(r).sum().add(t.mul(s).sum()).rename("loss");
    sd.setLossVariables("loss");
    return sd;
  }

  @Test
  void foldedPassMatchesTheHandWrittenGradientsAndTheSession() {
    SameDiff sd = graph();
    INDArray x = TestArrays.random(1, N, IN);
    INDArray r = TestArrays.random(2, N, OUT);
    INDArray s = TestArrays.random(3, OUT, IN);
    Map<String, INDArray> ph = Map.of("x", x, "r", r, "s", s);
    List<String> params = List.of("u", "fc.weight", "fc.bias", "w2");
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    List<String> names = new ArrayList<>(List.of("loss"));
    for (String v : params) names.add(v + "-grad");
    OpTypeRecorder rec = new OpTypeRecorder();
    List<String> seen = rec.types;
    try (ExecutionPlan plan = ExecutionPlan.record(fn, ph, names).plan()) {
      assertThat(plan).as("the pass is planned").isNotNull();
      fn.setListeners(rec);
      Map<String, INDArray> got = plan.run(ph);
      List<String> folded = new ArrayList<>(seen);
      seen.clear();
      ExecutionPlan.recordInSession(fn, ph, names).plan().close(); // the session's ops
      fn.setListeners();
      assertThat(seen.stream().filter("permute"::equals).count()).as("transposes in the session").isEqualTo(4);
      assertThat(folded.stream().filter("matmul"::equals).count()).as("matmuls in the plan")
          .isEqualTo(seen.stream().filter("matmul"::equals).count());
      // left: t's gradient transposed for the matmul_bp of x^T W2 (a backward op, not one of the folded readers)
      assertThat(folded.stream().filter("permute"::equals).count()).as("transposes in the plan").isEqualTo(1);
      assertThat(folded.stream().filter("xw_plus_b"::equals).count()).as("Linears in the plan").isEqualTo(1);

      // by hand, in double: h = x U; dL/dW = r^T h, dL/db = column sums of r, dL/dU = x^T (r W), dL/dW2 = x s^T
      double[][] x0 = rows(x);
      double[][] ud = rows(sd.getArrForVarName("u"));
      double[][] xd = new double[N][IN]; // h
      for (int i = 0; i < N; i++) {
        for (int k = 0; k < IN; k++) {
          for (int j = 0; j < IN; j++) xd[i][k] += x0[i][j] * ud[j][k];
        }
      }
      double[][] rd = rows(r);
      double[][] sdd = rows(s);
      double[][] w = rows(sd.getArrForVarName("fc.weight"));
      double[] b = sd.getArrForVarName("fc.bias").toDoubleVector();
      double[][] w2 = rows(sd.getArrForVarName("w2"));
      double loss = 0;
      double[][] dw = new double[OUT][IN];
      double[] db = new double[OUT];
      double[][] dw2 = new double[N][OUT];
      double[][] du = new double[IN][IN];
      for (int i = 0; i < N; i++) {
        for (int o = 0; o < OUT; o++) {
          double yv = b[o];
          for (int k = 0; k < IN; k++) yv += xd[i][k] * w[o][k];
          loss += yv * rd[i][o];
          db[o] += rd[i][o];
          for (int k = 0; k < IN; k++) {
            dw[o][k] += rd[i][o] * xd[i][k];
            dw2[i][o] += x0[i][k] * sdd[o][k];
            for (int j = 0; j < IN; j++) du[j][k] += x0[i][j] * rd[i][o] * w[o][k];
          }
        }
      }
      for (int o = 0; o < OUT; o++) {
        for (int k = 0; k < IN; k++) {
          double tv = 0; // (x^T W2)^T [o][k] = sum_i W2[i][o] x[i][k]
          for (int i = 0; i < N; i++) tv += w2[i][o] * x0[i][k];
          loss += tv * sdd[o][k];
        }
      }
      assertThat(got.get("loss").getDouble(0)).isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(loss) + 1e-4));
      assertClose(got.get("fc.weight-grad"), dw, "dL/dW");
      assertClose(got.get("fc.bias-grad"), new double[][] {db}, "dL/db");
      assertClose(got.get("w2-grad"), dw2, "dL/dW2");
      assertClose(got.get("u-grad"), du, "dL/dU");

      // SameDiff's session runs the composed ops (transposes and all)
      OutAndGrad stock = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
      for (String v : params) {
        INDArray e = stock.getGradients().get(v);
        assertThat(got.get(v + "-grad").sub(e.reshape(got.get(v + "-grad").shape())).amaxNumber().doubleValue())
            .as(v).isLessThan(1e-5 * Math.max(1, e.amaxNumber().doubleValue()));
      }
    } finally {
      fn.setListeners();
      ExecutionPlans.forget(fn);
    }
  }

  private static double[][] rows(INDArray a) {
    INDArray m = a.rank() == 1 ? a.reshape(1, a.length()) : a;
    return m.castTo(DataType.DOUBLE).toDoubleMatrix();
  }

  private static void assertClose(INDArray got, double[][] want, String what) {
    double[] g = got.castTo(DataType.DOUBLE).reshape(got.length()).toDoubleVector();
    int k = 0;
    double scale = 1;
    for (double[] row : want) {
      for (double v : row) scale = Math.max(scale, Math.abs(v));
    }
    assertThat(g).as(what).hasSize(want.length * want[0].length);
    for (double[] row : want) {
      for (double v : row) {
        assertThat(g[k]).as("%s[%d]", what, k).isCloseTo(v, org.assertj.core.data.Offset.offset(2e-5 * scale));
        k++;
      }
    }
  }
}
