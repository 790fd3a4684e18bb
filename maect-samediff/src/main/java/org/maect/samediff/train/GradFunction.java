package org.maect.samediff.train;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.nd4j.autodiff.samediff.SameDiff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a graph's gradient function without SameDiff's console noise.
 *
 * <p>SameDiff 1.0.0-M2.1's {@code createGradFunction} prints one {@code "Added differentiated op <name>"} line
 * per op with {@code System.out.println} (hundreds of lines for a ViT), which buries the training progress.
 * While the function is built, standard output goes through a filter that drops exactly those lines and
 * passes every other line on unchanged; the count is logged at debug level.
 */
public final class GradFunction {
  private static final Logger log = LoggerFactory.getLogger(GradFunction.class);
  static final String NOISE_PREFIX = "Added differentiated op";

  private GradFunction() {}

  /** Creates {@code sd}'s gradient function if it has none. */
  public static void ensure(SameDiff sd) {
    if (sd.hasGradientFunction()) return;
    synchronized (GradFunction.class) {
      PrintStream original = System.out;
      LineFilter filter = new LineFilter(original);
      System.setOut(new PrintStream(filter, true, StandardCharsets.UTF_8));
      try {
        sd.createGradFunction();
      } finally {
        System.out.flush();
        filter.flushPartial();
        System.setOut(original);
      }
      log.debug("gradient function created ({} SameDiff op lines suppressed)", filter.dropped);
    }
  }

  /** Buffers bytes into lines; forwards every line that is not SameDiff's per-op message. */
  static final class LineFilter extends OutputStream {
    private final PrintStream target;
    private final StringBuilder line = new StringBuilder();
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    int dropped;

    LineFilter(PrintStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      if (b == '\n') {
        endLine();
      } else {
        bytes.write(b);
      }
    }

    private void endLine() {
      line.setLength(0);
      line.append(bytes.toString(StandardCharsets.UTF_8));
      bytes.reset();
      if (line.toString().startsWith(NOISE_PREFIX)) {
        dropped++;
      } else {
        target.println(line);
      }
    }

    void flushPartial() {
      if (bytes.size() > 0) {
        target.print(bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
      }
      target.flush();
    }
  }
}
