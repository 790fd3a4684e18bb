package org.maect.samediff.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maect.core.config.ViTConfig;
import org.maect.core.io.weights.MaeWeightExport;
import org.maect.core.io.weights.MaeWeightImport;
import org.maect.core.io.weights.MaeWeightImport.ImportedMae;
import org.maect.core.io.weights.Safetensors;
import org.maect.core.io.weights.StateDict;
import org.maect.core.io.weights.Tensor;

/**
 * A "tuned" encoder (imported weights plus seeded noise on every trainable tensor) exported from Java, loaded by
 * PyTorch with {@code load_state_dict(strict=True)}, run there: the tokens equal our graph's. Skipped (assumption)
 * where no python3 with torch is installed.
 */
@Tag("python")
class PyTorchRoundTripTest {
  @TempDir Path tmp;

  static String pythonWithTorch() {
    for (String py : List.of("/usr/bin/python3", "python3")) {
      try {
        Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true).start();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return py;
        p.destroyForcibly();
      } catch (IOException | InterruptedException e) {
        // try the next one
      }
    }
    return null;
  }

  @Test
  void tunedEncoderExportedFromJavaGivesTheSameTokensInPyTorch() throws Exception {
    String py = pythonWithTorch();
    assumeTrue(py != null, "python3 with torch not available");
    ImportedMae m = MaeWeightImport.load(GoldenWeights.golden("tiny_mae_timm.pth"), 2, 2);
    StateDict tuned = new StateDict();
    SplittableRandom rng = new SplittableRandom(42);
    for (Map.Entry<String, Tensor> e : m.weights().tensors().entrySet()) {
      float[] d = e.getValue().data().clone();
      if (!e.getKey().endsWith("pos_embed")) for (int i = 0; i < d.length; i++) d[i] += (float) (0.05 * rng.nextGaussian());
      tuned.put(e.getKey(), new Tensor(e.getValue().shape(), d));
    }
    Path exported = tmp.resolve("tuned.safetensors");
    MaeWeightExport.write(exported, tuned, m.architecture(), false, Map.of());
    Path out = tmp.resolve("tokens.safetensors");
    Process p = new ProcessBuilder(py, Path.of("..", "tools", "golden", "io_reference.py").toString(), "check-export",
        exported.toString(), out.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    float[] torch = Safetensors.read(out).get("tokens").data();
    ViTConfig cfg = ModelConfigs.encoder(m.architecture());
    float[] input = Safetensors.read(GoldenWeights.golden("tiny_mae_expected.safetensors")).get("input").data();
    float[] ours = new EncoderTokens(cfg, tuned).tokens(input, 4);
    double worst = GoldenWeights.assertClose(ours, torch, ImportedForwardGoldenTest.ATOL, ImportedForwardGoldenTest.RTOL, "tokens");
    System.out.printf("Java export -> PyTorch strict load: max |java - torch| tokens = %.3g%n", worst);
  }
}
