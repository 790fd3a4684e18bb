package org.maect.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PyTorch reference ({@code tools/bench/torch_bench.py}) for the same step, shapes and threads, in a
 * child process, when a Python with torch is found ({@code $MAECT_PYTHON}, {@code python3},
 * {@code /usr/bin/python3}: the first for which {@code python3 -c 'import torch'} works).
 */
public final class TorchReference {
  private static final Logger log = LoggerFactory.getLogger(TorchReference.class);
  /** Location of the reference script under the repository root. */
  public static final String SCRIPT = "tools/bench/torch_bench.py";

  private final String python;
  private final Path script;

  private TorchReference(String python, Path script) {
    this.python = python;
    this.script = script;
  }

  /** The reference if Python with torch and the script are both found. */
  public static Optional<TorchReference> find(String pythonOrNull) {
    Path script = script();
    if (script == null) {
      log.info("PyTorch reference skipped: {} not found (set -Dmaect.home)", SCRIPT);
      return Optional.empty();
    }
    List<String> candidates = new ArrayList<>();
    if (pythonOrNull != null) candidates.add(pythonOrNull);
    String env = System.getenv("MAECT_PYTHON");
    if (env != null && !env.isBlank()) candidates.add(env);
    candidates.add("python3");
    candidates.add("/usr/bin/python3");
    for (String c : candidates) {
      if (hasTorch(c)) return Optional.of(new TorchReference(c, script));
    }
    log.info("PyTorch reference skipped: no Python with torch among {}", candidates);
    return Optional.empty();
  }

  public String python() {
    return python;
  }

  private static Path script() {
    List<Path> roots = new ArrayList<>();
    String home = System.getProperty("maect.home");
    if (home != null) roots.add(Path.of(home));
    roots.add(Path.of("").toAbsolutePath());
    for (Path r : roots) {
      Path p = r.resolve(SCRIPT);
      if (Files.isRegularFile(p)) return p;
    }
    return null;
  }

  private static boolean hasTorch(String python) {
    try {
      Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Runs one reference benchmark.
   *
   * @param config the step, shapes and run settings as JSON (see the script's docstring)
   */
  public BenchResult run(Map<String, Object> config, int threads) throws IOException, InterruptedException {
    String json = new ObjectMapper().writeValueAsString(config);
    ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--config", json)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    referenceEnvironment(pb.environment(), threads);
    return BenchCommandSupport.runForResult(pb, "PyTorch reference");
  }

  /**
   * The PyTorch process's environment: {@code threads} for OpenMP and MKL, and glibc's malloc defaults. The
   * launcher's settings for our JVM are not PyTorch's: its allocator caches through malloc, and with
   * {@code MALLOC_MMAP_THRESHOLD_=65536} every large tensor becomes an mmap plus page faults (its MAE step ran at
   * about half speed). PyTorch runs as a user runs it.
   */
  static void referenceEnvironment(Map<String, String> env, int threads) {
    env.put("OMP_NUM_THREADS", Integer.toString(threads));
    env.put("MKL_NUM_THREADS", Integer.toString(threads));
    env.remove("MALLOC_MMAP_THRESHOLD_");
    env.remove("MALLOC_ARENA_MAX");
  }

  /** Reads the result line of a child process. */
  static BenchResult readResult(Process p, String what) throws IOException, InterruptedException {
    BenchResult r = null;
    java.util.ArrayDeque<String> tail = new java.util.ArrayDeque<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(BenchResult.PREFIX)) {
          r = new ObjectMapper().readValue(line.substring(BenchResult.PREFIX.length()), BenchResult.class);
        } else {
          tail.addLast(line); // native banners, SameDiff's "Added differentiated op" lines: shown on failure only
          if (tail.size() > 40) tail.removeFirst();
        }
      }
    }
    int rc = p.waitFor();
    if (rc != 0 || r == null) {
      tail.forEach(System.err::println);
      throw new IOException(what + " failed (exit code " + rc + ", no result line)");
    }
    return r;
  }
}
