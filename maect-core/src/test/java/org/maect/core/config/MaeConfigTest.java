package org.maect.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MaeConfigTest {

  @Test
  void paperPresetsHaveThePaperSizes() {
    // ViT-B/16: 86M parameters in the encoder (timm reports 85.8M without the classifier head)
    assertThat(ViTConfig.preset("vit_b16").parameterCount()).isBetween(85_000_000L, 86_500_000L);
    assertThat(ViTConfig.preset("vit_l16").parameterCount()).isBetween(303_000_000L, 305_000_000L);
    assertThat(ViTConfig.preset("VIT_H14").numPatches()).isEqualTo(256);
    assertThat(MaeConfig.preset("vit_b16").numKeep()).isEqualTo(49); // int(196 * 0.25)
    assertThat(MaeConfig.preset("vit_h16").decoderDim()).isEqualTo(512);
    assertThat(MaeConfig.preset("cpu28").encoder().numPatches()).isEqualTo(49);
    assertThat(MaeConfig.preset("cpu28").numKeep()).isEqualTo(12);
  }

  @Test
  void invalidArgumentsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> new ViTConfig(28, 5, 1, 64, 2, 4, 4.0)).hasMessageContaining("patchSize 5");
    assertThatThrownBy(() -> new ViTConfig(28, 4, 1, 66, 2, 4, 4.0)).hasMessageContaining("heads 4");
    assertThatThrownBy(() -> new MaeConfig(ViTConfig.CPU28, 64, 1, 4, 1.0, true)).hasMessageContaining("maskRatio");
    assertThatThrownBy(() -> new MaeConfig(ViTConfig.CPU28, 64, 1, 4, 0.0, true)).hasMessageContaining("maskRatio");
    assertThatThrownBy(() -> new MaeConfig(ViTConfig.CPU28, 60, 1, 8, 0.75, true)).hasMessageContaining("decoderHeads");
    assertThatThrownBy(() -> MaeConfig.preset("vit_x")).hasMessageContaining("cpu28");
  }

  @Test
  void jsonRoundTrip() throws Exception {
    ObjectMapper om = new ObjectMapper();
    String json = om.writeValueAsString(MaeConfig.CPU28);
    assertThat(om.readValue(json, MaeConfig.class)).isEqualTo(MaeConfig.CPU28);
  }
}
