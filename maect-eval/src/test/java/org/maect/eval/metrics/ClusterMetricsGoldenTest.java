package org.maect.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

/** Cluster accuracy, NMI, AMI and ARI against scikit-learn/scipy to 1e-9 (deterministic metrics). */
class ClusterMetricsGoldenTest {

  @Test
  void everyFixtureCaseMatchesScikitLearnTo1e9() {
    JsonNode cases = Golden.load("cluster_metrics.json").get("cases");
    assertThat(cases.size()).isGreaterThan(10);
    for (JsonNode c : cases) {
      int[] y = Golden.ints(c.get("labels"));
      int[] k = Golden.ints(c.get("clusters"));
      ClusterMetrics m = ClusterMetrics.of(y, k);
      String name = c.get("name").asText();
      assertThat(m.clusterAcc()).as(name + " acc").isCloseTo(c.get("cluster_acc").asDouble(), within(1e-9));
      assertThat(m.nmi()).as(name + " nmi").isCloseTo(c.get("nmi").asDouble(), within(1e-9));
      assertThat(m.ami()).as(name + " ami").isCloseTo(c.get("ami").asDouble(), within(1e-9));
      assertThat(m.ari()).as(name + " ari").isCloseTo(c.get("ari").asDouble(), within(1e-9));
    }
  }

  @Test
  void clusterAccuracyIsInvariantToRelabellingAndOneForPerfectClustering() {
    int[] y = {5, 5, 9, 9, 9, -1};
    int[] c = {42, 42, 7, 7, 7, 0};
    assertThat(ClusterAccuracy.of(y, c)).isEqualTo(1.0);
    assertThat(MutualInformation.nmi(y, c)).isCloseTo(1.0, within(1e-12));
    assertThat(AdjustedRandIndex.of(y, c)).isEqualTo(1.0);
  }

  @Test
  void mismatchedOrEmptyLabelingsAreRejected() {
    assertThatThrownBy(() -> ClusterMetrics.of(new int[] {1, 2}, new int[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 true labels vs 1 predicted");
    assertThatThrownBy(() -> ClusterMetrics.of(new int[0], new int[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void expectedMutualInformationMatchesDirectSum() {
    check(300, 4, 6, 3);
    check(6000, 2, 3, 4); // wide hypergeometric supports (a, b ~ N/2): thousands of terms per cell
  }

  private static void check(int nPts, int classes, int clusters, long seed) {
    // Independent check of the mode-outwards walk: direct sum over the whole support (sklearn's formula).
    int[] y = new int[nPts], k = new int[nPts];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(classes);
      k[i] = r.nextInt(3) == 0 ? y[i] % clusters : r.nextInt(clusters);
    }
    ContingencyTable t = ContingencyTable.of(y, k);
    double[] lf = MutualInformation.logFactorials((int) t.n);
    double n = t.n, direct = 0;
    for (int i = 0; i < t.rows; i++) {
      for (int j = 0; j < t.cols; j++) {
        int a = (int) t.rowSums[i], b = (int) t.colSums[j];
        for (int x = Math.max(1, a + b - (int) n); x <= Math.min(a, b); x++) {
          double gln = lf[a] + lf[b] + lf[(int) n - a] + lf[(int) n - b] - lf[(int) n] - lf[x] - lf[a - x]
              - lf[b - x] - lf[(int) n - a - b + x];
          direct += x / n * (Math.log(n) + Math.log(x) - Math.log(a) - Math.log(b)) * Math.exp(gln);
        }
      }
    }
    // Each direct term is exp(difference of log-factorials of size ~N log N): relative error ~ulp(N log N)
    // ~1e-11 for N = 6000 (sklearn's sum has the same floor). Measured difference: 9e-12 relative.
    assertThat(MutualInformation.expectedMutualInformation(t)).isCloseTo(direct, within(1e-10 * Math.abs(direct)));
  }
}
