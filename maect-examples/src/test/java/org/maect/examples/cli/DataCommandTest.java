package org.maect.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
  @TempDir Path tmp;

  @Test
  void dataCommandPrintsSummaryAndWritesGrid() {
    Path png = tmp.resolve("g.png");
    PrintStream saved = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = MaectCli.execute("data", "--dataset", "fashion-mnist", "--grid", png.toString(), "--views", "1");
    } finally {
      System.setOut(saved);
    }
    assertThat(code).isZero();
    assertThat(Files.isRegularFile(png)).isTrue();
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains("test: 10000 images")
        .contains("mean [0.2860]");
  }

  @Test
  void missingDatasetFailsWithExitCodeOneAndNamesPlacesLooked() {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = MaectCli.execute("data", "--dataset", "cifar10", "--data-dir", tmp.toString());
    } finally {
      System.setErr(saved);
    }
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("CIFAR-10 not found")
        .contains(tmp.toString())
        .contains("data_batch_1.bin");
  }
}
