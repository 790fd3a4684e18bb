package org.maect.samediff.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;

/**
 * The fixtures of {@code tools/golden/io_reference.py} live in maect-core's test resources (the readers' tests use
 * them too); module tests run with the module directory as working directory.
 */
final class GoldenWeights {
  private GoldenWeights() {}

  static Path golden(String name) {
    Path p = Path.of("..", "maect-core", "src", "test", "resources", "golden", "io", name);
    Assertions.assertTrue(Files.exists(p), "fixture missing: " + p.toAbsolutePath() + " (run tools/golden/io_reference.py)");
    return p;
  }

  /** {@code |a - b| <= atol + rtol * |b|} elementwise; returns the largest |a - b|. */
  static double assertClose(float[] actual, float[] expected, double atol, double rtol, String what) {
    Assertions.assertEquals(expected.length, actual.length, what + ": length");
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected[i]);
      worst = Math.max(worst, d);
      if (!(d <= atol + rtol * Math.abs(expected[i]))) {
        Assertions.fail(what + "[" + i + "]: " + actual[i] + " vs expected " + expected[i] + " (|diff| " + d + ")");
      }
    }
    return worst;
  }
}
