package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Smoke test of {@code ./maect bench-eval} on tiny inputs without Python (the benchmark is not a test). */
class BenchEvalCommandTest {

  @Test
  void tinyRunPrintsEveryCase() {
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(new MaectCli());
    cl.setOut(new PrintWriter(out));
    int rc = cl.execute("bench-eval", "--scale", "0.02", "--no-python");
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("hungarian ", "hungarian_random", "ami ", "kmeans ", "knn ");
  }
}
