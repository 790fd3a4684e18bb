package org.maect.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.maect.examples.bench.BenchStep;
import org.maect.examples.bench.MaePretrainStepBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./maect bench}: images/s and peak RSS of a training step (not a test). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time a training step of a preset: warm-up steps, then timed steps; prints wall and CPU time per step,",
      "images/s and the process's peak resident memory (VmHWM). Threads: OMP_NUM_THREADS."
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--step", defaultValue = "mae-pretrain", description = "step to time: mae-pretrain (default)")
  String step;

  @Option(names = "--preset", defaultValue = "cpu28", description = "model preset (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = {"--batch", "--batch-size"}, defaultValue = "256", description = "batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--warmup", defaultValue = "2", description = "untimed steps (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--steps", defaultValue = "5", description = "timed steps (default: ${DEFAULT-VALUE})")
  int steps;

  /** Result of one benchmark. */
  public record Result(String name, int steps, double secondsPerStep, double cpuSecondsPerStep, double imagesPerSecond,
      long peakRssBytes) {}

  @Override
  public Integer call() {
    BenchStep b = switch (step) {
      case "mae-pretrain" -> new MaePretrainStepBench(preset, batch);
      default -> throw new IllegalArgumentException("unknown --step " + step + " (known: mae-pretrain)");
    };
    Result r = measure(b, warmup, steps);
    System.out.printf("%s: %.3f s/step (CPU %.3f s/step), %.1f images/s, peak RSS %.2f GB, OMP_NUM_THREADS=%s%n",
        r.name(), r.secondsPerStep(), r.cpuSecondsPerStep(), r.imagesPerSecond(), r.peakRssBytes() / 1e9,
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
    return 0;
  }

  public static Result measure(BenchStep b, int warmup, int steps) {
    try (b) {
      b.setup();
      for (int i = 0; i < warmup; i++) b.run();
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long c0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long images = 0;
      for (int i = 0; i < steps; i++) images += b.run();
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpu = (os.getProcessCpuTime() - c0) / 1e9;
      return new Result(b.name(), steps, secs / steps, cpu / steps, images / secs, peakRss());
    }
  }

  /** VmHWM of this process (Linux), or -1. */
  static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
