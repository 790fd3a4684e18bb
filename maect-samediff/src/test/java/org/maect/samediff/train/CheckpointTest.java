package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.OptimConfig;
import org.maect.samediff.optim.AdamW;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointTest {

  private static Map<String, INDArray> weights(long seed) {
    Nd4j.getRandom().setSeed(seed);
    Map<String, INDArray> w = new LinkedHashMap<>();
    w.put("blocks.0.attn.qkv.weight", Nd4j.randn(DataType.FLOAT, 6, 2));
    w.put("blocks.0.attn.qkv.bias", Nd4j.randn(DataType.FLOAT, 6));
    w.put("pos_embed", Nd4j.randn(DataType.FLOAT, 1, 5, 2));
    w.put("scale", Nd4j.scalar(DataType.FLOAT, 0.125f));
    w.put("double.table", Nd4j.randn(DataType.DOUBLE, 3, 3));
    return w;
  }

  private static AdamW trainedOptimizer(Map<String, INDArray> w) {
    AdamW opt = AdamW.of(OptimConfig.maePretrain());
    Map<String, INDArray> params = Map.of("blocks.0.attn.qkv.weight", w.get("blocks.0.attn.qkv.weight"),
        "blocks.0.attn.qkv.bias", w.get("blocks.0.attn.qkv.bias"));
    for (int i = 0; i < 3; i++) {
      Map<String, INDArray> g = new LinkedHashMap<>();
      params.forEach((n, p) -> g.put(n, Nd4j.randn(DataType.FLOAT, p.shape())));
      opt.step(params, g, 1e-3);
    }
    return opt;
  }

  @Test
  void roundTripIsBitIdenticalForWeightsStateAndOptimizer(@TempDir Path tmp) {
    Map<String, INDArray> w = weights(1);
    AdamW opt = trainedOptimizer(w);
    Map<String, INDArray> state = Map.of("queue", Nd4j.randn(DataType.FLOAT, 4, 3));
    Path f = tmp.resolve("c.ckpt");
    new Checkpoint(123, 4, 0xdeadbeefL, OptimConfig.maePretrain(), Map.of("stage", "pretrain"), w, state, opt)
        .write(f);

    Checkpoint c = Checkpoint.read(f);
    assertThat(c.step()).isEqualTo(123);
    assertThat(c.epoch()).isEqualTo(4);
    assertThat(c.rngState()).isEqualTo(0xdeadbeefL);
    assertThat(c.meta()).containsEntry("stage", "pretrain");
    assertThat(c.config().get("baseLr").asDouble()).isEqualTo(1.5e-4);
    assertThat(c.weights().keySet()).containsExactlyElementsOf(w.keySet());
    w.forEach((n, a) -> assertBitIdentical(n, c.weights().get(n), a));
    assertBitIdentical("queue", c.state().get("queue"), state.get("queue"));
    for (String n : opt.stateNames()) {
      assertBitIdentical(n + " m", c.adam().get(n).m(), opt.slot(n).m());
      assertBitIdentical(n + " v", c.adam().get(n).v(), opt.slot(n).v());
      assertThat(c.adam().get(n).count()).isEqualTo(3);
    }
    // restoring into fresh arrays and a fresh optimiser reproduces everything
    Map<String, INDArray> fresh = weights(2);
    c.restoreWeights(fresh);
    w.forEach((n, a) -> assertBitIdentical(n, fresh.get(n), a));
    AdamW opt2 = AdamW.of(OptimConfig.maePretrain());
    c.restoreOptimizer(opt2, fresh);
    assertBitIdentical("m", opt2.slot("blocks.0.attn.qkv.weight").m(), opt.slot("blocks.0.attn.qkv.weight").m());
    assertThat(opt2.slot("blocks.0.attn.qkv.bias").count()).isEqualTo(3);
  }

  @Test
  void failureDuringWriteLeavesThePreviousCheckpoint(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("last.ckpt");
    Map<String, INDArray> old = weights(1);
    new Checkpoint(10, 0, 1, null, Map.of(), old, Map.of(), null).write(f);
    byte[] before = Files.readAllBytes(f);

    Checkpoint newer = new Checkpoint(20, 1, 2, null, Map.of(), weights(2), Map.of(), null);
    assertThatThrownBy(() -> newer.write(f, os -> new FilterOutputStream(os) {
      long n;

      @Override
      public void write(int b) throws IOException {
        if (++n > 300) throw new IOException("disk full (injected)");
        super.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        for (int i = 0; i < len; i++) write(b[off + i]);
      }
    })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full (injected)");

    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    Checkpoint c = Checkpoint.read(f);
    assertThat(c.step()).isEqualTo(10);
    old.forEach((n, a) -> assertBitIdentical(n, c.weights().get(n), a));
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("last.ckpt");
    }
  }

  @Test
  void truncatedOrCorruptFileGivesAClearError(@TempDir Path tmp) throws IOException {
    Path f = tmp.resolve("c.ckpt");
    new Checkpoint(1, 0, 1, null, Map.of(), weights(1), Map.of(), null).write(f);
    byte[] b = Files.readAllBytes(f);

    Path truncated = tmp.resolve("truncated.ckpt");
    Files.write(truncated, java.util.Arrays.copyOf(b, b.length / 2));
    assertThatThrownBy(() -> Checkpoint.read(truncated)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("Corrupt checkpoint").hasMessageContaining("truncated.ckpt");

    // flip one byte inside the first tensor's data (stored entry: data right after the local header's name)
    Path flipped = tmp.resolve("flipped.ckpt");
    byte[] c = b.clone();
    int at = indexOf(c, "tensors/00000.bin".getBytes()) + "tensors/00000.bin".length() + 4;
    c[at] ^= 0x40;
    Files.write(flipped, c);
    assertThatThrownBy(() -> Checkpoint.read(flipped)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("Corrupt checkpoint").hasMessageContaining("blocks.0.attn.qkv.weight");

    assertThatThrownBy(() -> Checkpoint.read(tmp.resolve("missing.ckpt")))
        .hasMessageContaining("Checkpoint not found").hasMessageContaining("missing.ckpt");
  }

  @Test
  void restoreNamesMissingAndMisShapedTensors(@TempDir Path tmp) {
    Path f = tmp.resolve("c.ckpt");
    new Checkpoint(1, 0, 1, null, Map.of(), weights(1), Map.of(), null).write(f);
    Checkpoint c = Checkpoint.read(f);

    Map<String, INDArray> missing = new LinkedHashMap<>(weights(2));
    missing.put("blocks.1.mlp.fc1.weight", Nd4j.zeros(DataType.FLOAT, 4, 2));
    assertThatThrownBy(() -> c.restoreWeights(missing)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no weight tensor 'blocks.1.mlp.fc1.weight'");

    Map<String, INDArray> misShaped = new LinkedHashMap<>(weights(2));
    misShaped.put("pos_embed", Nd4j.zeros(DataType.FLOAT, 1, 6, 2));
    INDArray untouched = misShaped.get("blocks.0.attn.qkv.weight").dup();
    assertThatThrownBy(() -> c.restoreWeights(misShaped)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'pos_embed' has shape [1, 5, 2], expected [1, 6, 2]");
    // validation happens before any assignment
    assertBitIdentical("untouched", misShaped.get("blocks.0.attn.qkv.weight"), untouched);
  }

  @Test
  void restoresAGraphsVariablesAndConstants(@TempDir Path tmp) {
    SameDiff a = LinearRegressionFixture.graph(1);
    a.convertToConstant(a.getVariable("fc.bias"));
    a.getArrForVarName("fc.bias").assign(0.75);
    Path f = tmp.resolve("g.ckpt");
    new Checkpoint(0, 0, 0, null, Map.of(), Checkpoint.weightsOf(a), Map.of(), null).write(f);
    SameDiff b = LinearRegressionFixture.graph(2);
    b.convertToConstant(b.getVariable("fc.bias"));
    assertThat(Checkpoint.read(f).restoreWeights(b)).isEqualTo(2);
    assertBitIdentical("w", b.getArrForVarName("fc.weight"), a.getArrForVarName("fc.weight"));
    assertThat(b.getArrForVarName("fc.bias").getDouble(0)).isEqualTo(0.75);
    assertThat(Checkpoint.trainableOf(b).keySet()).isEqualTo(java.util.Set.of("fc.weight"));
  }

  /** First occurrence: the entry's local header (data follows); manifest and central directory come later. */
  private static int indexOf(byte[] hay, byte[] needle) {
    int seen = 0;
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      if (++seen == 1) return i;
    }
    throw new AssertionError("not found");
  }

  static void assertBitIdentical(String what, INDArray actual, INDArray expected) {
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    assertThat(actual.dataType()).as(what + " dtype").isEqualTo(expected.dataType());
    if (expected.dataType() == DataType.DOUBLE) {
      assertThat(actual.dup('c').data().asDouble()).as(what).containsExactly(expected.dup('c').data().asDouble());
    } else {
      assertThat(actual.dup('c').data().asFloat()).as(what).containsExactly(expected.dup('c').data().asFloat());
    }
  }
}
