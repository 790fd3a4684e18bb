package org.maect.samediff.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.maect.core.train.LayerwiseLrDecay;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ParamGroupTest {

  @Test
  void layerwiseGroupsGiveDecayScalesAndKeepNoDecayRule() {
    List<ParamGroup> groups = new ArrayList<>(ParamGroup.layerwise(new LayerwiseLrDecay(4, 0.5), 0.05));
    AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.05, groups, AdamW.DEFAULT_NO_DECAY);
    assertThat(opt.settings("blocks.3.mlp.fc1.weight").lrScale()).isEqualTo(0.5);
    assertThat(opt.settings("blocks.0.mlp.fc1.weight").lrScale()).isEqualTo(0.0625);
    assertThat(opt.settings("patch_embed.proj.weight").lrScale()).isEqualTo(0.03125);
    assertThat(opt.settings("norm.weight").lrScale()).isEqualTo(1.0);
    assertThat(opt.settings("blocks.3.mlp.fc1.weight").weightDecay()).isEqualTo(0.05);
    assertThat(opt.settings("blocks.3.mlp.fc1.bias").weightDecay()).isZero();
    assertThat(opt.settings("blocks.3.mlp.fc1.bias").group()).isEqualTo("blocks.3");
  }

  @Test
  void firstMatchingGroupWinsAndScalesTheStep() {
    // head at 10x the encoder lr: the very first Adam step moves each parameter by about lr * scale
    List<ParamGroup> groups = List.of(ParamGroup.prefix("projector.", 10.0, 0.0), ParamGroup.all(0.0));
    AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.0, groups, AdamW.DEFAULT_NO_DECAY);
    INDArray head = Nd4j.zeros(3);
    INDArray enc = Nd4j.zeros(3);
    Map<String, INDArray> params = Map.of("projector.linear1.weight", head, "blocks.0.attn.qkv.weight", enc);
    opt.step(params, Map.of("projector.linear1.weight", Nd4j.ones(3), "blocks.0.attn.qkv.weight", Nd4j.ones(3)),
        1e-3);
    assertThat(head.getDouble(0)).isCloseTo(-1e-2, within(1e-8));
    assertThat(enc.getDouble(0)).isCloseTo(-1e-3, within(1e-9));
  }
}
