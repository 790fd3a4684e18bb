package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract of {@code ./maect cluster-metrics}; expected values from scikit-learn 1.2.1. */
class ClusterMetricsCommandTest {
  @TempDir Path tmp;

  @Test
  void writesScikitLearnScoresAsJson() throws Exception {
    Path l = Files.writeString(tmp.resolve("l.txt"), "0\n0\n1\n1\n2\n2\n2\n");
    Path c = Files.writeString(tmp.resolve("c.txt"), "5\n5\n5\n9\n9\n9\n1\n");
    Path e = Files.writeString(tmp.resolve("e.csv"), "0,1\n0.1,1\n0.2,0.9\n1,0\n1,0.1\n0.9,0.2\n-1,-1\n");
    Path out = tmp.resolve("m.json");
    int rc = MaectCli.execute("cluster-metrics", "--labels", l.toString(), "--clusters", c.toString(),
        "--embeddings", e.toString(), "--json", out.toString());
    assertThat(rc).isZero();
    JsonNode j = new ObjectMapper().readTree(out.toFile());
    // sklearn: normalized_mutual_info_score, adjusted_mutual_info_score, adjusted_rand_score, silhouette_score
    assertThat(j.get("cluster_acc").asDouble()).isCloseTo(4.0 / 7, within(1e-12));
    assertThat(j.get("nmi").asDouble()).isCloseTo(0.5120965390369826, within(1e-9));
    assertThat(j.get("ami").asDouble()).isCloseTo(0.19129244130040407, within(1e-9));
    assertThat(j.get("ari").asDouble()).isCloseTo(0.14035087719298245, within(1e-9));
    assertThat(j.get("silhouette").get("cosine").asDouble()).isCloseTo(0.8439210462188294, within(1e-9));
    assertThat(j.get("silhouette").get("euclidean").asDouble()).isCloseTo(0.7475159407754133, within(1e-9));
  }

  @Test
  void mismatchedLengthsFailWithAClearMessage() throws Exception {
    Path l = Files.writeString(tmp.resolve("l.txt"), "0\n1\n");
    Path c = Files.writeString(tmp.resolve("c.txt"), "0\n");
    int rc = MaectCli.execute("cluster-metrics", "--labels", l.toString(), "--clusters", c.toString());
    assertThat(rc).isEqualTo(1);
    Path bad = Files.writeString(tmp.resolve("bad.txt"), "0\nx\n");
    assertThat(MaectCli.execute("cluster-metrics", "--labels", bad.toString(), "--clusters", l.toString()))
        .isEqualTo(1);
  }
}
