package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./maect bench} option defaults (parsed only: the benchmark itself is not a test). */
class BenchCommandTest {

  @Test
  void warmsUpFiveStepsByDefaultSoTheJavaKernelsAreCompiledBeforeTiming() {
    BenchCommand b = new BenchCommand();
    new CommandLine(b).parseArgs();
    assertThat(b.warmup).isEqualTo(5);
    BenchCommand c = new BenchCommand();
    new CommandLine(c).parseArgs("--warmup", "1");
    assertThat(c.warmup).isEqualTo(1);
  }
}
