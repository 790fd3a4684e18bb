package org.maect.examples.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.maect.core.data.Augmentations;
import org.maect.core.data.Datasets;
import org.maect.core.data.ImageDataset;
import org.maect.core.data.ImageTransform;
import org.maect.core.data.Normalize;
import org.maect.core.data.Split;
import org.maect.core.io.Npy;
import org.maect.core.train.AtomicFiles;
import org.maect.core.train.RunDirectory;
import org.maect.eval.EvalResult;
import org.maect.eval.Evaluator;
import org.maect.samediff.mae.MaePretrainer;
import org.maect.samediff.nnclr.ContrastiveTuner;
import org.maect.samediff.nnclr.EncoderCheckpoint;
import org.maect.samediff.nnclr.EncoderFeatures;
import org.maect.samediff.nnclr.HeadInitializer;
import org.maect.samediff.nnclr.NnclrModel;
import org.maect.samediff.nnclr.StageOptions;
import org.maect.samediff.nnclr.StageResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end MAE-CT pipeline: stage 1 (MAE pre-training) -> evaluation of the MAE encoder -> stage 2 (NNCLR
 * head initialisation) -> stage 3 (contrastive tuning) -> evaluation of the tuned (EMA) encoder -> {@code
 * results.json}, a MAE vs MAE-CT table and figures.
 *
 * <p>Layout of the output directory:
 *
 * <pre>
 *   pipeline.json        resolved configuration (a rerun with another configuration is refused)
 *   1-mae/               stage-1 run directory (run.json, metrics.jsonl, checkpoints/, reconstructions.png)
 *   eval-mae/            features of the MAE encoder (train/test .npy), eval.json, kmeans-labels.npy
 *   2-head-init/         stage-2 run directory
 *   3-tune/              stage-3 run directory (checkpoints/encoder.ckpt = the EMA encoder evaluated)
 *   eval-maect/          as eval-mae/ for the tuned encoder
 *   results.json         {"mae": {...}, "maect": {...}, "seconds": {...}, "config": {...}}
 *   figures/             PNGs
 * </pre>
 *
 * <p>Each stage writes {@code done.json} atomically as its last act; a rerun skips stages that have it and
 * resumes the others from their last checkpoint (training stages) or recomputes them (evaluations).
 */
public final class Pipeline {
  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /** Marker written (atomically) when a stage has finished. */
  public static final String DONE = "done.json";
  public static final String RESULTS = "results.json";
  public static final String CONFIG = "pipeline.json";

  /** Stage directories, in order. */
  public static final String MAE = "1-mae";
  public static final String EVAL_MAE = "eval-mae";
  public static final String HEAD_INIT = "2-head-init";
  public static final String TUNE = "3-tune";
  public static final String EVAL_MAECT = "eval-maect";

  private Pipeline() {}

  /**
   * @param preset what to run
   * @param out output directory (created)
   * @param dataDir dataset directory or null for the default lookup
   * @param quiet no progress lines
   * @param figures write the figures at the end
   */
  public record Options(PipelinePreset preset, Path out, Path dataDir, boolean quiet, boolean figures) {
    public Options {
      if (preset == null) throw new IllegalArgumentException("a preset is required");
      if (out == null) throw new IllegalArgumentException("an output directory is required");
    }
  }

  /** One stage's outcome: wall seconds (of the run that finished it) and whether this run skipped it. */
  public record StageInfo(String name, Path dir, double seconds, double cpuSeconds, boolean skipped,
      JsonNode summary) {}

