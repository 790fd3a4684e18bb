package org.maect.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  private static TrainingStatus at(long step) {
    return new TrainingStatus("pretrain", (int) (step / 100), 10, step, 1000, 0.5123, 1.2e-4, 412.3, 0, Map.of());
  }

  @Test
  void printsReadableRateLimitedLinesWithEta() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong(0);
    ProgressReporter p = new ProgressReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 1000,
        clock::get);
    p.onStart(at(0));
    for (long s = 1; s <= 250; s++) {
      clock.addAndGet(100); // 10 steps per second
      p.onStep(at(s));
    }
    String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
    // start line + first step + one line per second (25 s) at most
    assertThat(lines.length).isBetween(20, 28);
    String last = lines[lines.length - 1];
    // lines at steps 1, 11, 21, ... (one per second): the last is step 241
    assertThat(last).startsWith("[pretrain] epoch 3/10 step 241/1000 (24.1%) loss 0.5123 lr 1.20e-04 412.3 img/s");
    assertThat(last).endsWith("ETA 1m16s"); // 759 steps at 10 steps/s = 75.9 s
  }

  @Test
  void quietModePrintsOnlyEpochAndEndLines() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ProgressReporter p = new ProgressReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 0);
    p.onStart(at(0));
    for (long s = 1; s <= 100; s++) p.onStep(at(s));
    p.onEpochEnd(at(100));
    p.onEnd(at(1000));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out.split("\n")).hasSize(2);
    assertThat(out).contains("epoch 2/10 done: mean loss 0.5123").contains("finished 1000 steps");
  }

  @Test
  void formatsDurations() {
    assertThat(ProgressReporter.duration(42)).isEqualTo("42s");
    assertThat(ProgressReporter.duration(312)).isEqualTo("5m12s");
    assertThat(ProgressReporter.duration(3723)).isEqualTo("1h02m03s");
    assertThat(ProgressReporter.duration(Double.NaN)).isEqualTo("?");
  }
}
