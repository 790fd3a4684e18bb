package org.maect.samediff.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.maect.core.train.AtomicFiles;
import org.maect.core.train.LrSchedule;
import org.maect.core.train.RunDirectory;
import org.maect.core.train.SeededRandom;
import org.maect.core.train.TrainingListener;
import org.maect.core.train.TrainingStatus;
import org.maect.samediff.optim.AdamW;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manual training loop (SameDiff's {@code fit} is unusable in M2.1, see DESIGN.md): for each batch, a
 * {@link StepFunction} gives loss and gradients; the loop checks them for NaN/Inf, applies {@link AdamW} with the
 * {@link LrSchedule}'s lr in place on the parameter arrays, calls listeners, appends {@code metrics.jsonl}, and
 * writes {@code checkpoints/last.ckpt} every N steps and at the end (atomically: the previous checkpoint survives
 * any failure). With {@code resume(true)} it continues from {@code last.ckpt}: weights, state arrays, AdamW
 * state, step count and RNG.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * SameDiff sd = ...;                                     // placeholder "x" [B, C, H, W], scalar loss "loss"
 * OptimConfig oc = OptimConfig.maePretrain().withEpochs(20).withBatchSize(256);
 * ImageDataset ds = Datasets.load("fashion-mnist", Split.TRAIN, null);
 * BatchSource<Batch> data = BatchSource.of(ds.size() / oc.batchSize(),     // drop-last epochs
 *     epoch -> BatchIterator.ofEpoch(ds, oc.batchSize(), 1, transform, seed, epoch));
 * StepFunction<Batch> step = SameDiffStep.of(sd, "loss",
 *     (b, ctx) -> Map.of("x", Nd4j.create(b.view(0), b.shape(), 'c'),
 *                        "noise", maskingNoise(b.size(), ctx.rng())),     // per-step randomness from ctx.rng()
 *     Batch::size);
 * TrainLoop.Result r = TrainLoop.builder("pretrain", sd)  // trains all VARIABLEs; CONSTANTs are frozen
 *     .optimizer(AdamW.of(oc))                           // or AdamW.of(oc, ParamGroup.layerwise(lrd, wd))
 *     .schedule(LrSchedule.of(oc, data.stepsPerEpoch(), 1))   // views = 1 (MAE), 2 (NNCLR / CT)
 *     .epochs(oc.epochs())                               // or .totalSteps(n)
 *     .runDirectory(RunDirectory.open(Path.of("runs/mae")))   // run.json, metrics.jsonl, checkpoints/last.ckpt
 *     .config(resolvedConfigRecord).seed(seed)
 *     .checkpointEverySteps(500)
 *     .state(Map.of("queue", queueArray))                // extra arrays saved + restored in place (optional)
 *     .listener(ProgressReporter.stderr(quiet))
 *     .resume(resumeFlag)
 *     .build()
 *     .run(data, step);
 * }</pre>
 * For work after each update (EMA, queue), implement {@link StepFunction#afterUpdate}; extra scalars to log go
 * in {@link StepFunction.Result#metrics}. Freeze variables with {@code sd.convertToConstant} before
 * {@code builder(stage, sd)}; they are saved in checkpoints but not trained. Per-step randomness (masking noise,
 * neighbour sampling) should come from {@code ctx.rng()} (the loop also reseeds ND4J's global RNG before every
 * step) so a resumed run repeats the uninterrupted one exactly.
 */
public final class TrainLoop {
  private static final Logger log = LoggerFactory.getLogger(TrainLoop.class);

  /** What a finished {@link #run} did. */
  public record Result(long firstStep, long lastStep, double lastLoss, List<Double> losses, Path lastCheckpoint,
      double seconds, boolean stoppedEarly) {}

  private final String stage;
  private final Map<String, INDArray> params;
  private final Map<String, INDArray> weights;
  private final Map<String, INDArray> state;
  private final AdamW optimizer;
  private final LrSchedule schedule;
  private final int epochs;
  private final long stepsOverride;
  private int runEpochs;
  private final RunDirectory runDir;
  private final Object config;
  private final long seed;
  private final long checkpointEvery;
  private final long logEvery;
  private final long stopAfter;
  private final boolean resume;
  private final boolean overwrite;
  private final long keepEvery;
  private final List<TrainingListener> listeners;
  private final Map<String, String> meta;

  private TrainLoop(Builder b) {
    this.stage = b.stage;
    this.params = b.params;
    this.weights = b.weights;
    this.state = b.state;
    this.optimizer = Objects.requireNonNull(b.optimizer, "optimizer");
    this.schedule = Objects.requireNonNull(b.schedule, "schedule");
    this.epochs = b.epochs;
    this.stepsOverride = b.steps;
    this.runDir = b.runDir;
    this.config = b.config;
    this.seed = b.seed;
    this.checkpointEvery = b.checkpointEvery;
    this.logEvery = b.logEvery;
    this.stopAfter = b.stopAfter;
    this.resume = b.resume;
    this.overwrite = b.overwrite;
    this.keepEvery = b.keepEvery;
    this.listeners = List.copyOf(b.listeners);
    this.meta = Map.copyOf(b.meta);
    if (epochs < 1) throw new IllegalArgumentException("Invalid epochs (must be >= 1): " + epochs);
    if (resume && runDir == null) throw new IllegalArgumentException("resume needs a run directory");
  }

  /** A loop training all VARIABLEs of {@code sd} and checkpointing all VARIABLEs and CONSTANTs. */
  public static Builder builder(String stage, SameDiff sd) {
    return builder(stage, Checkpoint.trainableOf(sd), Checkpoint.weightsOf(sd));
  }

  /**
   * A loop over explicit arrays.
   *
   * @param params trainable arrays (updated in place), by name
   * @param weights all arrays to checkpoint as weights (should include {@code params})
   */
  public static Builder builder(String stage, Map<String, INDArray> params, Map<String, INDArray> weights) {
    return new Builder(stage, params, weights);
  }

  private static com.fasterxml.jackson.databind.JsonNode configTree(Object config) {
    try {
      return RunDirectory.JSON.readTree(RunDirectory.JSON.writeValueAsString(config));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs (or resumes) the stage to its end, or to {@code stopAfterStep}. */
  public <B> Result run(BatchSource<B> data, StepFunction<B> fn) {
    int spe = data.stepsPerEpoch();
    if (spe < 1) throw new IllegalArgumentException("BatchSource has no steps per epoch: " + spe);
    long totalSteps = stepsOverride > 0 ? stepsOverride : (long) spe * epochs;
    runEpochs = (int) ((totalSteps + spe - 1) / spe);
    if (schedule.totalSteps() != totalSteps) {
      log.warn("[{}] schedule total steps {} != the loop's total steps {}", stage, schedule.totalSteps(), totalSteps);
    }
    SeededRandom rng = SeededRandom.of(seed);
    long step = 0;
    Path last = runDir == null ? null : runDir.lastCheckpoint();
    long lastGoodStep = -1;
    if (resume && Files.exists(last)) {
      Checkpoint c = Checkpoint.read(last);
      c.restoreWeights(weights);
      c.restoreState(state);
      c.restoreOptimizer(optimizer, params);
      rng = SeededRandom.fromState(c.rngState());
      step = c.step();
      lastGoodStep = step;
      log.info("[{}] resumed from {} at step {} (epoch {})", stage, last, step, c.epoch());
      // through text, as the checkpoint's copy was read: a long field reads back as an int node, and
      // valueToTree's LongNode(3) would not equal IntNode(3) (a spurious "config differs" warning on every resume)
      com.fasterxml.jackson.databind.JsonNode now = configTree(config);
      if (c.config() != null && !c.config().equals(now)) {
        log.warn("[{}] the config differs from the one saved in {}: checkpoint {} vs now {}", stage, last,
            c.config(), now);
      }
      runDir.appendMetrics(Map.of("type", "resume", "stage", stage, "step", step));
    } else if (resume) {
      log.info("[{}] --resume: no checkpoint at {}, starting from scratch", stage, last);
    }
    if (runDir != null && step == 0) {
      if (Files.exists(last) && !overwrite) {
        throw new IllegalStateException("Run directory " + runDir.root() + " already holds a checkpoint (" + last
            + "); resume it (--resume) or choose a new directory");
      }
      runDir.resetMetrics();
      runDir.writeRunJson(stage, seed, config, Map.of("totalSteps", totalSteps, "stepsPerEpoch", spe,
          "epochs", runEpochs, "peakLr", schedule.peakLr(), "warmupSteps", schedule.warmupSteps()));
    }
    long nParams = 0;
    for (INDArray a : params.values()) nParams += a.length();
    log.info("[{}] {} trainable tensors ({} parameters), {} steps ({} epochs x {}), peak lr {}, warm-up {} steps,"
        + " end lr {}", stage, params.size(), nParams, totalSteps, runEpochs, spe, schedule.peakLr(),
        schedule.warmupSteps(), schedule.endLr());
    long firstStep = step;
    long t0 = System.nanoTime();
    List<Double> losses = new ArrayList<>();
    double lastLoss = Double.NaN;
    double lastLr = schedule.lr(Math.min(step, totalSteps - 1));
    // throughput window
    long winImages = 0;
    long winStart = t0;
    double ips = 0;
    TrainingStatus start = status((int) (step / spe), step, totalSteps, Double.NaN, lastLr, 0, t0, Map.of());
    fire(l -> l.onStart(start));
    boolean stoppedEarly = false;
    outer:
    while (step < totalSteps) {
      int epoch = (int) (step / spe);
      int skip = (int) (step % spe);
      double epochLossSum = 0;
      int epochSteps = 0;
      Iterator<B> it = data.epoch(epoch, skip);
      try {
        for (int k = skip; k < spe && step < totalSteps; k++) {
          if (!it.hasNext()) {
            throw new IllegalStateException("BatchSource ended epoch " + epoch + " after " + k + " of "
                + spe + " batches");
          }
          B batch = it.next();
          double lr = schedule.lr(step);
          SeededRandom stepRng = SeededRandom.of(rng.nextLong());
          Nd4j.getRandom().setSeed(stepRng.derive(-1).nextLong());
          StepFunction.Context ctx = new StepFunction.Context(step, epoch, k, lr, stepRng);
          StepFunction.Result res = fn.step(batch, ctx);
          double gradNorm;
          try {
            gradNorm = checkFinite(res, step, epoch, k, lastGoodStep);
          } catch (NonFiniteLossException e) {
            if (runDir != null) {
              runDir.appendMetrics(Map.of("type", "error", "stage", stage, "step", step + 1, "message",
                  e.getMessage()));
            }
            log.error(e.getMessage());
            throw e;
          }
          optimizer.step(params, res.gradients(), lr);
          fn.afterUpdate(ctx);
          step++;
          lastLoss = res.loss();
          losses.add(lastLoss);
          epochLossSum += lastLoss;
          epochSteps++;
          winImages += res.images();
          long now = System.nanoTime();
          if (now - winStart > 2_000_000_000L || ips == 0) {
            ips = winImages / ((now - winStart) / 1e9);
            winImages = 0;
            winStart = now;
          }
          Map<String, Double> metrics = new LinkedHashMap<>(res.metrics());
          metrics.put("grad_norm", gradNorm);
          TrainingStatus s = status(epoch, step, totalSteps, lastLoss, lr, ips, t0, metrics);
          fire(l -> l.onStep(s));
          if (runDir != null && (step % logEvery == 0 || step == totalSteps)) runDir.appendMetrics(record("step", s));
          fn.release(res);
          boolean stopNow = stopAfter > 0 && step >= stopAfter;
          if (runDir != null && ((checkpointEvery > 0 && step % checkpointEvery == 0) || step == totalSteps || stopNow)) {
            writeCheckpoint(last, step, (int) (step / spe), rng, s);
            lastGoodStep = step;
            if (keepEvery > 0 && step % keepEvery == 0) {
              Path snap = runDir.checkpointDir().resolve(String.format("step-%08d.ckpt", step));
              try {
                AtomicFiles.write(snap, out -> Files.copy(last, out));
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("Cannot write " + snap + ": " + e.getMessage(), e);
              }
            }
          }
          if (stopNow && step < totalSteps) {
            stoppedEarly = true;
            break outer;
          }
        }
      } finally {
        if (it instanceof AutoCloseable ac) {
          try {
            ac.close();
          } catch (Exception e) {
            log.warn("closing batch iterator: {}", e.toString());
          }
        }
      }
      TrainingStatus es = status(epoch, step, totalSteps, epochLossSum / Math.max(1, epochSteps),
          schedule.lr(step - 1), ips, t0, Map.of());
      fire(l -> l.onEpochEnd(es));
      if (runDir != null) runDir.appendMetrics(record("epoch", es));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    TrainingStatus end = status((int) Math.max(0, Math.min(runEpochs - 1, (step - 1) / spe)), step, totalSteps, lastLoss,
        lastLr, ips, t0, Map.of());
    fire(l -> l.onEnd(end));
    return new Result(firstStep, step, lastLoss, losses, runDir == null ? null : last, secs, stoppedEarly);
  }

  private double checkFinite(StepFunction.Result res, long step, int epoch, int k, long lastGoodStep) {
    long n1 = step + 1;
    String where = "step " + n1 + " (epoch " + (epoch + 1) + ", batch " + (k + 1) + ")";
    String ckpt = lastGoodStep >= 0
        ? "The last good checkpoint " + runDir.lastCheckpoint() + " (after step " + lastGoodStep
            + ") is intact; fix the cause (lower lr?) and rerun with --resume."
        : "No checkpoint had been written yet.";
    if (!Double.isFinite(res.loss())) {
      throw new NonFiniteLossException("[" + stage + "] non-finite loss " + res.loss() + " at " + where
          + "; stopped before updating the parameters. " + ckpt, n1);
    }
    double sq = 0;
    for (Map.Entry<String, INDArray> e : res.gradients().entrySet()) {
      double n = e.getValue().norm2Number().doubleValue();
      if (!Double.isFinite(n)) {
        throw new NonFiniteLossException("[" + stage + "] non-finite gradient for '" + e.getKey() + "' at " + where
            + " (loss " + res.loss() + "); stopped before updating the parameters. " + ckpt, n1);
      }
      sq += n * n;
    }
    return Math.sqrt(sq);
  }

  private void writeCheckpoint(Path file, long step, int epoch, SeededRandom rng, TrainingStatus s) {
    Map<String, String> m = new LinkedHashMap<>(meta);
    m.put("stage", stage);
    new Checkpoint(step, epoch, rng.state(), config, m, weights, state, optimizer).write(file);
    fire(l -> l.onCheckpoint(file, s));
  }

  private TrainingStatus status(int epoch, long step, long total, double loss, double lr, double ips, long t0,
      Map<String, Double> metrics) {
    return new TrainingStatus(stage, epoch, runEpochs, step, total, loss, lr, ips, (System.nanoTime() - t0) / 1e9,
        metrics);
  }

  private static Map<String, Object> record(String type, TrainingStatus s) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("type", type);
    r.put("stage", s.stage());
    r.put("epoch", s.epoch());
    r.put("step", s.step());
    r.put("loss", finiteOrNull(s.loss()));
    r.put("lr", s.lr());
    r.put("images_per_s", finiteOrNull(s.imagesPerSecond()));
    r.put("time_s", s.elapsedSeconds());
    s.metrics().forEach((k, v) -> r.put(k, finiteOrNull(v)));
    return r;
  }

  private static Object finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private void fire(java.util.function.Consumer<TrainingListener> c) {
    for (TrainingListener l : listeners) c.accept(l);
  }

  /** Options of a {@link TrainLoop}. */
  public static final class Builder {
    private final String stage;
    private final Map<String, INDArray> params;
    private final Map<String, INDArray> weights;
    private Map<String, INDArray> state = Map.of();
    private AdamW optimizer;
    private LrSchedule schedule;
    private int epochs = 1;
    private long steps;
    private RunDirectory runDir;
    private Object config;
    private long seed;
    private long checkpointEvery;
    private long logEvery = 1;
    private long stopAfter;
    private boolean resume;
    private boolean overwrite;
    private long keepEvery;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Map<String, String> meta = new LinkedHashMap<>();

    private Builder(String stage, Map<String, INDArray> params, Map<String, INDArray> weights) {
      this.stage = Objects.requireNonNull(stage, "stage");
      this.params = new LinkedHashMap<>(params);
      Map<String, INDArray> w = new LinkedHashMap<>(weights);
      params.forEach(w::putIfAbsent);
      this.weights = w;
    }

    public Builder optimizer(AdamW o) {
      this.optimizer = o;
      return this;
    }

    public Builder schedule(LrSchedule s) {
      this.schedule = s;
      return this;
    }

    public Builder epochs(int e) {
      this.epochs = e;
      return this;
    }

    /** Run exactly {@code n} optimiser steps (overrides {@link #epochs}; the last epoch may be partial). */
    public Builder totalSteps(long n) {
      if (n < 0) throw new IllegalArgumentException("Invalid total steps: " + n);
      this.steps = n;
      return this;
    }

    /** Where run.json, metrics.jsonl and checkpoints go (null: nothing written, no resume). */
    public Builder runDirectory(RunDirectory r) {
      this.runDir = r;
      return this;
    }

    /** Resolved config saved in run.json and in every checkpoint (Jackson-serialisable). */
    public Builder config(Object c) {
      this.config = c;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** Non-trainable arrays saved in checkpoints and restored in place on resume (EMA weights, queues). */
    public Builder state(Map<String, INDArray> s) {
      this.state = new LinkedHashMap<>(s);
      return this;
    }

    /** Write last.ckpt every {@code n} steps (0: only at the end). */
    public Builder checkpointEverySteps(long n) {
      if (n < 0) throw new IllegalArgumentException("Invalid checkpoint interval: " + n);
      this.checkpointEvery = n;
      return this;
    }

    /** Append a metrics.jsonl line every {@code n} steps (default 1). */
    public Builder logEverySteps(long n) {
      if (n < 1) throw new IllegalArgumentException("Invalid log interval: " + n);
      this.logEvery = n;
      return this;
    }

    /** Stop (with a checkpoint) once {@code step} steps are done; 0 = run to the end. */
    public Builder stopAfterStep(long step) {
      if (step < 0) throw new IllegalArgumentException("Invalid stop step: " + step);
      this.stopAfter = step;
      return this;
    }

    /** Continue from {@code checkpoints/last.ckpt} of the run directory if it exists. */
    public Builder resume(boolean r) {
      this.resume = r;
      return this;
    }

    /**
     * Allow a fresh start in a run directory that already holds a checkpoint (it is replaced at the first
     * checkpoint; metrics.jsonl is restarted). Without this, such a start fails so a finished run is not lost.
     */
    public Builder overwrite(boolean o) {
      this.overwrite = o;
      return this;
    }

    /** Also keep a copy {@code checkpoints/step-NNNNNNNN.ckpt} every {@code n} steps (0: only last.ckpt). */
    public Builder keepEverySteps(long n) {
      if (n < 0) throw new IllegalArgumentException("Invalid keep interval: " + n);
      this.keepEvery = n;
      return this;
    }

    public Builder listener(TrainingListener l) {
      this.listeners.add(Objects.requireNonNull(l));
      return this;
    }

    /** Free-form metadata saved in checkpoints. */
    public Builder meta(String key, String value) {
      this.meta.put(key, value);
      return this;
    }

    public TrainLoop build() {
      return new TrainLoop(this);
    }
  }
}
