package org.maect.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.OptimConfig;

class RunDirectoryTest {

  @Test
  void writesRunJsonAndAppendsMetricsLines(@TempDir Path tmp) throws Exception {
    try (RunDirectory rd = RunDirectory.open(tmp.resolve("run"))) {
      rd.writeRunJson("pretrain", 7, OptimConfig.maePretrain(), Map.of("steps", 10));
      rd.appendMetrics(Map.of("step", 1, "loss", 0.5));
      rd.appendMetrics(Map.of("step", 2, "loss", 0.25));
    }
    JsonNode run = RunDirectory.JSON.readTree(tmp.resolve("run/run.json").toFile());
    assertThat(run.get("seed").asLong()).isEqualTo(7);
    assertThat(run.get("config").get("beta2").asDouble()).isEqualTo(0.95);
    assertThat(run.get("versions").get("java").asText()).startsWith(System.getProperty("java.version"));
    assertThat(run.get("host").asText()).isNotEmpty();
    assertThat(run.get("steps").asInt()).isEqualTo(10);
    List<String> lines = Files.readAllLines(tmp.resolve("run/metrics.jsonl"));
    assertThat(lines).hasSize(2);
    assertThat(RunDirectory.JSON.readTree(lines.get(1)).get("loss").asDouble()).isEqualTo(0.25);
    assertThat(Files.isDirectory(tmp.resolve("run/checkpoints"))).isTrue();
  }

  @Test
  void atomicWriteFailureKeepsOldFileAndLeavesNoTemp(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("a.json");
    AtomicFiles.write(f, "old".getBytes());
    try {
      AtomicFiles.write(f, out -> {
        out.write("partial".getBytes());
        throw new java.io.IOException("boom");
      });
    } catch (java.io.IOException expected) {
      assertThat(expected).hasMessage("boom");
    }
    assertThat(Files.readString(f)).isEqualTo("old");
    try (var s = Files.list(tmp)) {
      assertThat(s.count()).isEqualTo(1);
    }
  }
}
