package org.maect.core.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Human-readable progress lines, rate limited:
 *
 * <pre>
 * [pretrain] epoch 3/20 step 1210/9360 (12.9%) loss 0.5123 lr 1.20e-04 412.3 img/s ETA 5m12s
 * </pre>
 *
 * Step lines are printed at most once per {@code minIntervalMillis} (and always for the first and last step);
 * epoch-end lines always. In quiet mode (CI logs) only epoch-end and end-of-stage lines are printed.
 */
public final class ProgressReporter implements TrainingListener {
  private final PrintStream out;
  private final boolean quiet;
  private final long minIntervalMillis;
  private final LongSupplier clockMillis;
  private long lastPrint = Long.MIN_VALUE;
  private long firstStep = -1;
  private long firstStepTime;

  public ProgressReporter(PrintStream out, boolean quiet, long minIntervalMillis) {
    this(out, quiet, minIntervalMillis, System::currentTimeMillis);
  }

  /** With an injectable clock (for tests). */
  public ProgressReporter(PrintStream out, boolean quiet, long minIntervalMillis, LongSupplier clockMillis) {
    if (minIntervalMillis < 0) throw new IllegalArgumentException("Invalid minIntervalMillis: " + minIntervalMillis);
    this.out = out;
    this.quiet = quiet;
    this.minIntervalMillis = minIntervalMillis;
    this.clockMillis = clockMillis;
  }

  /** Progress to standard error every 2 s ({@code quiet}: epoch lines only). */
  public static ProgressReporter stderr(boolean quiet) {
    return new ProgressReporter(System.err, quiet, 2000);
  }

  @Override
  public void onStart(TrainingStatus s) {
    firstStep = s.step();
    firstStepTime = clockMillis.getAsLong();
    if (!quiet) {
      out.printf(Locale.ROOT, "[%s] %s at step %d/%d (epoch %d/%d)%n", s.stage(),
          s.step() == 0 ? "starting" : "resuming", s.step(), s.totalSteps(), s.epoch() + 1, s.epochs());
    }
  }

  @Override
  public void onStep(TrainingStatus s) {
    if (quiet) return;
    long now = clockMillis.getAsLong();
    boolean edge = s.step() == firstStep + 1 || s.step() >= s.totalSteps();
    if (!edge && lastPrint != Long.MIN_VALUE && now - lastPrint < minIntervalMillis) return;
    lastPrint = now;
    out.println(stepLine(s, now));
  }

  @Override
  public void onEpochEnd(TrainingStatus s) {
    out.printf(Locale.ROOT, "[%s] epoch %d/%d done: mean loss %.4f, %.1f img/s, elapsed %s%n", s.stage(),
        s.epoch() + 1, s.epochs(), s.loss(), s.imagesPerSecond(), duration(s.elapsedSeconds()));
  }

  @Override
  public void onEnd(TrainingStatus s) {
    out.printf(Locale.ROOT, "[%s] finished %d steps in %s, last loss %.4f%n", s.stage(), s.step(),
        duration(s.elapsedSeconds()), s.loss());
  }

  /** The step line for {@code s} at wall time {@code nowMillis}. */
  String stepLine(TrainingStatus s, long nowMillis) {
    StringBuilder b = new StringBuilder(128);
    b.append(String.format(Locale.ROOT, "[%s] epoch %d/%d step %d/%d (%.1f%%) loss %.4f lr %.2e", s.stage(),
        s.epoch() + 1, s.epochs(), s.step(), s.totalSteps(), 100 * s.progress(), s.loss(), s.lr()));
    if (s.imagesPerSecond() > 0) b.append(String.format(Locale.ROOT, " %.1f img/s", s.imagesPerSecond()));
    long done = s.step() - firstStep;
    double secs = (nowMillis - firstStepTime) / 1000.0;
    if (firstStep >= 0 && done > 0 && secs > 0) {
      b.append(" ETA ").append(duration((s.totalSteps() - s.step()) * secs / done));
    }
    return b.toString();
  }

  /** {@code 1h02m03s}, {@code 5m12s}, {@code 42s}. */
  static String duration(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) return "?";
    long t = Math.round(seconds);
    long h = t / 3600, m = (t % 3600) / 60, sec = t % 60;
    if (h > 0) return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, sec);
    if (m > 0) return String.format(Locale.ROOT, "%dm%02ds", m, sec);
    return sec + "s";
  }
}
