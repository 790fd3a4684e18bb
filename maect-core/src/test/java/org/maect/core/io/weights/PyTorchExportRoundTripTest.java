package org.maect.core.io.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java export -> PyTorch strict {@code load_state_dict} -> the same embeddings. Runs only where a python3 with
 * torch is installed (skipped otherwise by assumption); the committed fixtures keep the Java side tested anyway.
 */
@Tag("python")
class PyTorchExportRoundTripTest {
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
  void exportedEncoderLoadsStrictlyInPyTorchAndGivesTheReferenceTokens() throws Exception {
    String py = pythonWithTorch();
    assumeTrue(py != null, "python3 with torch not available");
    MaeWeightImport.ImportedMae m = MaeWeightImport.load(Fixtures.golden("tiny_mae_hf"));
    Path exported = tmp.resolve("encoder.safetensors");
    MaeWeightExport.write(exported, m.weights(), m.architecture(), false, Map.of());
    Path out = tmp.resolve("tokens.safetensors");
    Path script = Path.of("..", "tools", "golden", "io_reference.py");
    Process p =
        new ProcessBuilder(py, script.toString(), "check-export", exported.toString(), out.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();
    assertThat(log).contains("strict load OK");
    float[] tokens = Safetensors.read(out).get("tokens").data();
    float[] expected = Safetensors.read(Fixtures.golden("tiny_mae_expected.safetensors")).get("tokens_timm").data();
    // same weights, same PyTorch code, same inputs: equal up to float32 summation order (none expected)
    Fixtures.assertClose(tokens, expected, 1e-6, 1e-6, "tokens");
  }
}
