package org.maect.core.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The directory of one training run:
 *
 * <pre>
 * run/
 *   run.json          resolved config, seed, stage, versions (maect, ND4J, Java), host, start time (atomic)
 *   metrics.jsonl     one JSON object per line per logged step / epoch (appended, flushed per line)
 *   checkpoints/      last.ckpt (+ optional step snapshots), see org.maect.samediff.train.Checkpoint
 * </pre>
 *
 * Thread-safe for {@link #appendMetrics}.
 */
public final class RunDirectory implements AutoCloseable {
  /** Shared Jackson mapper (records serialise directly). */
  public static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final Path root;
  private BufferedWriter metrics;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /** Opens (creating if needed) a run directory. */
  public static RunDirectory open(Path root) {
    try {
      Files.createDirectories(root);
      Files.createDirectories(root.resolve("checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create run directory " + root + ": " + e.getMessage(), e);
    }
    return new RunDirectory(root);
  }

  public Path root() {
    return root;
  }

  public Path runJson() {
    return root.resolve("run.json");
  }

  public Path metricsFile() {
    return root.resolve("metrics.jsonl");
  }

  public Path checkpointDir() {
    return root.resolve("checkpoints");
  }

  /** {@code checkpoints/last.ckpt}: the checkpoint a resume starts from. */
  public Path lastCheckpoint() {
    return checkpointDir().resolve("last.ckpt");
  }

  /**
   * Writes {@code run.json} atomically: {@code {"stage", "seed", "config", "versions", "host", "started", ...extra}}.
   *
   * @param config any Jackson-serialisable object (a config record) or a {@link JsonNode}
   */
  public void writeRunJson(String stage, long seed, Object config, Map<String, ?> extra) {
    ObjectNode n = JSON.createObjectNode();
    n.put("stage", stage);
    n.put("seed", seed);
    n.set("config", JSON.valueToTree(config));
    n.set("versions", JSON.valueToTree(versions()));
    n.put("host", hostName());
    n.put("started", Instant.now().toString());
    if (extra != null) extra.forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
    try {
      AtomicFiles.write(runJson(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + runJson() + ": " + e.getMessage(), e);
    }
  }

  /** Appends one JSON line to {@code metrics.jsonl} and flushes it (a crash loses at most the current line). */
  public synchronized void appendMetrics(Map<String, ?> record) {
    try {
      if (metrics == null) {
        metrics = Files.newBufferedWriter(metricsFile(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      metrics.write(JSON.writeValueAsString(record));
      metrics.write('\n');
      metrics.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Metrics record is not serialisable to JSON: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot append to " + metricsFile() + ": " + e.getMessage(), e);
    }
  }

  /** Starts {@code metrics.jsonl} afresh (a new run in an existing directory). */
  public synchronized void resetMetrics() {
    close();
    try {
      Files.deleteIfExists(metricsFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot reset " + metricsFile() + ": " + e.getMessage(), e);
    }
  }

  /** Versions of maect, ND4J and Java (read from jar manifests / Maven metadata; "unknown" if absent). */
  public static Map<String, String> versions() {
    Map<String, String> v = new LinkedHashMap<>();
    String maect = RunDirectory.class.getPackage().getImplementationVersion();
    v.put("maect", maect == null ? "development" : maect);
    v.put("nd4j", mavenVersion("org.nd4j", "nd4j-api"));
    v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
    v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return v;
  }

  private static String mavenVersion(String group, String artifact) {
    String res = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = RunDirectory.class.getClassLoader().getResourceAsStream(res)) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String h = System.getenv("HOSTNAME");
      return h == null ? "unknown" : h;
    }
  }

  @Override
  public synchronized void close() {
    if (metrics != null) {
      try {
        metrics.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        metrics = null;
      }
    }
  }
}
