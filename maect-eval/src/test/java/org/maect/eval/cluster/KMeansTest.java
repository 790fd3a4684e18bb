package org.maect.eval.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;
import org.maect.eval.metrics.ClusterAccuracy;

/** Mini-batch k-means on separated blobs against scikit-learn's full k-means (tools/golden/eval_fixtures.py). */
class KMeansTest {

  @Test
  void recoversSeparatedBlobsWithSklearnInertia() {
    JsonNode g = Golden.load("kmeans.json");
    float[][] x = Golden.floats2(g.get("x"));
    int[] y = Golden.ints(g.get("labels"));
    int k = g.get("k").asInt();
    KMeansConfig cfg = new KMeansConfig(k, 5, 100, 100, 10, 0.01, 0, false, 42L);
    KMeansResult r = KMeans.fit(cfg, x);
    assertThat(ClusterAccuracy.of(y, r.labels())).isEqualTo(g.get("sklearn_cluster_acc").asDouble());
    // mini-batch centres are running means: within 1% of Lloyd's optimum on these tight blobs
    double opt = g.get("sklearn_kmeans_inertia").asDouble();
    assertThat(r.inertia()).isBetween(opt * (1 - 1e-9), opt * 1.01);
    assertThat(r.restartInertias()).hasSize(5).contains(r.inertia());
    for (double v : r.restartInertias()) assertThat(v).isGreaterThanOrEqualTo(r.inertia());
  }

  @Test
  void standardisationMakesScaleIrrelevant() {
    JsonNode g = Golden.load("kmeans.json");
    float[][] x = Golden.floats2(g.get("x"));
    int[] y = Golden.ints(g.get("labels"));
    for (float[] row : x) row[0] *= 1000f; // one huge column would dominate without standardisation
    KMeansResult r = KMeans.fit(KMeansConfig.of(g.get("k").asInt(), 5, 1L), x);
    assertThat(ClusterAccuracy.of(y, r.labels())).isGreaterThan(0.99);
  }

  @Test
  void fewerSamplesThanClustersIsRejected() {
    float[][] x = {{1, 2}, {3, 4}};
    assertThatThrownBy(() -> KMeans.fit(KMeansConfig.of(3, 1, 0L), x))
        .hasMessageContaining("k = 3 clusters but only 2 samples");
    assertThatThrownBy(() -> KMeansConfig.of(-1, 1, 0L)).hasMessageContaining("Invalid number of clusters");
  }

  @Test
  void standardizerMatchesDefinition() {
    float[][] x = {{1, 5}, {3, 5}, {5, 5}};
    Standardizer s = Standardizer.fit(x);
    assertThat(s.mean()).containsExactly(3, 5);
    assertThat(s.scale()[0]).isEqualTo(Math.sqrt(8.0 / 3));
    assertThat(s.scale()[1]).isEqualTo(1.0); // constant column: centred only
  }
}
