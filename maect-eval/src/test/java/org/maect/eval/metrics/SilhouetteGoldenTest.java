package org.maect.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

/** Silhouette (cosine and euclidean) against scikit-learn's silhouette_score, incl. a singleton cluster. */
class SilhouetteGoldenTest {

  @Test
  void matchesScikitLearnTo1e9() {
    for (JsonNode c : Golden.load("silhouette.json").get("cases")) {
      float[][] x = Golden.floats2(c.get("x"));
      int[] y = Golden.ints(c.get("labels"));
      String name = c.get("name").asText();
      assertThat(Silhouette.score(x, y, Silhouette.Metric.COSINE))
          .as(name + " cosine")
          .isCloseTo(c.get("cosine").asDouble(), within(1e-9));
      assertThat(Silhouette.score(x, y, Silhouette.Metric.EUCLIDEAN))
          .as(name + " euclidean")
          .isCloseTo(c.get("euclidean").asDouble(), within(1e-9));
    }
  }

  @Test
  void sampledScoreIsCloseToFullScore() {
    JsonNode c = Golden.load("silhouette.json").get("cases").get(1);
    float[][] x = Golden.floats2(c.get("x"));
    int[] y = Golden.ints(c.get("labels"));
    double full = Silhouette.score(x, y, Silhouette.Metric.EUCLIDEAN);
    double sampled = Silhouette.score(x, y, Silhouette.Metric.EUCLIDEAN, 150, 7L);
    assertThat(sampled).isCloseTo(full, within(0.1));
  }

  @Test
  void singleClusterIsRejected() {
    float[][] x = {{1, 0}, {0, 1}, {1, 1}};
    assertThatThrownBy(() -> Silhouette.score(x, new int[] {3, 3, 3}, Silhouette.Metric.COSINE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 <= #clusters");
  }
}
