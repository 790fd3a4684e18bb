package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PretrainCommandTest {

  private static double baseLr(String... args) {
    PretrainCommand c = new PretrainCommand();
    new CommandLine(c).parseArgs(args);
    return c.config().optim().baseLr();
  }

  @Test
  void cpuPresetsDefaultToTenTimesMaesBaseLrAndPaperPresetsKeepMaes() {
    assertThat(baseLr()).isEqualTo(1.5e-3); // default preset cpu28
    assertThat(baseLr("--preset", "cpu32")).isEqualTo(1.5e-3);
    assertThat(baseLr("--preset", "vit_b16")).isEqualTo(1.5e-4); // He et al., Table 8
    assertThat(baseLr("--preset", "vit_h14")).isEqualTo(1.5e-4);
  }

  @Test
  void explicitBaseLrWins() {
    assertThat(baseLr("--preset", "cpu28", "--base-lr", "2e-3")).isEqualTo(2e-3);
    assertThat(baseLr("--preset", "vit_l16", "--base-lr", "1e-4")).isEqualTo(1e-4);
  }
}
