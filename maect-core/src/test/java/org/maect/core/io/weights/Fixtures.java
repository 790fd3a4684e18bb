package org.maect.core.io.weights;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the committed fixtures written by {@code tools/golden/io_reference.py}. */
final class Fixtures {
  private Fixtures() {}

  static Path golden(String name) {
    URL u = Fixtures.class.getResource("/golden/io/" + name);
    if (u == null) throw new IllegalStateException("fixture missing: golden/io/" + name + " (run tools/golden/io_reference.py)");
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code |a - b| <= atol + rtol * |b|} elementwise; returns the largest |a - b|. */
  static double assertClose(float[] actual, float[] expected, double atol, double rtol, String what) {
    if (actual.length != expected.length) {
      throw new AssertionError(what + ": length " + actual.length + " != " + expected.length);
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected[i]);
      worst = Math.max(worst, d);
      if (!(d <= atol + rtol * Math.abs(expected[i]))) {
        throw new AssertionError(what + "[" + i + "]: " + actual[i] + " vs expected " + expected[i] + " (|diff| " + d + ")");
      }
    }
    return worst;
  }
}
