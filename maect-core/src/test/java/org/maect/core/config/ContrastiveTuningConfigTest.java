package org.maect.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ContrastiveTuningConfigTest {

  @Test
  void paperPresetsCarryTables7And8() {
    ContrastiveTuningConfig b = ContrastiveTuningConfig.paperBase();
    assertThat(b.batchSize()).isEqualTo(1024);
    assertThat(b.lrScale()).isEqualTo(8.0); // 1024 * 2 views / 256
    assertThat(b.headInit().baseLr()).isEqualTo(1e-4);
    assertThat(b.headInit().weightDecay()).isEqualTo(1e-5);
    assertThat(b.headInit().topK()).isEqualTo(1);
    assertThat(b.tuning().topK()).isEqualTo(20);
    assertThat(b.tuning().layerDecay()).isEqualTo(0.65);
    assertThat(b.tuning().encoderWeightDecay()).isEqualTo(0.05);
    assertThat(b.tuning().encoderEma()).isEqualTo(0.9999);
    assertThat(b.tuning().frozenBlocks(12)).isEqualTo(6);
    assertThat(b.head().pooling()).isEqualTo(NnclrHeadConfig.Pooling.MEAN_PATCH);
    assertThat(b.head().temperature()).isEqualTo(0.15);
    assertThat(ContrastiveTuningConfig.paperLarge().head().temperature()).isEqualTo(0.2);
    assertThat(ContrastiveTuningConfig.paperLarge().tuning().frozenBlocks(24)).isEqualTo(12);
    ContrastiveTuningConfig h = ContrastiveTuningConfig.paperHuge();
    assertThat(h.batchSize()).isEqualTo(512);
    assertThat(h.tuning().epochs()).isEqualTo(30);
    assertThat(h.head().temperature()).isEqualTo(0.3);
    assertThat(h.head().targetFactor()).isEqualTo(0.995);
    assertThat(h.tuning().frozenBlocks(32)).isEqualTo(16);
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    ObjectMapper om = new ObjectMapper();
    ContrastiveTuningConfig c = ContrastiveTuningConfig.cpu();
    assertThat(om.readValue(om.writeValueAsString(c), ContrastiveTuningConfig.class)).isEqualTo(c);
  }

  @Test
  void rejectsBadValuesWithTheirName() {
    assertThatThrownBy(() -> ContrastiveTuningConfig.cpu().withBatchSize(1)).hasMessageContaining("batchSize");
    assertThatThrownBy(() -> NnclrHeadConfig.cpu().withQueueSize(0)).hasMessageContaining("queueSize");
    assertThatThrownBy(() -> ContrastiveTuningConfig.cpu().withHead(NnclrHeadConfig.cpu().withQueueSize(32)))
        .hasMessageContaining("queueSize 32 is smaller than batchSize 64");
    assertThatThrownBy(() -> new ContrastiveTuningConfig.Tuning(1, 0, 1e-4, 0.05, 1.5, -1, 1e-4, 0, 20, 0.99))
        .hasMessageContaining("layerDecay");
    assertThatThrownBy(() -> new ContrastiveTuningConfig.Tuning(1, 0, 1e-4, 0.05, 0.65, 5, 1e-4, 0, 20, 0.99)
        .frozenBlocks(4)).hasMessageContaining("exceeds the encoder depth 4");
  }

  @Test
  void presetsByName() {
    assertThat(ContrastiveTuningConfig.preset("cpu")).isEqualTo(ContrastiveTuningConfig.cpu());
    assertThatThrownBy(() -> ContrastiveTuningConfig.preset("tiny")).hasMessageContaining("known: paper-base");
  }
}
