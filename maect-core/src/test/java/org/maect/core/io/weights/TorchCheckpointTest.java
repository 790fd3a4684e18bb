package org.maect.core.io.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TorchCheckpointTest {

  @Test
  void readsFloat16Bfloat16Float64StoragesViewsAndSharedStorages() throws IOException {
    StateDict sd = TorchCheckpoint.read(Fixtures.golden("dtypes.pth"));
    JsonNode expected = new ObjectMapper().readTree(Fixtures.golden("dtypes_expected.json").toFile());
    assertThat(sd.names()).containsExactlyInAnyOrderElementsOf(() -> expected.fieldNames());
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Tensor t = sd.get(e.getKey());
      assertThat(t.shape()).as(e.getKey()).containsExactly(new ObjectMapper().convertValue(e.getValue().get("shape"), int[].class));
      assertThat(t.data()).as(e.getKey()).containsExactly(new ObjectMapper().convertValue(e.getValue().get("values"), float[].class));
    }
  }

  @Test
  void takesTheModelEntryOfAnMaeTrainingCheckpointWithArgsNamespace() throws IOException {
    StateDict sd = TorchCheckpoint.read(Fixtures.golden("tiny_mae_timm.pth"));
    assertThat(sd.names()).contains("cls_token", "blocks.1.attn.qkv.weight", "decoder_pred.bias").doesNotContain("epoch", "args");
    assertThat(sd.get("blocks.0.attn.qkv.weight").shape()).containsExactly(48, 16);
    assertThat(sd.get("patch_embed.proj.weight").shape()).containsExactly(16, 3, 4, 4);
  }

  @Test
  void agreesWithTheSameWeightsWrittenAsSafetensors() throws IOException {
    StateDict pth = TorchCheckpoint.read(Fixtures.golden("dtypes.pth"));
    StateDict st = Safetensors.read(Fixtures.golden("dtypes.safetensors"));
    assertThat(pth.tensors()).isEqualTo(st.tensors());
  }

  @Test
  void selfReferentialPicklesAreAnErrorNotAStackOverflow(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
    // {[<the list itself>]: 1}: a list appended to itself, used as a dict key
    byte[] pkl = {(byte) 0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', 'K', 1, 's', '.'};
    Path f = tmp.resolve("cycle.pth");
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(f))) {
      z.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
      z.write(pkl);
      z.closeEntry();
    }
    assertThatThrownBy(() -> TorchCheckpoint.read(f))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining("self-referential or too deeply nested");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "evil_global.pth       | global 'posix.system' is not allowed in a weights file",
        "huge_string.pth       | BINUNICODE claims 4294967280 bytes but only 3 remain",
        "view_outside.pth      | tensor 'w' reaches outside its storage",
        "truncated_storage.pth | storage data/0 of tensor 'w' holds 10 bytes but 4 x f32 needs 16: truncated or wrong dtype",
        "wrong_dtype.pth       | storage data/0 of tensor 'w' holds 16 bytes but 8 x f32 needs 32: truncated or wrong dtype",
        "missing_storage.pth   | storage data/0 of tensor 'w' is missing from the archive",
        "int64.pth             | tensor 'w' is stored as torch.LongStorage; only float32/float16/bfloat16/float64",
        "legacy.pth            | legacy (torch < 1.6, non-zip) torch.save format is not supported",
        "not_a_checkpoint.pth  | not a PyTorch checkpoint",
        "truncated.pth         | corrupt zip archive",
      })
  void rejectsHostileOrCorruptFilesWithAClearMessage(String name, String message) {
    Path f = Fixtures.golden("hostile/" + name);
    assertThatThrownBy(() -> TorchCheckpoint.read(f))
        .isInstanceOf(WeightFileException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining(message.strip());
  }
}
