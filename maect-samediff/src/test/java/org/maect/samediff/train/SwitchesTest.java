package org.maect.samediff.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The comparison switches ({@code -Dmaect.samediff.fuse=false}, {@code .kernels=false}, {@code .fold=false}) are
 * read once per JVM, so each setting runs {@link SwitchesProbe} in a JVM of its own: with every switch off the plan
 * runs SameDiff's composed ops (transposes, the LayerNorm and GELU ops, no Java kernel); by default it runs the fused
 * sites and the folded transposes; the loss and the gradient agree between the two.
 */
class SwitchesTest {

  private static Map<String, String> probe(String... properties) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--add-modules");
    cmd.add("jdk.incubator.vector");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    for (String p : properties) cmd.add("-D" + p);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SwitchesProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process proc = pb.start();
    String out = new String(proc.getInputStream().readAllBytes());
    assertThat(proc.waitFor()).as("probe exit code; output:%n%s", out).isZero();
    Map<String, String> m = new HashMap<>();
    for (String line : out.split("\n")) {
      for (String part : line.trim().split(" ")) {
        int i = part.indexOf('=');
        if (i > 0 && (part.startsWith("ops") || part.startsWith("kernels") || part.startsWith("loss")
            || part.startsWith("grad"))) {
          m.put(part.substring(0, i), part.substring(i + 1));
        }
      }
    }
    assertThat(m).as("probe output:%n%s", out).containsKeys("ops", "kernels", "loss", "grad");
    return m;
  }

  @Test
  void switchesOffRunTheComposedOpsWithTheSameResults() throws Exception {
    assumeThat(PlanKernels.vectorAvailable()).as("Java kernels in use in this JVM (CPU backend, Vector API)").isTrue();
    Map<String, String> on = probe();
    Map<String, String> off = probe("maect.samediff.fuse=false", "maect.samediff.kernels=false",
        "maect.samediff.fold=false");
    assertThat(on.get("ops").split(",")).contains("fused_layer_norm", "fused_layer_norm_bp", "fused_gelu",
        "fused_gelu_bp", "xw_plus_b").doesNotContain("permute", "erf");
    assertThat(on.get("kernels")).isNotEmpty();
    assertThat(off.get("ops").split(",")).contains("permute", "xw_plus_b", "erf")
        .noneMatch(o -> o.startsWith("fused_"));
    assertThat(off.get("kernels")).isEmpty();
    double lossOn = Double.parseDouble(on.get("loss"));
    double lossOff = Double.parseDouble(off.get("loss"));
    assertThat(lossOn).isCloseTo(lossOff, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(lossOff) + 1e-4));
    double gradOn = Double.parseDouble(on.get("grad"));
    double gradOff = Double.parseDouble(off.get("grad"));
    assertThat(gradOn).isCloseTo(gradOff, org.assertj.core.data.Offset.offset(1e-4 * Math.abs(gradOff) + 1e-4));
  }
}
