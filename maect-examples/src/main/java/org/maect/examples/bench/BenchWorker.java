package org.maect.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one benchmark in its own JVM (so VmHWM is that step's peak) and prints a {@link BenchResult} line.
 * Arguments {@code key=value}: {@code step}, {@code preset}, {@code batch} (0 = preset default),
 * {@code warmup}, {@code steps}, {@code soak} (steps of a soak run, 0 = off), {@code every} (soak sample
 * interval). Threads come from {@code OMP_NUM_THREADS}, set by the parent before the JVM starts.
 */
public final class BenchWorker {
  private BenchWorker() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String s : args) {
      int i = s.indexOf('=');
      if (i < 0) throw new IllegalArgumentException("argument '" + s + "' is not key=value");
      a.put(s.substring(0, i), s.substring(i + 1));
    }
    BenchPreset p = BenchPreset.of(a.getOrDefault("preset", "cpu28"));
    String stepName = a.getOrDefault("step", "mae_step");
    int batch = Integer.parseInt(a.getOrDefault("batch", "0"));
    if (batch <= 0) batch = p.defaultBatch(stepName);
    BenchResult r = run(create(stepName, p, batch), p.name(), batch,
        Integer.parseInt(a.getOrDefault("warmup", "2")), Integer.parseInt(a.getOrDefault("steps", "5")),
        Integer.parseInt(a.getOrDefault("soak", "0")), Integer.parseInt(a.getOrDefault("every", "50")),
        Boolean.parseBoolean(a.getOrDefault("profile", "false")));
    System.out.println(BenchResult.PREFIX + new ObjectMapper().writeValueAsString(r));
    System.out.flush();
    System.exit(0);
  }

  /** The benchmark of a step kind. */
  public static BenchStep create(String step, BenchPreset p, int batch) {
    return switch (step) {
      case "mae_step", "mae-pretrain" -> new MaeStepBench(p.mae(), batch);
      case "ct_step" -> new CtStepBench(p.mae().encoder(), p.ct().withBatchSize(Math.max(2, batch)), batch);
      case "embed" -> new EmbedBench(p.mae().encoder(), batch);
      default -> throw new IllegalArgumentException("Unknown step '" + step + "' (known: mae_step, ct_step, embed)");
    };
  }

  /**
   * Warm-up, then {@code steps} timed steps (median), or with {@code soak > 0} a soak run of that many steps
   * sampling VmRSS every {@code every} steps (all soak steps are timed).
   */
  public static BenchResult run(BenchStep b, String preset, int batch, int warmup, int steps, int soak,
      int every, boolean profile) {
    int threads = threads();
    try (b) {
      b.setup();
      for (int i = 0; i < warmup; i++) b.run();
      OpProfiler prof = null;
      if (profile && b.sameDiff() != null) {
        prof = new OpProfiler();
        b.sameDiff().addListeners(prof);
        prof.enable(true);
      }
      List<Double> times = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      List<List<Double>> trace = new ArrayList<>();
      int images = 0;
      int n = soak > 0 ? soak : steps;
      long windowStart = System.nanoTime();
      int windowImages = 0;
      if (soak > 0) trace.add(List.of(0.0, ProcStatus.rssMb(), 0.0, heapMb(), offHeapMb()));
      for (int i = 1; i <= n; i++) {
        long t0 = System.nanoTime();
        long c0 = threadCpuNanos();
        images = b.run();
        times.add((System.nanoTime() - t0) / 1e9);
        cpu.add((threadCpuNanos() - c0) / 1e9);
        windowImages += images;
        if (soak > 0 && (i % every == 0 || i == n)) {
          double secs = (System.nanoTime() - windowStart) / 1e9;
          trace.add(List.of((double) i, ProcStatus.rssMb(), windowImages / secs, heapMb(), offHeapMb()));
          System.err.printf("soak %s step %d: RSS %.0f MB (Java heap committed %.0f MB, rest %.0f MB), "
              + "%.1f images/s%n", b.name(), i, ProcStatus.rssMb(), heapMb(), offHeapMb(), windowImages / secs);
          windowStart = System.nanoTime();
          windowImages = 0;
        }
      }
      if (prof != null) System.err.print(prof.report(n));
      // CPU seconds of the stepping thread (with one OpenMP thread the kernels run on it; JIT compiler threads
      // excluded): on a loaded machine a much steadier measure than wall time
      System.err.printf("%s cpu seconds per step: median %.3f, all %s%n", b.name(), BenchResult.median(cpu), cpu);
      double med = BenchResult.median(times);
      double flops = b.flopsPerStep();
      return new BenchResult("samediff", b.name(), preset, batch, threads, images, times, med, images / med,
          flops, flops / med / 1e9, ProcStatus.peakRssMb(), trace);
    }
  }

  /** CPU time of the calling thread, or 0 if the JVM cannot tell. */
  static long threadCpuNanos() {
    java.lang.management.ThreadMXBean t = java.lang.management.ManagementFactory.getThreadMXBean();
    return t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : 0;
  }

  /** Committed Java heap (part of RSS). */
  static double heapMb() {
    return Runtime.getRuntime().totalMemory() / 1048576.0;
  }

  /** RSS outside the committed Java heap: ND4J's native buffers, malloc arenas, JVM metadata, code. */
  static double offHeapMb() {
    return ProcStatus.rssMb() - heapMb();
  }

  static int threads() {
    String s = System.getenv("OMP_NUM_THREADS");
    try {
      return s == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return Runtime.getRuntime().availableProcessors();
    }
  }
}
