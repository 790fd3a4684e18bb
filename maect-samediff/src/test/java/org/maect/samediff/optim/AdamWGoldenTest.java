package org.maect.samediff.optim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW against torch.optim.AdamW (fixture: tools/golden/adamw_fixture.py). Two groups (lr scale 1 with decay
 * 0.05, lr scale 0.5 without decay), 6 steps with a varying base lr starting at 0, eps 1e-8 and 1e-3.
 * Tolerance |a - b| <= 1e-6 + 1e-5 |b|: float32 state, a few ulps per step after 6 steps.
 */
class AdamWGoldenTest {
  private static final double ATOL = 1e-6;
  private static final double RTOL = 1e-5;

  @Test
  void matchesTorchAdamWWithTwoGroupsOverSixSteps() throws Exception {
    check(DataType.FLOAT); // one-pass Java update on native buffers
  }

  @Test
  void nativeKernelPathMatchesTorchToo() throws Exception {
    check(DataType.DOUBLE); // libnd4j adam_updater + axpy (parameters held in DOUBLE)
  }

  private void check(DataType dt) throws Exception {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/golden/adamw/adamw.json")) {
      root = new ObjectMapper().readTree(in);
    }
    double b1 = root.get("betas").get(0).asDouble();
    double b2 = root.get("betas").get(1).asDouble();
    List<ParamGroup> groups = new ArrayList<>();
    root.get("groups").fields().forEachRemaining(e -> {
      List<String> names = new ArrayList<>();
      e.getValue().get("names").forEach(n -> names.add(n.asText()));
      groups.add(new ParamGroup(e.getKey(), names::contains, e.getValue().get("lr_scale").asDouble(),
          e.getValue().get("weight_decay").asDouble()));
    });
    for (JsonNode c : root.get("cases")) {
      // Group "nodecay" already has wd 0; the default no-decay rule also excludes its names.
      AdamW opt = new AdamW(b1, b2, c.get("eps").asDouble(), 0.05, groups, AdamW.DEFAULT_NO_DECAY);
      Map<String, INDArray> params = new LinkedHashMap<>();
      c.get("shapes").fields().forEachRemaining(e -> params.put(e.getKey(),
          Nd4j.create(floats(c.get("init").get(e.getKey())), longs(e.getValue()), 'c').castTo(dt)));
      int s = 0;
      for (JsonNode g : c.get("grads")) {
        Map<String, INDArray> grads = new LinkedHashMap<>();
        g.fields().forEachRemaining(e -> grads.put(e.getKey(),
            Nd4j.create(floats(e.getValue()), params.get(e.getKey()).shape(), 'c').castTo(dt)));
        opt.step(params, grads, root.get("base_lr").get(s++).asDouble());
      }
      for (String n : params.keySet()) {
        assertClose("eps " + c.get("eps") + " param " + n, params.get(n), c.get("expected").get(n));
        assertClose("eps " + c.get("eps") + " m " + n, opt.slot(n).m(), c.get("expected_m").get(n));
        assertClose("eps " + c.get("eps") + " v " + n, opt.slot(n).v(), c.get("expected_v").get(n));
        assertThat(opt.slot(n).count()).isEqualTo(6);
        assertThat(opt.onJavaPath(n)).as(n + " on the Java path").isEqualTo(dt == DataType.FLOAT);
      }
    }
  }

  @Test
  void sameDiffVariablesAndGradientsTakeTheFastPath() {
    org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
    var x = sd.placeHolder("x", DataType.FLOAT, -1, 4);
    var w = sd.var("fc.weight", Nd4j.rand(DataType.FLOAT, 4, 3));
    sd.mean("loss", x.mmul(w).mul(x.mmul(w)));
    sd.setLossVariables("loss");
    Map<String, INDArray> g = sd.calculateGradients(Map.of("x", Nd4j.rand(DataType.FLOAT, 5, 4)), "fc.weight");
    AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.05, List.of(), AdamW.DEFAULT_NO_DECAY);
    INDArray before = sd.getArrForVarName("fc.weight").dup();
    opt.step(Map.of("fc.weight", sd.getArrForVarName("fc.weight")), g, 1e-2);
    assertThat(opt.onJavaPath("fc.weight")).isTrue();
    // first Adam step moves each weight by ~lr (sign of the gradient), after decay 1 - 1e-2 * 0.05
    INDArray delta = sd.getArrForVarName("fc.weight").sub(before.mul(1 - 5e-4));
    assertThat(Math.abs(delta.getDouble(0, 0))).isCloseTo(1e-2, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void defaultRuleExcludesBiasNormAndTokensFromDecay() {
    AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.05, List.of(), AdamW.DEFAULT_NO_DECAY);
    for (String n : List.of("blocks.0.attn.qkv.bias", "blocks.3.norm1.weight", "norm.weight", "decoder_norm.bias",
        "projector.bn1.weight", "cls_token", "pos_embed", "mask_token", "decoder_pos_embed")) {
      assertThat(opt.settings(n).weightDecay()).as(n).isZero();
    }
    for (String n : List.of("blocks.0.attn.qkv.weight", "patch_embed.proj.weight", "decoder_pred.weight",
        "projector.linear1.weight")) {
      assertThat(opt.settings(n).weightDecay()).as(n).isEqualTo(0.05);
    }
  }

  @Test
  void zeroLearningRateLeavesParametersButAdvancesMoments() {
    AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.05, List.of(), AdamW.DEFAULT_NO_DECAY);
    INDArray p = Nd4j.createFromArray(1f, -2f, 3f);
    INDArray before = p.dup();
    opt.step(Map.of("w", p), Map.of("w", Nd4j.createFromArray(0.5f, 0.5f, -1f)), 0.0);
    assertThat(p).isEqualTo(before);
    // m = (1 - b1) g
    assertThat(opt.slot("w").m().getDouble(2)).isCloseTo(-0.1, org.assertj.core.data.Offset.offset(1e-7));
  }

  static void assertClose(String what, INDArray actual, JsonNode expected) {
    double[] a = actual.dup('c').data().asDouble();
    assertThat(a.length).as(what + " length").isEqualTo(expected.size());
    for (int i = 0; i < a.length; i++) {
      double b = expected.get(i).asDouble();
      assertThat(Math.abs(a[i] - b)).as(what + "[" + i + "]: " + a[i] + " vs " + b)
          .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(b));
    }
  }

  static float[] floats(JsonNode a) {
    float[] f = new float[a.size()];
    for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
    return f;
  }

  static long[] longs(JsonNode a) {
    long[] l = new long[a.size()];
    for (int i = 0; i < l.length; i++) l[i] = a.get(i).asLong();
    return l;
  }
}
