package org.maect.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.maect.eval.cluster.KMeansConfig;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.lowshot.Lbfgs;
import org.maect.eval.lowshot.LowShotConfig;
import org.maect.eval.probe.LinearProbeConfig;

class EvaluatorTest {

  static EvalConfig small() {
    return new EvalConfig(
        KnnConfig.of(new int[] {5, 20}, 0.07),
        new LinearProbeConfig(new double[] {0.1, 0.03}, 10, 1, 64, 0.9, 1L),
        new LowShotConfig(new int[] {1, 2, 5}, 3, 0.00025, 1L, Lbfgs.Options.tight()),
        KMeansConfig.of(0, 3, 1L),
        0,
        1L);
  }

  @Test
  void producesTheJsonContractOnSeparableData() throws Exception {
    JsonNode g = Golden.load("knn.json");
    float[][] xtr = Golden.floats2(g.get("train_x")), xte = Golden.floats2(g.get("test_x"));
    int[] ytr = Golden.ints(g.get("train_y")), yte = Golden.ints(g.get("test_y"));
    EvalResult r = Evaluator.evaluate(small(), xtr, ytr, xte, yte);
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactly("knn", "linear_probe", "lowshot", "kmeans", "silhouette");
    assertThat(j.get("knn").get("20").asDouble()).isEqualTo(g.get("accuracy").get("20").asDouble());
    assertThat(j.get("linear_probe").asDouble()).isBetween(0.9, 1.0);
    assertThat(j.get("lowshot").get("5").asDouble()).isBetween(0.8, 1.0);
    assertThat(j.get("lowshot").get("1").asDouble()).isLessThanOrEqualTo(j.get("lowshot").get("5").asDouble() + 0.05);
    JsonNode km = j.get("kmeans");
    assertThat(km.get("k").asInt()).isEqualTo(6);
    assertThat(km.get("restarts").asInt()).isEqualTo(3);
    assertThat(km.get("cluster_acc").asDouble()).isBetween(0.5, 1.0);
    for (String f : new String[] {"inertia", "nmi", "ami", "ari"}) assertThat(km.has(f)).isTrue();
    assertThat(j.get("silhouette").get("cosine").asDouble()).isBetween(-1.0, 1.0);
    assertThat(j.get("silhouette").get("euclidean").asDouble()).isBetween(-1.0, 1.0);
    assertThat(r.kmeansLabels()).hasSize(xte.length);
    assertThat(r.toTable()).contains("k-NN k=20").contains("cluster acc");
  }

  @Test
  void skippedPartsAreLeftOutOfTheJson() throws Exception {
    float[][] x = {{1, 0}, {0, 1}, {1, 0.1f}, {0.1f, 1}};
    int[] y = {0, 1, 0, 1};
    EvalConfig c = new EvalConfig(KnnConfig.of(new int[] {1}, 0.07), null, null, null, -1, 0);
    JsonNode j = new ObjectMapper().readTree(Evaluator.evaluate(c, x, y, x, y).toJson());
    assertThat(j.size()).isEqualTo(1);
    assertThat(j.get("knn").get("1").asDouble()).isEqualTo(1.0);
  }

  @Test
  void badInputIsRejectedClearly() {
    float[][] x = {{1, 0}, {0, 1}};
    assertThatThrownBy(() -> Evaluator.evaluate(small(), x, new int[] {0, 1}, new float[][] {{1, 0, 0}}, new int[] {0}))
        .hasMessageContaining("train features have 2 columns but test features have 3");
    assertThatThrownBy(() -> Evaluator.evaluate(small(), x, new int[] {0, 1}, new float[][] {{Float.POSITIVE_INFINITY, 0}}, new int[] {0}))
        .hasMessageContaining("test features contains Infinity");
    assertThatThrownBy(() -> Evaluator.evaluate(small(), x, new int[] {0, 1}, x, new int[] {0, 2}))
        .hasMessageContaining("test label 2 (test row 1) does not occur in the training labels");
  }
}
