package org.maect.samediff.mae;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.maect.core.config.MaePretrainConfig;
import org.nd4j.linalg.api.buffer.DataType;

class MaePretrainerTest {

  @Test
  void weightDecayFollowsMaeAddWeightDecay() {
    MaeModel m = new MaeModel(MaeGoldenTest.CONFIG, DataType.FLOAT, 0);
    var adamw = MaePretrainer.adamW(MaePretrainConfig.of("fashion-mnist", MaeGoldenTest.CONFIG, 1, 8, 0), m);
    // timm add_weight_decay: ndim <= 1 or *.bias -> no decay; everything else (incl. [1,1,D] tokens) decays
    for (String n : new String[] {"blocks.0.norm1.weight", "norm.bias", "decoder_pred.bias", "decoder_norm.weight"}) {
      assertThat(adamw.settings(n).weightDecay()).as(n).isZero();
    }
    for (String n : new String[] {"blocks.0.attn.qkv.weight", "patch_embed.proj.weight", "cls_token", "mask_token"}) {
      assertThat(adamw.settings(n).weightDecay()).as(n).isEqualTo(0.05);
    }
  }
}
