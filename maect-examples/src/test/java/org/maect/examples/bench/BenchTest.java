package org.maect.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.ViTConfig;
import org.maect.examples.cli.MaectCli;

class BenchTest {

  @Test
  void thePyTorchReferenceRunsWithItsThreadsAndGlibcDefaultsNotTheLaunchersMallocSettings() {
    java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of(
        "MALLOC_MMAP_THRESHOLD_", "65536", "MALLOC_ARENA_MAX", "2", "OMP_NUM_THREADS", "7", "PATH", "/usr/bin"));
    TorchReference.referenceEnvironment(env, 1);
    assertThat(env).doesNotContainKeys("MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX")
        .containsEntry("OMP_NUM_THREADS", "1").containsEntry("MKL_NUM_THREADS", "1").containsEntry("PATH", "/usr/bin");
  }

  @Test
  void blockFlopsByHand() {
    // s=2 tokens, d=4, h=8: qkv 2*2*4*12=192, scores+attn 2*2*2*2*4=64, proj 2*2*4*4=64, mlp 2*2*2*4*8=256
    assertThat(FlopCount.block(2, 4, 8)).isEqualTo(192 + 64 + 64 + 256);
  }

  @Test
  void maeStepRunsAndCountsImages() {
    MaeConfig tiny = new MaeConfig(new ViTConfig(8, 2, 1, 16, 1, 2, 4.0), 8, 1, 2, 0.75, true);
    BenchResult r = BenchWorker.run(new MaeStepBench(tiny, 4), "tiny", 4, 1, 2, 0, 1, false);
    assertThat(r.imagesPerStep()).isEqualTo(4);
    assertThat(r.stepSeconds()).hasSize(2);
    assertThat(r.imagesPerSecond()).isPositive();
    assertThat(r.gflops()).isPositive();
    assertThat(r.peakRssMb()).isPositive();
  }

  @Test
  void unknownStepIsRejected() {
    assertThatThrownBy(() -> BenchWorker.create("nope", BenchPreset.of("cpu28"), 4))
        .hasMessageContaining("mae_step, ct_step, embed");
    assertThat(MaectCli.execute("bench", "--step", "nope", "--no-torch")).isNotZero();
  }

  @Test
  void soakFlatness() {
    var flat = org.maect.examples.cli.BenchCommand.flatness(
        List.of(List.of(0.0, 500.0, 0.0), List.of(250.0, 900.0, 1.0), List.of(1000.0, 930.0, 1.0)));
    assertThat(flat.get("flat")).isEqualTo(true);
    var growing = org.maect.examples.cli.BenchCommand.flatness(
        List.of(List.of(0.0, 500.0, 0.0), List.of(250.0, 900.0, 1.0), List.of(1000.0, 1400.0, 1.0)));
    assertThat(growing.get("flat")).isEqualTo(false);
  }
}
