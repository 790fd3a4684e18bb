package org.maect.eval.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

/** Weighted k-NN against a numpy transcription of DINO's eval_knn.py (tools/golden/eval_fixtures.py). */
class WeightedKnnTest {

  @Test
  void accuracyForSeveralKMatchesDinoReference() {
    JsonNode g = Golden.load("knn.json");
    int[] ks = Golden.ints(g.get("ks"));
    float[][] xtr = Golden.floats2(g.get("train_x")), xte = Golden.floats2(g.get("test_x"));
    int[] ytr = Golden.ints(g.get("train_y")), yte = Golden.ints(g.get("test_y"));
    // Small blocks so the test crosses train-block and query-block boundaries.
    KnnConfig cfg = new KnnConfig(ks, g.get("T").asDouble(), 8, 100);
    Map<Integer, Double> acc = WeightedKnn.accuracy(cfg, xtr, ytr, xte, yte);
    for (int k : ks) {
      // float32 sums in another order may flip a near-tie: allow one test sample (1/300).
      assertThat(acc.get(k)).as("k=" + k).isCloseTo(g.get("accuracy").get(String.valueOf(k)).asDouble(), within(1.0 / 300 + 1e-12));
    }
  }

  @Test
  void neighboursAreExactAndTiesGoToTheLowerIndex() {
    float[][] train = {{1, 0}, {0, 1}, {2, 0}, {1, 1}, {-1, 0}};
    float[][] q = {{1, 0}};
    Neighbours nb = NeighbourSearch.search(train, q, 4, 4, 64);
    assertThat(nb.index()[0]).containsExactly(0, 2, 3, 1); // 0 and 2 tie at sim 1
    assertThat(nb.similarity()[0][2]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
  }

  @Test
  void badInputIsRejectedClearly() {
    float[][] tr = {{1, 0}, {0, 1}};
    KnnConfig cfg = KnnConfig.of(new int[] {3}, 0.07);
    assertThatThrownBy(() -> WeightedKnn.accuracy(cfg, tr, new int[] {0, 1}, tr, new int[] {0, 1}))
        .hasMessageContaining("k = 3 but there are only 2 training samples");
    assertThatThrownBy(() -> WeightedKnn.accuracy(cfg, tr, new int[] {0}, tr, new int[] {0, 1}))
        .hasMessageContaining("train features has 2 rows but train labels has 1");
    assertThatThrownBy(() -> WeightedKnn.accuracy(KnnConfig.of(new int[] {1}, 0.07), tr, new int[] {0, 1}, tr, new int[] {0, 5}))
        .hasMessageContaining("test label 5");
    float[][] nan = {{1, Float.NaN}, {0, 1}};
    assertThatThrownBy(() -> WeightedKnn.accuracy(cfg, nan, new int[] {0, 1}, tr, new int[] {0, 1}))
        .hasMessageContaining("NaN at row 0, column 1");
    assertThatThrownBy(() -> KnnConfig.of(new int[] {0}, 0.07)).hasMessageContaining("Invalid k");
  }
}
