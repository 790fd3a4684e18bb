package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.samediff.optim.AdamW;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One contrastive-tuning head step against PyTorch ({@code tools/golden/nnclr_reference.py}, float64):
 * target projections, top-k neighbours with fixed dice and self-exclusion, loss, gradients, AdamW update,
 * running statistics, target EMA and the queue after the enqueue.
 *
 * <p>Tolerance: the Java queue is float32 (the reference float64), so neighbours differ by ~1e-8 relative;
 * values are compared with {@code |a - b| <= 1e-6 + 1e-5 |b|}.
 */
class NnclrGoldenTest {

  static final double ATOL = 1e-6;
  static final double RTOL = 1e-5;

  JsonNode fx;
  JsonNode cfgNode;
  NnclrHeadConfig cfg;

  @BeforeEach
  void load() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/golden/nnclr/ct_head_step.json")) {
      fx = new ObjectMapper().readTree(in);
    }
    cfgNode = fx.get("config");
    cfg = new NnclrHeadConfig(NnclrHeadConfig.Pooling.MEAN_PATCH, cfgNode.get("projHidden").asInt(),
        cfgNode.get("predHidden").asInt(), cfgNode.get("out").asInt(), cfgNode.get("queueSize").asInt(),
        cfgNode.get("temperature").asDouble(), cfgNode.get("targetFactor").asDouble(),
        cfgNode.get("bnEps").asDouble(), cfgNode.get("bnMomentum").asDouble());
  }

  static INDArray arr(JsonNode n) {
    long[] shape = new long[n.get("shape").size()];
    for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asLong();
    double[] d = new double[n.get("data").size()];
    for (int i = 0; i < d.length; i++) d[i] = n.get("data").get(i).asDouble();
    return Nd4j.create(d, shape, DataType.DOUBLE);
  }

  static Map<String, INDArray> arrays(JsonNode obj) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), arr(e.getValue()));
    }
    return m;
  }

  static long[] longs(JsonNode n) {
    long[] v = new long[n.size()];
    for (int i = 0; i < v.length; i++) v[i] = n.get(i).asLong();
    return v;
  }

  static int[] ints(JsonNode n) {
    int[] v = new int[n.size()];
    for (int i = 0; i < v.length; i++) v[i] = n.get(i).asInt();
    return v;
  }

  static void assertClose(String what, INDArray actual, INDArray expected) {
    assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
    double[] a = actual.castTo(DataType.DOUBLE).dup().data().asDouble();
    double[] b = expected.dup().data().asDouble();
    for (int i = 0; i < a.length; i++) {
      assertThat(Math.abs(a[i] - b[i])).as("%s[%d]: %s vs %s", what, i, a[i], b[i])
          .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(b[i]));
    }
  }

  NnQueue queue() {
    float[] v = NnQueue.toFloats(arr(fx.get("queue")));
    return new NnQueue(v, longs(fx.get("queueIds")), ints(fx.get("queueLabels")), fx.get("queuePtr").asInt());
  }

  NnclrStep step() {
    NnclrModel model = NnclrModel.onPooled(cfgNode.get("E").asInt(), cfg, DataType.DOUBLE,
        arrays(fx.get("state0")), true);
    return new NnclrStep(model, queue(), cfgNode.get("topK").asInt(), true, cfg.targetFactor());
  }

  NnclrStep.Output forward(NnclrStep s) {
    int b = cfgNode.get("B").asInt();
    return s.forwardBackward(Map.of(NnclrModel.POOLED, arr(fx.get("pooled"))), b, longs(fx.get("ids")),
        ints(fx.get("labels")), ints(fx.get("dice").get(0)), ints(fx.get("dice").get(1)));
  }

  @Test
  void neighboursLossAndGradientsMatchPyTorch() {
    NnclrStep s = step();
    JsonNode exp = fx.get("expected");
    Map<String, INDArray> ph = Map.of(NnclrModel.POOLED, arr(fx.get("pooled")));
    assertClose("target projected",
        s.model().sameDiff().output(ph, NnclrModel.TARGET_PROJECTED).get(NnclrModel.TARGET_PROJECTED),
        arr(exp.get("targetProjected")));
    NnclrStep.Output out = forward(s);
    assertThat(out.indices0()).containsExactly(ints(exp.get("idx0")));
    assertThat(out.indices1()).containsExactly(ints(exp.get("idx1")));
    assertThat(out.nnAccuracy()).isEqualTo(exp.get("nnAccuracy").asDouble());
    assertThat(out.loss()).isCloseTo(exp.get("loss").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
    Map<String, INDArray> expGrads = arrays(exp.get("grads"));
    assertThat(out.gradients().keySet()).containsExactlyInAnyOrderElementsOf(expGrads.keySet());
    for (Map.Entry<String, INDArray> e : expGrads.entrySet()) {
      assertClose("grad " + e.getKey(), out.gradients().get(e.getKey()), e.getValue());
    }
  }

  @Test
  void adamWStepRunningStatsTargetEmaAndQueueMatchPyTorch() {
    NnclrStep s = step();
    NnclrStep.Output out = forward(s);
    Map<String, INDArray> params = s.model().trainable();
    AdamW adam = new AdamW(cfgNode.get("betas").get(0).asDouble(), cfgNode.get("betas").get(1).asDouble(),
        cfgNode.get("adamEps").asDouble(), cfgNode.get("weightDecay").asDouble(), List.of(),
        AdamW.DEFAULT_NO_DECAY.or(NnclrHead.noWeightDecay(params)));
    adam.step(params, out.gradients(), cfgNode.get("lr").asDouble());
    s.afterUpdate();
    JsonNode exp = fx.get("expected");
    Map<String, INDArray> state = s.model().headArrays();
    Map<String, INDArray> expState = arrays(exp.get("state1"));
    assertThat(state.keySet()).containsExactlyInAnyOrderElementsOf(expState.keySet());
    for (Map.Entry<String, INDArray> e : expState.entrySet()) {
      assertClose("after step " + e.getKey(), state.get(e.getKey()), e.getValue());
    }
    NnQueue q = s.queue();
    assertThat(q.pointer()).isEqualTo(exp.get("queuePtr").asInt());
    assertThat(q.idsCopy()).containsExactly(longs(exp.get("queueIds")));
    assertThat(q.labelsCopy()).containsExactly(ints(exp.get("queueLabels")));
    assertClose("queue", Nd4j.create(q.vectorsCopy()).castTo(DataType.DOUBLE),
        arr(exp.get("queue")).reshape(-1));
    // the graph sees the updated (in place) target weights
    Map<String, INDArray> ph = Map.of(NnclrModel.POOLED, arr(fx.get("pooled")));
    INDArray before = arr(exp.get("targetProjected"));
    INDArray after = s.model().sameDiff().output(ph, NnclrModel.TARGET_PROJECTED).get(NnclrModel.TARGET_PROJECTED);
    assertThat(after.sub(before).amaxNumber().doubleValue()).isGreaterThan(1e-6);
  }
}
