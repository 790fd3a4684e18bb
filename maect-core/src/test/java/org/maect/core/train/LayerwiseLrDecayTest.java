package org.maect.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LayerwiseLrDecayTest {
  private final LayerwiseLrDecay lrd = new LayerwiseLrDecay(12, 0.65);

  @Test
  void scalesFollowMaeLrDecay() {
    assertThat(lrd.scale("blocks.11.mlp.fc2.weight")).isCloseTo(0.65, within(1e-15));
    assertThat(lrd.scale("blocks.0.attn.qkv.bias")).isCloseTo(Math.pow(0.65, 12), within(1e-15));
    assertThat(lrd.scale("blocks.6.norm1.weight")).isCloseTo(Math.pow(0.65, 6), within(1e-15));
    for (String emb : new String[] {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"}) {
      assertThat(lrd.scale(emb)).as(emb).isCloseTo(Math.pow(0.65, 13), within(1e-15));
    }
    for (String top : new String[] {"norm.weight", "norm.bias", "projector.linear1.weight", "predictor.fc.bias"}) {
      assertThat(lrd.scale(top)).as(top).isEqualTo(1.0);
    }
    assertThat(lrd.layerId("decoder_blocks.0.mlp.fc1.weight")).isEqualTo(13);
  }

  @Test
  void rejectsBlockOutsideDepth() {
    assertThatThrownBy(() -> lrd.scale("blocks.12.norm1.weight")).hasMessageContaining("blocks.12.norm1.weight")
        .hasMessageContaining("depth 12");
    assertThatThrownBy(() -> new LayerwiseLrDecay(12, 1.5)).hasMessageContaining("decay");
  }
}
