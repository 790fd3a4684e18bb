package org.maect.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OptimConfigTest {

  @Test
  void linearScalingRuleCountsViews() {
    OptimConfig c = OptimConfig.maePretrain().withBatchSize(512);
    assertThat(c.peakLr(1)).isCloseTo(3e-4, within(1e-18));
    assertThat(c.peakLr(2)).isCloseTo(6e-4, within(1e-18));
  }

  @Test
  void warmupInEpochsOrFraction() {
    OptimConfig c = OptimConfig.maePretrain(); // 40 of 800 epochs
    assertThat(c.warmupSteps(100)).isEqualTo(4000);
    assertThat(c.totalSteps(100)).isEqualTo(80_000);
    assertThat(c.withWarmupFraction(0.2).warmupSteps(100)).isEqualTo(16_000);
    assertThat(c.withEpochs(20).warmupEpochs()).isEqualTo(20);
  }

  @Test
  void validatesFields() {
    OptimConfig c = OptimConfig.maePretrain();
    assertThatThrownBy(() -> c.withBaseLr(0)).hasMessageContaining("baseLr");
    assertThatThrownBy(() -> c.withBaseLr(Double.NaN)).hasMessageContaining("baseLr");
    assertThatThrownBy(() -> c.withWeightDecay(-1)).hasMessageContaining("weightDecay");
    assertThatThrownBy(() -> new OptimConfig(1e-4, 0, 0.05, 1.0, 0.95, 1e-8, 0, 0.2, 10, 8))
        .hasMessageContaining("beta1");
    assertThatThrownBy(() -> new OptimConfig(1e-4, 0, 0.05, 0.9, 0.95, 1e-8, 2, 0.2, 10, 8))
        .hasMessageContaining("either in epochs or as a fraction");
    assertThatThrownBy(() -> new OptimConfig(1e-4, 0, 0.05, 0.9, 0.95, 1e-8, 0, 0.2, 10, 0))
        .hasMessageContaining("batchSize");
  }

  @Test
  void jsonRoundTrip() throws Exception {
    ObjectMapper m = new ObjectMapper();
    OptimConfig c = OptimConfig.contrastive(1e-4, 30, 128);
    assertThat(m.readValue(m.writeValueAsString(c), OptimConfig.class)).isEqualTo(c);
  }
}
