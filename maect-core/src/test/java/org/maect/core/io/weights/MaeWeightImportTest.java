package org.maect.core.io.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.io.weights.MaeKeyMapping.Layout;
import org.maect.core.io.weights.MaeWeightImport.ImportedMae;

class MaeWeightImportTest {
  @TempDir Path tmp;

  /** The fixture: 16x16x3, patch 4, width 16, 2 blocks x 2 heads, MLP 64; decoder 8 wide, 1 block x 2 heads. */
  private static final MaeArchitecture TINY = new MaeArchitecture(16, 4, 3, 16, 2, 2, 64, 8, 1, 2, 32, 1e-6, null);

  @Test
  void importsTheFacebookMaePthLayout() throws IOException {
    ImportedMae m = MaeWeightImport.load(Fixtures.golden("tiny_mae_timm.pth"), 2, 2);
    assertThat(m.layout()).isEqualTo(Layout.TIMM_MAE);
    assertThat(m.architecture()).isEqualTo(TINY);
    assertThat(m.weights().names()).containsExactlyElementsOf(MaeKeyMapping.expectedShapes(TINY).keySet());
  }

  @Test
  void importsTheHuggingFaceLayoutToTheSameTensorsWithConfigHeadsAndEps() throws IOException {
    ImportedMae hf = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    ImportedMae timm = MaeWeightImport.load(Fixtures.golden("tiny_mae_timm.pth"), 2, 2);
    assertThat(hf.layout()).isEqualTo(Layout.HF_VIT_MAE);
    assertThat(hf.architecture().heads()).isEqualTo(2);
    assertThat(hf.architecture().decoderHeads()).isEqualTo(2);
    assertThat(hf.architecture().layerNormEps()).isEqualTo(1e-12);
    assertThat(hf.architecture().normPixLoss()).isTrue();
    // q/k/v packed back into qkv, every other tensor renamed: bit-identical to the .pth
    assertThat(hf.weights().tensors()).isEqualTo(timm.weights().tensors());
  }

  @Test
  void importsHuggingFaceViTMaeModelFilesWithoutPrefixOrDecoder() throws IOException {
    StateDict hf = Safetensors.read(Fixtures.golden("tiny_mae_hf/model.safetensors"));
    StateDict model = new StateDict();
    hf.tensors().forEach((k, v) -> {
      if (k.startsWith("vit.")) model.put(k.substring(4), v);
    });
    Path dir = tmp.resolve("vitmae-model");
    Files.createDirectories(dir);
    Safetensors.write(dir.resolve("model.safetensors"), model);
    Files.copy(Fixtures.golden("tiny_mae_hf/config.json"), dir.resolve("config.json"));
    ImportedMae m = MaeWeightImport.load(dir);
    assertThat(m.layout()).isEqualTo(Layout.HF_VIT_MAE);
    assertThat(m.architecture().hasDecoder()).isFalse();
    ImportedMae full = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    m.weights().names().forEach(n -> assertThat(m.weights().get(n)).as(n).isEqualTo(full.weights().get(n)));
  }

