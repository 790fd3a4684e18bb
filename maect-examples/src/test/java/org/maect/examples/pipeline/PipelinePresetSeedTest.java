package org.maect.examples.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.maect.core.train.RunDirectory;

class PipelinePresetSeedTest {

  /** As the pipeline compares configurations (records holding arrays do not compare by value). */
  private static JsonNode json(PipelinePreset p) throws Exception {
    return RunDirectory.JSON.readTree(RunDirectory.JSON.writeValueAsString(p));
  }

  @Test
  void seedReachesEveryStageAndChangesNothingElse() throws Exception {
    PipelinePreset p = PipelinePreset.cpuSmall();
    assertThat(p.seed()).isZero();
    assertThat(json(p.withSeed(0))).isEqualTo(json(p)); // the presets' own seed: nothing else moves

    PipelinePreset s = p.withSeed(7);
    assertThat(s.seed()).isEqualTo(7);
    assertThat(s.mae().seed()).isEqualTo(7);
    assertThat(s.eval().seed()).isEqualTo(7);
    assertThat(s.eval().kmeans().seed()).isEqualTo(7);
    assertThat(json(s)).isNotEqualTo(json(p));
    assertThat(s.contrastive()).isEqualTo(p.contrastive());
    assertThat(json(s.withSeed(0))).isEqualTo(json(p));
  }
}