  /**
   * What the pipeline produced.
   *
   * @param mae evaluation of the MAE encoder (the JSON of {@code ./maect evaluate})
   * @param maect evaluation of the tuned encoder
   */
  public record Result(Path out, JsonNode mae, JsonNode maect, List<StageInfo> stages, Path results,
      List<Path> figures, String table, double seconds) {

    public StageInfo stage(String name) {
      return stages.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Weighted k-NN accuracy at {@code k} of the MAE ({@code maect=false}) or tuned encoder. */
    public double knn(boolean maect, int k) {
      return Report.number(maect ? this.maect : mae, "knn", String.valueOf(k));
    }

    /** k-means cluster accuracy after Hungarian matching. */
    public double clusterAccuracy(boolean maect) {
      return Report.number(maect ? this.maect : mae, "kmeans", "cluster_acc");
    }
  }

  @FunctionalInterface
  interface StageBody {
    JsonNode run(Path dir) throws Exception;
  }

  public static Result run(Options o) {
    long t0 = System.nanoTime();
    PipelinePreset p = o.preset();
    Path out = o.out();
    try {
      Files.createDirectories(out);
      checkConfig(out, p);
      List<StageInfo> stages = new ArrayList<>();
      stages.add(stage(out, MAE, dir -> {
        MaePretrainer.Result r = MaePretrainer.run(p.mae(),
            new MaePretrainer.Options(dir, true, o.quiet(), 0, p.checkpointEvery(), o.dataDir()));
        ObjectNode s = RunDirectory.JSON.createObjectNode();
        s.put("steps", r.lastStep()).put("first_loss", r.firstLoss()).put("last_loss", r.lastLoss())
            .put("images_per_s", r.imagesPerSecond()).put("reconstruction_mse", r.reconstructionMse());
        return s;
      }));
      stages.add(stage(out, EVAL_MAE, dir -> evaluate(out.resolve(MAE), dir, p, o.dataDir())));
      stages.add(stage(out, HEAD_INIT, dir -> summary(HeadInitializer.run(stageOptions(p, o, out.resolve(MAE), dir)))));
      stages.add(stage(out, TUNE, dir -> summary(ContrastiveTuner.run(stageOptions(p, o, out.resolve(HEAD_INIT), dir)))));
      stages.add(stage(out, EVAL_MAECT, dir -> evaluate(out.resolve(TUNE), dir, p, o.dataDir())));

      JsonNode mae = RunDirectory.JSON.readTree(out.resolve(EVAL_MAE).resolve("eval.json").toFile());
      JsonNode maect = RunDirectory.JSON.readTree(out.resolve(EVAL_MAECT).resolve("eval.json").toFile());
      Path results = writeResults(out, p, mae, maect, stages);
      List<Path> figures = new ArrayList<>();
      if (o.figures()) {
        try {
          figures.addAll(Figures.writeAll(out, p, o.dataDir()));
        } catch (RuntimeException | IOException e) {
          log.warn("figures failed ({}); results are complete", e.toString(), e);
        }
      }
      String table = Report.table(mae, maect, stages);
      double secs = (System.nanoTime() - t0) / 1e9;
      return new Result(out, mae, maect, stages, results, figures, table, secs);
    } catch (IOException e) {
      throw new UncheckedIOException("pipeline in " + out + ": " + e.getMessage(), e);
    }
  }

  private static StageOptions stageOptions(PipelinePreset p, Options o, Path from, Path dir) {
    return new StageOptions(from, dir, p.contrastive(), p.dataset(), o.dataDir(), p.seed(), true, o.quiet(),
        p.checkpointEvery(), p.contrastiveTrainLimit(), true);
  }

  private static JsonNode summary(StageResult r) {
    ObjectNode s = RunDirectory.JSON.createObjectNode();
    s.put("steps", r.steps()).put("last_loss", r.lastLoss()).put("nn_accuracy", r.nnAccuracy());
    return s;
  }

  /** Runs a stage unless its {@code done.json} exists; writes that marker (atomically) at the end. */
  static StageInfo stage(Path out, String name, StageBody body) throws IOException {
    Path dir = out.resolve(name);
    Path done = dir.resolve(DONE);
    if (Files.isRegularFile(done)) {
      JsonNode d = RunDirectory.JSON.readTree(done.toFile());
      log.info("[pipeline] {}: finished earlier ({}), skipped", name, done);
      return new StageInfo(name, dir, d.path("seconds").asDouble(Double.NaN),
          d.path("cpu_seconds").asDouble(Double.NaN), true, d.path("summary"));
    }
    Files.createDirectories(dir);
    // one process per stage directory: a second pipeline/ablate on the same directory fails instead of
    // interleaving checkpoints (the lock goes with the process, also when it is killed)
    java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = lockFile.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this JVM
    }
    if (lock == null) {
      lockFile.close();
      throw new IllegalStateException(name + ": " + dir + " is being run by another process; wait for it or stop it");
    }
    try (lockFile) {
      return runStage(dir, done, name, body);
    }
  }

