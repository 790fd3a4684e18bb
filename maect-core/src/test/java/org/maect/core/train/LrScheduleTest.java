package org.maect.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.maect.core.config.OptimConfig;

class LrScheduleTest {

  @Test
  void warmupThenHalfCosineMatchesHandDerivedValues() {
    // peak 1, end 0.1, 4 warm-up steps of 12: cosine over 8 steps.
    LrSchedule s = new LrSchedule(1.0, 0.1, 4, 12);
    assertThat(s.lr(0)).isEqualTo(0.0);
    assertThat(s.lr(1)).isCloseTo(0.25, within(1e-15));
    assertThat(s.lr(2)).isCloseTo(0.5, within(1e-15));
    assertThat(s.lr(4)).isCloseTo(1.0, within(1e-15));
    assertThat(s.lr(6)).isCloseTo(0.1 + 0.45 * (1 + Math.sqrt(0.5)), within(1e-12)); // 0.868198
    assertThat(s.lr(8)).isCloseTo(0.55, within(1e-12));
    assertThat(s.lr(10)).isCloseTo(0.1 + 0.45 * (1 - Math.sqrt(0.5)), within(1e-12)); // 0.231802
    assertThat(s.lr(12)).isEqualTo(0.1);
    assertThat(s.lr(100)).isEqualTo(0.1);
  }

  @Test
  void noWarmupStartsAtPeak() {
    LrSchedule s = new LrSchedule(2.0, 0.0, 0, 10);
    assertThat(s.lr(0)).isEqualTo(2.0);
    assertThat(s.lr(5)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void fromConfigUsesScalingRuleAndWarmup() {
    OptimConfig c = OptimConfig.contrastive(1e-4, 10, 256); // warm-up 20%
    LrSchedule s = LrSchedule.of(c, 50, 2);
    assertThat(s.peakLr()).isCloseTo(2e-4, within(1e-18));
    assertThat(s.warmupSteps()).isEqualTo(100);
    assertThat(s.totalSteps()).isEqualTo(500);
    assertThat(s.lr(50)).isCloseTo(1e-4, within(1e-18));
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new LrSchedule(1, 0, 11, 10)).hasMessageContaining("warmupSteps 11");
    assertThatThrownBy(() -> new LrSchedule(1, 0, 0, 10).lr(-1)).hasMessageContaining("step");
  }
}
