package org.maect.samediff.mae;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.maect.core.config.MaePretrainConfig;
import org.nd4j.linalg.api.buffer.DataType;

class MaePretrainerTest {

  /**
   * Every trainable MAE tensor, by name: the decayed ones listed by hand from facebookresearch/mae
   * ({@code add_weight_decay} without skip list: the weights of Linear/conv layers and the two [1, 1, D] tokens);
   * all others (biases, LayerNorm weights) undecayed; the sin-cos position tables are not trained.
   */
  @Test
  void exactlyTheMatricesAndTokensGetWeightDecay() {
    MaeModel m = new MaeModel(MaeGoldenTest.CONFIG, DataType.FLOAT, 0); // encoder depth 2, decoder depth 1
    var adamw = MaePretrainer.adamW(MaePretrainConfig.of("fashion-mnist", MaeGoldenTest.CONFIG, 1, 8, 0), m);
    Set<String> decayed = new TreeSet<>();
    for (String n : m.parameters().keySet()) {
      double wd = adamw.settings(n).weightDecay();
      assertThat(wd).as(n).isIn(0.0, 0.05);
      if (wd > 0) decayed.add(n);
    }
    Set<String> expected = new TreeSet<>(Set.of("patch_embed.proj.weight", "cls_token", "decoder_embed.weight",
        "mask_token", "decoder_pred.weight"));
    for (String b : new String[] {"blocks.0", "blocks.1", "decoder_blocks.0"}) {
      for (String w : new String[] {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"}) expected.add(b + "." + w + ".weight");
    }
    assertThat(decayed).containsExactlyElementsOf(expected);
    assertThat(m.parameters()).doesNotContainKeys("pos_embed", "decoder_pos_embed");
    // undecayed: patch_embed bias; per block (3) 4 Linear biases + norm1/norm2 weight and bias; decoder_embed and
    // decoder_pred biases; norm and decoder_norm weight and bias
    assertThat(m.parameters().size() - decayed.size()).isEqualTo(1 + 3 * (4 + 4) + 2 + 4);
  }
}