  private static StageInfo runStage(Path dir, Path done, String name, StageBody body) throws IOException {
    log.info("[pipeline] {}: running in {}", name, dir);
    long t0 = System.nanoTime();
    long cpu0 = cpuNanos();
    JsonNode summary;
    try {
      summary = body.run(dir);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(name + ": " + e.getMessage(), e);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    ObjectNode d = RunDirectory.JSON.createObjectNode();
    double cpu = (cpuNanos() - cpu0) / 1e9;
    d.put("stage", name).put("seconds", secs).put("cpu_seconds", cpu).set("summary", summary);
    AtomicFiles.write(done, RunDirectory.JSON.writeValueAsBytes(d));
    log.info("[pipeline] {}: done in {} s ({} s CPU)", name, String.format(Locale.ROOT, "%.0f", secs),
        String.format(Locale.ROOT, "%.0f", cpu));
    return new StageInfo(name, dir, secs, cpu, false, summary);
  }

  /** CPU time of this process (all threads, JVM and native), or 0 when unavailable. */
  static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) return Math.max(0, sun.getProcessCpuTime());
    return 0;
  }

  /** The same output directory must not mix configurations: finished stages would be silently reused. */
  private static void checkConfig(Path out, PipelinePreset p) throws IOException {
    Path f = out.resolve(CONFIG);
    // through text, so numbers compare as they read back (a long seed reads back as an int node)
    JsonNode now = RunDirectory.JSON.readTree(RunDirectory.JSON.writeValueAsString(p));
    if (Files.isRegularFile(f)) {
      JsonNode before = RunDirectory.JSON.readTree(f.toFile());
      if (!before.equals(now)) {
        throw new IllegalArgumentException(out + " holds a pipeline run with another configuration (" + f
            + "); choose another --out or delete that directory");
      }
      return;
    }
    AtomicFiles.write(f, RunDirectory.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(now));
  }

  /** Features of the run's encoder on train and test, the evaluation protocol, eval.json + kmeans labels. */
  static JsonNode evaluate(Path run, Path dir, PipelinePreset p, Path dataDir) throws IOException {
    Features f = embed(run, p, dataDir);
    Npy.write(dir.resolve("train-features.npy"), f.train());
    Npy.write(dir.resolve("test-features.npy"), f.test());
    Npy.write(dir.resolve("train-labels.npy"), f.trainLabels());
    Npy.write(dir.resolve("test-labels.npy"), f.testLabels());
    long t0 = System.nanoTime();
    EvalResult r = Evaluator.evaluate(p.eval(), f.train(), f.trainLabels(), f.test(), f.testLabels());
    double evalSecs = (System.nanoTime() - t0) / 1e9;
    if (r.kmeansLabels() != null) Npy.write(dir.resolve("kmeans-labels.npy"), r.kmeansLabels());
    r.writeJson(dir.resolve("eval.json"));
    log.info("[pipeline] evaluation of {}:\n{}", f.encoder(), r.toTable());
    ObjectNode s = RunDirectory.JSON.createObjectNode();
    s.put("encoder", f.encoder().toString()).put("train", f.train().length).put("test", f.test().length)
        .put("dim", f.train()[0].length).put("embed_seconds", f.seconds()).put("eval_seconds", evalSecs);
    return s;
  }

  /** Pooled features of a run's encoder (head pooling, evaluation transform, dataset normalisation). */
  public record Features(Path encoder, float[][] train, int[] trainLabels, float[][] test, int[] testLabels,
      double seconds) {}

  public static Features embed(Path run, PipelinePreset p, Path dataDir) {
    long t0 = System.nanoTime();
    EncoderCheckpoint enc = EncoderCheckpoint.load(run);
    ImageDataset train = Datasets.load(p.dataset(), Split.TRAIN, dataDir);
    ImageDataset test = Datasets.load(p.dataset(), Split.TEST, dataDir);
    ImageTransform t = Augmentations.evalTransform(enc.vit().imageSize(), Normalize.forDataset(p.dataset()));
    EncoderFeatures ef = new EncoderFeatures(enc.vit(), enc.weights(),
        NnclrModel.vitPooling(p.contrastive().head().pooling()), DataType.FLOAT);
    float[][] xtr = ef.extract(train, t, 256, p.evalTrainLimit());
    float[][] xte = ef.extract(test, t, 256, p.evalTestLimit());
    double secs = (System.nanoTime() - t0) / 1e9;
    log.info("[pipeline] embedded {} train + {} test images with {} in {} s", xtr.length, xte.length, enc.file(),
        String.format(Locale.ROOT, "%.0f", secs));
    return new Features(enc.file(), xtr, labels(train, xtr.length), xte, labels(test, xte.length), secs);
  }

  static int[] labels(ImageDataset ds, int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = ds.label(i);
    return y;
  }

  private static Path writeResults(Path out, PipelinePreset p, JsonNode mae, JsonNode maect, List<StageInfo> stages)
      throws IOException {
    ObjectNode root = RunDirectory.JSON.createObjectNode();
    root.set("mae", mae);
    root.set("maect", maect);
    ObjectNode secs = root.putObject("seconds");
    double total = 0;
    for (StageInfo s : stages) {
      secs.put(s.name(), s.seconds());
      total += s.seconds();
    }
    secs.put("total", total);
    ObjectNode cpu = root.putObject("cpu_seconds");
    for (StageInfo s : stages) cpu.put(s.name(), s.cpuSeconds());
    ObjectNode st = root.putObject("stages");
    for (StageInfo s : stages) st.set(s.name(), s.summary());
    root.set("config", RunDirectory.JSON.valueToTree(p));
    Map<String, String> versions = new LinkedHashMap<>(RunDirectory.versions());
    root.set("versions", RunDirectory.JSON.valueToTree(versions));
    Path f = out.resolve(RESULTS);
    AtomicFiles.write(f, RunDirectory.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    return f;
  }
}
