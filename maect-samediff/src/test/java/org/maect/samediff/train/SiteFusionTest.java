package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maect.samediff.vit.LayerNorm;
import org.maect.samediff.vit.Params;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link SiteFusion} and {@link LayerNormKernels}: the fused kernels against LayerNorm and its gradients in
 * double (the forward by its definition, the gradients by central finite differences of that definition), and fused
 * plans against SameDiff's session running the composed ops (losses and every gradient, FLOAT).
 */
class SiteFusionTest {
  private static final double EPS = 1e-6;

  @BeforeEach
  void needsVectorApi() {
    assumeThat(PlanKernels.vectorAvailable()).as("jdk.incubator.vector loaded").isTrue();
  }

  private static float[] gaussian(int n, double scale, double shift, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * scale + shift);
    return v;
  }

  /** {@code sum(dy * LayerNorm(x))} in double, the function whose gradients the backward computes. */
  private static double[] layerNorm(double[] x, double[] g, double[] b, int n, int d) {
    double[] y = new double[n * d];
    for (int r = 0; r < n; r++) {
      double m = 0;
      for (int i = 0; i < d; i++) m += x[r * d + i];
      m /= d;
      double v = 0;
      for (int i = 0; i < d; i++) v += (x[r * d + i] - m) * (x[r * d + i] - m);
      v /= d;
      for (int i = 0; i < d; i++) y[r * d + i] = (x[r * d + i] - m) / Math.sqrt(v + EPS) * g[i] + b[i];
    }
    return y;
  }

  private static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }

  @Test
  void kernelsMatchTheDefinitionAndItsFiniteDifferenceGradients() {
    int n = 5;
    int d = 21; // not a multiple of the vector length
    float[] x = gaussian(n * d, 2.0, 0.7, 1);
    float[] g = gaussian(d, 0.5, 1.0, 2);
    float[] b = gaussian(d, 0.5, 0.0, 3);
    float[] dy = gaussian(n * d, 1.0, 0.0, 4);
    INDArray xa = Nd4j.create(x, new long[] {n, d}, 'c');
    INDArray ga = Nd4j.create(g, new long[] {d}, 'c');
    INDArray ba = Nd4j.create(b, new long[] {d}, 'c');
    INDArray dya = Nd4j.create(dy, new long[] {n, d}, 'c');
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, d);
    assertThat(PlanKernels.layerNorm(EPS).run(new INDArray[] {xa, ga, ba}, new INDArray[] {y})).isTrue();
    double[] xd = toDouble(x);
    double[] gd = toDouble(g);
    double[] bd = toDouble(b);
    double[] ref = layerNorm(xd, gd, bd, n, d);
    float[] yv = y.data().asFloat();
    for (int i = 0; i < ref.length; i++) assertThat((double) yv[i]).as("y[%d]", i).isCloseTo(ref[i], Offset.offset(2e-6));

    // outputs in an order the fusion may produce: dg, dx, a second (zero) part of dx, db
    FusedOp.Role[] roles = {FusedOp.Role.DG, FusedOp.Role.DX, FusedOp.Role.DX, FusedOp.Role.DB};
    INDArray dg = Nd4j.createUninitialized(DataType.FLOAT, d);
    INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, n, d);
    INDArray dx2 = Nd4j.valueArrayOf(new long[] {n, d}, 7f, DataType.FLOAT);
    INDArray db = Nd4j.createUninitialized(DataType.FLOAT, d);
    assertThat(PlanKernels.layerNormBp(EPS, roles).run(new INDArray[] {xa, ga, dya},
        new INDArray[] {dg, dx, dx2, db})).isTrue();
    double h = 1e-6;
    float[] dxv = dx.data().asFloat();
    for (int i = 0; i < n * d; i++) {
      double[] p = xd.clone();
      double[] m = xd.clone();
      p[i] += h;
      m[i] -= h;
      double fd = (dot(layerNorm(p, gd, bd, n, d), dy) - dot(layerNorm(m, gd, bd, n, d), dy)) / (2 * h);
      assertThat((double) dxv[i]).as("dx[%d]", i).isCloseTo(fd, Offset.offset(2e-4));
    }
    assertThat(dx2.amaxNumber().doubleValue()).as("the second part of dx").isEqualTo(0.0);
    for (int i = 0; i < d; i++) {
      double[] p = gd.clone();
      double[] m = gd.clone();
      p[i] += h;
      m[i] -= h;
      double fd = (dot(layerNorm(xd, p, bd, n, d), dy) - dot(layerNorm(xd, m, bd, n, d), dy)) / (2 * h);
      assertThat((double) dg.getFloat(i)).as("dg[%d]", i).isCloseTo(fd, Offset.offset(2e-4));
      double s = 0;
      for (int r = 0; r < n; r++) s += dy[r * d + i]; // d(sum dy y)/db = sum of dy over rows
      assertThat((double) db.getFloat(i)).as("db[%d]", i).isCloseTo(s, Offset.offset(1e-5));
    }
  }

  @Test
  void geluKernelsMatchTheDefinitionAndItsFiniteDifferenceDerivative() {
    int n = 4099; // not a multiple of the chunk or the vector length
    float[] x = gaussian(n, 2.5, 0, 21);
    x[0] = 0f;
    x[1] = -9f;
    x[2] = 9f;
    float[] dy = gaussian(n, 1, 0, 22);
    INDArray xa = Nd4j.create(x, new long[] {n}, 'c');
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n);
    assertThat(PlanKernels.gelu().run(new INDArray[] {xa}, new INDArray[] {y})).isTrue();
    INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, n);
    INDArray dx2 = Nd4j.valueArrayOf(new long[] {n}, 3f, DataType.FLOAT);
    assertThat(PlanKernels.geluBp(2).run(new INDArray[] {xa, Nd4j.create(dy, new long[] {n}, 'c')},
        new INDArray[] {dx, dx2})).isTrue();
    for (int i = 0; i < n; i++) {
      double v = x[i];
      double ref = gelu(v);
      assertThat((double) y.getFloat(i)).as("gelu(%s)", v).isCloseTo(ref, Offset.offset(1e-6 * Math.max(1, Math.abs(v))));
      double h = 1e-5;
      double fd = (gelu(v + h) - gelu(v - h)) / (2 * h);
      assertThat((double) dx.getFloat(i)).as("gelu'(%s) dy", v).isCloseTo(fd * dy[i], Offset.offset(2e-6 * Math.max(1, Math.abs(dy[i]))));
    }
    assertThat(dx2.amaxNumber().doubleValue()).as("the second part of dx").isEqualTo(0.0);
  }

  /** {@code x Phi(x)} in double with Commons Math's erf. */
  private static double gelu(double x) {
    return x * 0.5 * (1 + org.apache.commons.math3.special.Erf.erf(x / Math.sqrt(2)));
  }

  @Test
  void fusedGeluTrainingPassGivesTheSessionsLossAndGradients() {
    int d = 20;
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
    SDVariable w = sd.var("w", Nd4j.create(gaussian(d * d, 0.4, 0, 31), new long[] {d, d}, 'c'));
    SDVariable h = x.mmul(w);
    SDVariable out = h.add(org.maect.samediff.vit.Gelu.apply("blk.act", h)); // h's gradient arrives in parts
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, -1, d);
    out.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");
    List<String> params = List.of("w");
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    try {
      Map<String, INDArray> ph = feed(300, d, 17);
      OutAndGrad stock = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
      OutAndGrad fused = ReusingGradients.calculate(sd, ph, List.of("loss"), params);
      double loss = stock.getOutputs().get("loss").getDouble(0);
      // the session's erf is libnd4j's, the fused one PyTorch's formula (|difference| < 6e-7 per value)
      assertThat(fused.getOutputs().get("loss").getDouble(0)).isCloseTo(loss, Offset.offset(1e-4 * Math.abs(loss) + 1e-4));
      INDArray b = stock.getGradients().get("w");
      assertThat(fused.getGradients().get("w").sub(b).amaxNumber().doubleValue())
          .isLessThan(1e-4 * Math.max(1, b.amaxNumber().doubleValue()));
      ExecutionPlan.Recording rec = ExecutionPlan.record(fn, ph, List.of("loss", "w-grad"));
      try (ExecutionPlan plan = rec.plan()) {
        assertThat(plan.kernels()).containsKeys("fused gelu (Vector API)", "fused gelu_bp (Vector API)");
      }
    } finally {
      ExecutionPlans.forget(fn);
    }
  }

  /** Multi-head attention from packed qkv {@code [B*S, 3D]} to merged heads {@code [B*S, D]}, in double. */
  private static double[] attention(double[] qkv, int b, int s, int dim, int heads) {
    int hd = dim / heads;
    double c = 1 / Math.sqrt(hd);
    double[] out = new double[b * s * dim];
    for (int img = 0; img < b; img++) {
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < s; i++) {
          double[] w = new double[s];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < s; j++) {
            double dot = 0;
            for (int t = 0; t < hd; t++) {
              dot += qkv[(img * s + i) * 3 * dim + h * hd + t] * c * qkv[(img * s + j) * 3 * dim + dim + h * hd + t];
            }
            w[j] = dot;
            max = Math.max(max, dot);
          }
          double z = 0;
          for (int j = 0; j < s; j++) z += (w[j] = Math.exp(w[j] - max));
          for (int t = 0; t < hd; t++) {
            double o = 0;
            for (int j = 0; j < s; j++) o += w[j] / z * qkv[(img * s + j) * 3 * dim + 2 * dim + h * hd + t];
            out[(img * s + i) * dim + h * hd + t] = o;
          }
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{1} tokens, {2} heads, width {3}")
  @CsvSource({
      "2, 13, 2, 12", // tokens not a multiple of the vector length, head width 6: products through the padded buffer
      "2, 13, 2, 32", // head width 16: products written in place (6 x 16 register blocks)
      "1, 50, 1, 8"}) // 50 tokens, one head of one vector
  void attentionKernelsMatchTheDefinitionAndItsFiniteDifferenceGradients(int b, int s, int heads, int dim) {
    float[] qkv = gaussian(b * s * 3 * dim, 1, 0, 41);
    float[] dy = gaussian(b * s * dim, 1, 0, 42);
    INDArray qa = Nd4j.create(qkv, new long[] {b * s, 3 * dim}, 'c');
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, b * s, dim);
    assertThat(PlanKernels.attention(s, heads).run(new INDArray[] {qa}, new INDArray[] {out})).isTrue();
    double[] qd = toDouble(qkv);
    double[] ref = attention(qd, b, s, dim, heads);
    float[] ov = out.data().asFloat();
    for (int i = 0; i < ref.length; i++) assertThat((double) ov[i]).as("out[%d]", i).isCloseTo(ref[i], Offset.offset(2e-6));
    INDArray dq = Nd4j.createUninitialized(DataType.FLOAT, b * s, 3 * dim);
    INDArray dq2 = Nd4j.valueArrayOf(new long[] {b * s, 3 * dim}, 5f, DataType.FLOAT);
    assertThat(PlanKernels.attentionBp(s, heads, 2).run(new INDArray[] {qa, Nd4j.create(dy, new long[] {b * s, dim}, 'c')},
        new INDArray[] {dq, dq2})).isTrue();
    float[] g = dq.data().asFloat();
    double h = 1e-6;
    for (int i = 0; i < qd.length; i++) {
      double[] p = qd.clone();
      double[] m = qd.clone();
      p[i] += h;
      m[i] -= h;
      double fd = (dot(attention(p, b, s, dim, heads), dy) - dot(attention(m, b, s, dim, heads), dy)) / (2 * h);
      assertThat((double) g[i]).as("dqkv[%d]", i).isCloseTo(fd, Offset.offset(2e-5));
    }
    assertThat(dq2.amaxNumber().doubleValue()).as("the second part of the gradient").isEqualTo(0.0);
  }

  @Test
  void fusedAttentionTrainingPassGivesTheSessionsLossAndGradients() {
    int d = 16;
    int s = 10;
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.FLOAT, 4);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
    SDVariable out = x.add(org.maect.samediff.vit.Attention.apply(p, "blk.attn", x, s, d, 2));
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, -1, d);
    out.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");
    List<String> params = List.of("blk.attn.qkv.weight", "blk.attn.qkv.bias", "blk.attn.proj.weight");
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    try {
      Map<String, INDArray> ph = feed(3 * s, d, 51);
      OutAndGrad stock = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
      OutAndGrad fused = ReusingGradients.calculate(sd, ph, List.of("loss"), params);
      double loss = stock.getOutputs().get("loss").getDouble(0);
      assertThat(fused.getOutputs().get("loss").getDouble(0)).isCloseTo(loss, Offset.offset(2e-6 * Math.abs(loss) + 1e-5));
      for (String n : params) {
        INDArray b = stock.getGradients().get(n);
        assertThat(fused.getGradients().get(n).sub(b).amaxNumber().doubleValue()).as(n)
            .isLessThan(2e-5 * Math.max(1, b.amaxNumber().doubleValue()));
      }
      List<String> names = new ArrayList<>(List.of("loss"));
      for (String n : params) names.add(sd.getVariable(n).getGradient().name());
      try (ExecutionPlan plan = ExecutionPlan.record(fn, ph, names).plan()) {
        assertThat(plan.kernels()).containsKeys("fused attention (Vector API)", "fused attention_bp (Vector API)");
      }
    } finally {
      ExecutionPlans.forget(fn);
    }
  }

  /** {@code h = x w; out = h + LN(h)^2 * c} (h's gradient arrives in parts), loss {@code sum(out * r)}. */
  private static SameDiff residualGraph(int d, long seed) {
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.FLOAT, seed);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
    SDVariable w = sd.var("w", Nd4j.create(gaussian(d * d, 0.3, 0, seed + 1), new long[] {d, d}, 'c'));
    SDVariable h = x.mmul(w);
    SDVariable ln = LayerNorm.apply(p, "blk.norm", h, d);
    sd.getVariable("blk.norm.weight").getArr().assign(Nd4j.create(gaussian(d, 0.3, 1, seed + 2), new long[] {d}, 'c'));
    sd.getVariable("blk.norm.bias").getArr().assign(Nd4j.create(gaussian(d, 0.3, 0, seed + 3), new long[] {d}, 'c'));
    SDVariable out = h.add(ln.mul(ln).mul(0.5));
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, -1, d);
    out.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");
    return sd;
  }

  private static Map<String, INDArray> feed(int n, int d, long seed) {
    return Map.of("x", Nd4j.create(gaussian(n * d, 1, 0.3, seed), new long[] {n, d}, 'c'),
        "r", Nd4j.create(gaussian(n * d, 1, 0, seed + 7), new long[] {n, d}, 'c'));
  }

  @Test
  void fusedTrainingPassGivesTheSessionsLossAndGradients() {
    int d = 24;
    SameDiff sd = residualGraph(d, 5);
    List<String> params = List.of("w", "blk.norm.weight", "blk.norm.bias");
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    try {
      for (int step = 0; step < 3; step++) {
        Map<String, INDArray> ph = feed(step == 2 ? 400 : 40, d, 10 + step); // 400 rows: several row blocks
        OutAndGrad stock = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
        OutAndGrad fused = ReusingGradients.calculate(sd, ph, List.of("loss"), params);
        assertThat(fused.getOutputs().get("loss").getDouble(0)).as("loss")
            .isCloseTo(stock.getOutputs().get("loss").getDouble(0), Offset.offset(2e-6 * Math.abs(stock.getOutputs().get("loss").getDouble(0)) + 1e-5));
        for (String n : params) {
          INDArray a = fused.getGradients().get(n);
          INDArray b = stock.getGradients().get(n);
          double scale = Math.max(1, b.amaxNumber().doubleValue());
          assertThat(a.sub(b).amaxNumber().doubleValue()).as("step %d %s", step, n).isLessThan(2e-5 * scale);
        }
      }
      List<String> names = new ArrayList<>(List.of("loss"));
      for (String n : params) names.add(sd.getVariable(n).getGradient().name());
      ExecutionPlan.Recording rec = ExecutionPlan.record(fn, feed(40, d, 99), names);
      try (ExecutionPlan plan = rec.plan()) {
        assertThat(plan.kernels()).containsKeys("fused layer_norm (Vector API)", "fused layer_norm_bp (Vector API)");
      }
    } finally {
      ExecutionPlans.forget(fn);
    }
  }

  @Test
  void inferenceFusesTheForwardAndAPlaceholderInputNeedsNoInputGradient() {
    int d = 16;
    SameDiff sd = SameDiff.create();
    Params p = new Params(sd, DataType.FLOAT, 3);
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
    SDVariable y = LayerNorm.apply(p, "n", x, d);
    sd.getVariable("n.weight").getArr().assign(Nd4j.create(gaussian(d, 0.3, 1, 8), new long[] {d}, 'c'));
    SDVariable r = sd.placeHolder("r", DataType.FLOAT, -1, d);
    y.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");
    Map<String, INDArray> ph = feed(12, d, 4);
    INDArray stockY = sd.output(ph, y.name()).get(y.name());
    try (ExecutionPlan plan = ExecutionPlan.record(sd, ph, List.of(y.name())).plan()) {
      assertThat(plan.kernels()).containsOnlyKeys("fused layer_norm (Vector API)");
      assertThat(plan.numOps()).isEqualTo(1);
      INDArray fusedY = plan.run(ph).get(y.name());
      assertThat(fusedY.sub(stockY).amaxNumber().doubleValue()).isLessThan(1e-5);
    }
    List<String> params = List.of("n.weight", "n.bias");
    OutAndGrad stock = sd.calculateGradientsAndOutputs(ph, List.of("loss"), params);
    GradFunction.ensure(sd);
    SameDiff fn = sd.getFunction("grad");
    try {
      OutAndGrad fused = ReusingGradients.calculate(sd, ph, List.of("loss"), params);
      for (String n : params) {
        assertThat(fused.getGradients().get(n).sub(stock.getGradients().get(n)).amaxNumber().doubleValue()).as(n)
            .isLessThan(2e-5);
      }
    } finally {
      ExecutionPlans.forget(fn);
    }
  }
}