  @Test
  void readsShardedHuggingFaceCheckpointsAndRejectsPathsInTheIndex() throws IOException {
    StateDict hf = Safetensors.read(Fixtures.golden("tiny_mae_hf/model.safetensors"));
    StateDict a = new StateDict();
    StateDict b = new StateDict();
    StringBuilder map = new StringBuilder("{\"weight_map\": {");
    int i = 0;
    for (Map.Entry<String, Tensor> e : hf.tensors().entrySet()) {
      String shard = (i++ % 2 == 0) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
      (shard.contains("00001-") ? a : b).put(e.getKey(), e.getValue());
      map.append(i > 1 ? "," : "").append('"').append(e.getKey()).append("\": \"").append(shard).append('"');
    }
    map.append("}}");
    Path dir = tmp.resolve("sharded");
    Files.createDirectories(dir);
    Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), a);
    Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), b);
    Files.writeString(dir.resolve("model.safetensors.index.json"), map);
    Files.copy(Fixtures.golden("tiny_mae_hf/config.json"), dir.resolve("config.json"));
    assertThat(MaeWeightImport.load(dir).weights().tensors())
        .isEqualTo(MaeWeightImport.load(Fixtures.golden("tiny_mae_hf")).weights().tensors());
    Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"x\": \"../../etc/passwd\"}}");
    assertThatThrownBy(() -> MaeWeightImport.load(dir)).hasMessageContaining("is not a plain file name");
  }

  @Test
  void aConfigThatDisagreesWithTheTensorsIsRejected() throws IOException {
    Path dir = tmp.resolve("wrongcfg");
    Files.createDirectories(dir);
    Files.copy(Fixtures.golden("tiny_mae_hf/model.safetensors"), dir.resolve("model.safetensors"));
    Files.writeString(dir.resolve("config.json"),
        Files.readString(Fixtures.golden("tiny_mae_hf/config.json")).replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 12"));
    assertThatThrownBy(() -> MaeWeightImport.load(dir))
        .hasMessageContaining("config.json says num_hidden_layers = 12 but the tensors say 2");
  }

  @Test
  void headsOfNonStandardWidthsMustBeGiven() {
    assertThatThrownBy(() -> MaeWeightImport.load(Fixtures.golden("tiny_mae_timm.pth")))
        .hasMessageContaining("Cannot infer the number of attention heads for width 16")
        .hasMessageContaining("--heads");
  }

  @Test
  void missingExtraAndMisshapedTensorsAreNamed() throws IOException {
    StateDict sd = new StateDict(MaeWeightImport.load(Fixtures.golden("tiny_mae_timm.pth"), 2, 2).weights().tensors());
    sd.remove("blocks.1.norm2.bias");
    sd.put("head.weight", new Tensor(new int[] {1}, new float[1]));
    sd.put("blocks.0.mlp.fc2.bias", new Tensor(new int[] {15}, new float[15]));
    Path f = tmp.resolve("bad.safetensors");
    Safetensors.write(f, sd);
    assertThatThrownBy(() -> MaeWeightImport.load(f, 2, 2))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("missing: [blocks.1.norm2.bias]")
        .hasMessageContaining("unexpected: [head.weight]")
        .hasMessageContaining("wrong shape: [blocks.0.mlp.fc2.bias [15] (expected [16])]");
  }

  @Test
  void unknownHuggingFaceKeysAndIncompleteQkvAreNamed() throws IOException {
    StateDict hf = Safetensors.read(Fixtures.golden("tiny_mae_hf/model.safetensors"));
    StateDict extra = new StateDict(hf.tensors()).put("vit.pooler.dense.weight", new Tensor(new int[] {1}, new float[1]));
    assertThatThrownBy(() -> MaeKeyMapping.hfToTimm(extra)).hasMessageContaining("[vit.pooler.dense.weight]");
    StateDict noKey = new StateDict(hf.tensors());
    noKey.remove("vit.encoder.layer.1.attention.attention.key.bias");
    assertThatThrownBy(() -> MaeKeyMapping.hfToTimm(noKey)).hasMessageContaining("Missing attention key tensor for blocks.1.attn.qkv.bias");
  }

  @Test
  void encoderOnlyCheckpointsImportWithoutDecoder() throws IOException {
    StateDict sd = MaeWeightImport.load(Fixtures.golden("tiny_mae_timm.pth"), 2, 2).weights();
    StateDict enc = new StateDict();
    MaeKeyMapping.expectedShapes(TINY.encoderOnly()).keySet().forEach(k -> enc.put(k, sd.get(k)));
    Path f = tmp.resolve("enc.safetensors");
    Safetensors.write(f, enc);
    ImportedMae m = MaeWeightImport.load(f, 2, 0);
    assertThat(m.architecture()).isEqualTo(TINY.encoderOnly());
    // a partial decoder is an error, not silently dropped
    StateDict partial = new StateDict(enc.tensors()).put("decoder_embed.weight", sd.get("decoder_embed.weight"));
    Safetensors.write(f, partial);
    assertThatThrownBy(() -> MaeWeightImport.load(f, 2, 2)).hasMessageContaining("no decoder_blocks.0");
  }

  @Test
  void exportWritesTheEncoderWithArchitectureMetadataAndReimportsIdentically() throws IOException {
    ImportedMae m = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    Path f = tmp.resolve("encoder.safetensors");
    MaeWeightExport.write(f, m.weights(), m.architecture(), false, Map.of("maect.stage", "test"));
    StateDict raw = Safetensors.read(f);
    assertThat(raw.names()).containsExactlyElementsOf(MaeKeyMapping.expectedShapes(m.architecture().encoderOnly()).keySet());
    assertThat(raw.metadata()).containsEntry("format", "pt").containsEntry("maect.stage", "test");
    ImportedMae back = MaeWeightImport.load(f); // heads come from the metadata
    assertThat(back.architecture().heads()).isEqualTo(2);
    raw.names().forEach(k -> assertThat(back.weights().get(k)).as(k).isEqualTo(m.weights().get(k)));
    assertThat(Files.exists(f)).isTrue();
  }

  @Test
  void safetensorsWhoseHeaderLengthStartsWithByte0x80AreNotMistakenForLegacyPickles() throws IOException {
    ImportedMae m = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    Path f = tmp.resolve("e.safetensors");
    boolean hit = false;
    for (int pad = 0; pad < 256; pad += 8) { // header lengths are multiples of 8: this covers every low byte
      MaeWeightExport.write(f, m.weights(), m.architecture(), false, Map.of("pad", "x".repeat(pad)));
      hit |= (Files.readAllBytes(f)[0] & 0xFF) == 0x80;
      assertThat(MaeWeightImport.load(f).architecture().dim()).isEqualTo(16);
    }
    assertThat(hit).isTrue();
  }

  @Test
  void exportRefusesIncompleteEncoders() throws IOException {
    ImportedMae m = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    StateDict sd = new StateDict(m.weights().tensors());
    sd.remove("norm.weight");
    assertThatThrownBy(() -> MaeWeightExport.write(tmp.resolve("x.safetensors"), sd, m.architecture(), false, Map.of()))
        .hasMessageContaining("missing: [norm.weight]");
  }
}
