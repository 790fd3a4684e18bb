package org.maect.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Child processes of the benchmark: a fresh JVM per benchmark, load average. */
public final class BenchCommandSupport {
  private BenchCommandSupport() {}

  /**
   * A worker JVM with this JVM's options and class path plus {@code extraJvmOptions}, running
   * {@link BenchWorker} with {@code args}, with {@code OMP_NUM_THREADS = threads}.
   */
  public static ProcessBuilder worker(List<String> args, List<String> extraJvmOptions, int threads) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
    }
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.addAll(extraJvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BenchWorker.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    return pb;
  }

  static BenchResult runForResult(ProcessBuilder pb, String what) throws IOException, InterruptedException {
    return TorchReference.readResult(pb.start(), what);
  }

  /** Runs a worker and returns its result. */
  public static BenchResult runWorker(List<String> args, List<String> extraJvmOptions, int threads)
      throws IOException, InterruptedException {
    return runForResult(worker(args, extraJvmOptions, threads), "benchmark worker " + args);
  }

  /** The 1-minute load average, or NaN. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
