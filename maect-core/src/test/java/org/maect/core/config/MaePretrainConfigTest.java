package org.maect.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaePretrainConfigTest {

  @Test
  void defaultBaseLrIsMaesForPaperPresetsAndTenTimesThatForCpuPresets() {
    assertThat(MaePretrainConfig.defaultBaseLr(MaeConfig.VIT_B16)).isEqualTo(1.5e-4);
    assertThat(MaePretrainConfig.defaultBaseLr(MaeConfig.VIT_H14)).isEqualTo(1.5e-4);
    assertThat(MaePretrainConfig.defaultBaseLr(MaeConfig.CPU28)).isEqualTo(1.5e-3);
    assertThat(MaePretrainConfig.defaultBaseLr(MaeConfig.CPU32)).isEqualTo(1.5e-3);
    // a custom model is not a CPU preset: MAE's value
    MaeConfig custom = new MaeConfig(ViTConfig.CPU28, 32, 1, 4, 0.75, true);
    assertThat(MaePretrainConfig.defaultBaseLr(custom)).isEqualTo(1.5e-4);
  }

  @Test
  void ofUsesThePresetDefault() {
    assertThat(MaePretrainConfig.of("fashion-mnist", MaeConfig.CPU28, 1, 256, 0).optim().baseLr()).isEqualTo(1.5e-3);
    assertThat(MaePretrainConfig.of("imagenet", MaeConfig.VIT_B16, 800, 4096, 0).optim().peakLr(1))
        .isCloseTo(2.4e-3, org.assertj.core.data.Offset.offset(1e-15)); // 1.5e-4 * 4096 / 256
  }
}
