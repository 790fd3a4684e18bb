package org.maect.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.maect.core.config.MaeConfig;
import org.maect.core.config.NnclrHeadConfig;
import org.maect.core.config.ViTConfig;
import org.maect.examples.bench.BenchCommandSupport;
import org.maect.examples.bench.BenchPreset;
import org.maect.examples.bench.BenchResult;
import org.maect.examples.bench.BenchWorker;
import org.maect.examples.bench.TorchReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./maect bench}: throughput, counted GFLOP/s and peak RSS of the MAE step, the CT step and the
 * embedding pass, ours vs the PyTorch reference in the same run.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Time mae_step (MAE pre-training step), ct_step (contrastive-tuning step: two views, head, queue, EMA)",
      "and embed (evaluation embedding pass): warm-up steps, then the median of timed steps; images/s,",
      "counted GFLOP/s and peak RSS (VmHWM of a fresh JVM per benchmark). When a Python with torch is found,",
      "the same steps run in tools/bench/torch_bench.py (same shapes and threads) and the ratio is printed.",
      "--soak N runs N steps and prints RSS at intervals (it should stay flat)."
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(names = "--step", split = ",", defaultValue = "mae_step,ct_step,embed",
      description = "steps to time, comma-separated (default: ${DEFAULT-VALUE})")
  List<String> steps;

  @Option(names = "--preset", split = ",", defaultValue = "cpu28",
      description = "model presets, comma-separated: cpu28, cpu32, vit_ti (default: ${DEFAULT-VALUE})")
  List<String> presets;

  @Option(names = {"--batch", "--batch-size"}, split = ",", defaultValue = "0",
      description = "batch sizes, comma-separated; 0 = the preset's (MAE 256, CT 128 per view x 2, embed 256)")
  List<Integer> batches;

  @Option(names = "--warmup", defaultValue = "5",
      description = "untimed steps; the plan's Java kernels are JIT-compiled during them (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--steps", defaultValue = "5", description = "timed steps, median reported (default: ${DEFAULT-VALUE})")
  int timed;

  @Option(names = "--repeat", defaultValue = "1",
      description = "alternate ours / PyTorch this many times, report the median run (default: ${DEFAULT-VALUE})")
  int repeat;

  @Option(names = "--threads", defaultValue = "auto",
      description = "OMP threads for both: a number, or auto = the cores not busy by the 1-minute load average"
          + " (cores minus load, at least 1); default ${DEFAULT-VALUE}")
  String threads;

  @Option(names = "--json", paramLabel = "OUT", description = "write the results as JSON")
  Path json;

  @Option(names = "--soak", paramLabel = "N", defaultValue = "0",
      description = "soak mode: N steps of each --step (default mae_step), RSS every --soak-every steps")
  int soak;

  @Option(names = "--soak-every", defaultValue = "0", description = "soak sampling interval (0 = N/20)")
  int soakEvery;

  @Option(names = "--no-torch", description = "do not run the PyTorch reference")
  boolean noTorch;

  @Option(names = "--python", description = "Python with torch (default: $MAECT_PYTHON, python3, /usr/bin/python3)")
  String python;

  @Option(names = "--jvm-opt", description = "extra JVM option for the benchmark JVMs (repeatable)")
  List<String> jvmOptions = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    int n = resolveThreads(threads);
    for (String p : presets) BenchPreset.of(p); // fail early on unknown names
    steps = steps.stream().map(s -> s.equals("mae-pretrain") ? "mae_step" : s).toList();
    for (String s : steps) {
      if (!List.of("mae_step", "ct_step", "embed").contains(s)) {
        throw new IllegalArgumentException("Unknown --step '" + s + "' (known: mae_step, ct_step, embed)");
      }
    }
    if (soak > 0) return soak(n);
    Optional<TorchReference> torch = noTorch ? Optional.empty() : TorchReference.find(python);
    System.out.printf("maect bench: %d cores, load average %.2f before start, OMP threads %d, warm-up %d, "
        + "median of %d steps, %d repeat(s); PyTorch: %s%n", Runtime.getRuntime().availableProcessors(),
        BenchCommandSupport.loadAverage(), n, warmup, timed, repeat,
        torch.map(TorchReference::python).orElse("not run"));
    System.out.printf("%-8s %-7s %6s | %10s %8s %8s | %10s %8s %8s | %6s %6s%n", "step", "preset", "batch",
        "ours img/s", "GFLOP/s", "RSS MB", "torch img/s", "GFLOP/s", "RSS MB", "ratio", "RSS x");
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> byPreset = new LinkedHashMap<>();
    List<Map<String, Object>> all = new ArrayList<>();
    for (String presetName : presets) {
      BenchPreset p = BenchPreset.of(presetName);
      for (int batchArg : batches) {
        for (String step : steps) {
          int batch = batchArg > 0 ? batchArg : p.defaultBatch(step);
          List<BenchResult> ours = new ArrayList<>();
          List<BenchResult> theirs = new ArrayList<>();
          for (int r = 0; r < repeat; r++) {
            ours.add(BenchCommandSupport.runWorker(workerArgs(step, p.name(), batch, 0, 0), jvmOptions, n));
            if (torch.isPresent()) theirs.add(torch.get().run(torchConfig(step, p, batch, 0, 0, n), n));
          }
          BenchResult o = medianRun(ours);
          BenchResult t = theirs.isEmpty() ? null : medianRun(theirs);
          Map<String, Object> entry = entry(o, t, ours, theirs);
          print(o, t);
          all.add(entry);
          @SuppressWarnings("unchecked")
          Map<String, Object> forPreset =
              (Map<String, Object>) byPreset.computeIfAbsent(p.name() + "/" + batch, k -> new LinkedHashMap<>());
          forPreset.put(step, entry);
          out.putIfAbsent(step, entry);
        }
      }
    }
    if (json != null) {
      out.put("runs", all);
      out.put("by_preset_batch", byPreset);
      out.put("machine", machine(n, torch));
      writeJson(out);
    }
    return 0;
  }

  private int soak(int n) throws Exception {
    List<String> soakSteps = steps.size() == 3 ? List.of("mae_step") : steps;
    int every = soakEvery > 0 ? soakEvery : Math.max(1, soak / 20);
    Map<String, Object> out = new LinkedHashMap<>();
    boolean allFlat = true;
    for (String presetName : presets) {
      BenchPreset p = BenchPreset.of(presetName);
      for (String step : soakSteps) {
        int batch = batches.get(0) > 0 ? batches.get(0) : p.defaultBatch(step);
        System.out.printf("soak: %s %s batch %d, %d steps, RSS every %d steps, OMP threads %d, load %.2f%n", step,
            p.name(), batch, soak, every, n, BenchCommandSupport.loadAverage());
        BenchResult r = BenchCommandSupport.runWorker(workerArgs(step, p.name(), batch, soak, every), jvmOptions, n);
        System.out.printf("%8s %10s %10s %10s %12s%n", "step", "RSS MB", "images/s", "heap MB", "non-heap MB");
        for (List<Double> row : r.rssTrace()) {
          System.out.printf("%8.0f %10.0f %10.1f %10.0f %12.0f%n", row.get(0), row.get(1), row.get(2),
              row.size() > 3 ? row.get(3) : Double.NaN, row.size() > 4 ? row.get(4) : Double.NaN);
        }
        Map<String, Object> verdict = flatness(r.rssTrace());
        allFlat &= (Boolean) verdict.get("flat");
        System.out.printf("RSS after 25%% of the steps %.0f MB, at the end %.0f MB (growth %.0f MB): %s; "
            + "peak %.0f MB, median %.1f images/s%n", verdict.get("rss_quarter_mb"), verdict.get("rss_end_mb"),
            verdict.get("growth_mb"), (Boolean) verdict.get("flat") ? "flat" : "GROWING", r.peakRssMb(),
            r.imagesPerSecond());
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("preset", p.name());
        e.put("batch", batch);
        e.put("steps", soak);
        e.put("images_per_s", r.imagesPerSecond());
        e.put("peak_rss_mb", r.peakRssMb());
        e.put("rss_trace", r.rssTrace());
        e.putAll(verdict);
        out.put(step, e);
      }
    }
    if (json != null) {
      out.put("machine", machine(n, Optional.empty()));
      writeJson(out);
    }
    return allFlat ? 0 : 3;
  }

  /** Flat = RSS at the end at most 5% (and at least 64 MB) above RSS a quarter into the run. */
  public static Map<String, Object> flatness(List<List<Double>> trace) {
    double end = trace.get(trace.size() - 1).get(1);
    double last = trace.get(trace.size() - 1).get(0);
    double quarter = end;
    for (List<Double> row : trace) {
      if (row.get(0) >= last / 4) {
        quarter = row.get(1);
        break;
      }
    }
    double growth = end - quarter;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rss_quarter_mb", quarter);
    m.put("rss_end_mb", end);
    m.put("growth_mb", growth);
    m.put("flat", growth <= Math.max(64, 0.05 * quarter));
    return m;
  }

  private List<String> workerArgs(String step, String preset, int batch, int soakSteps, int every) {
    return List.of("step=" + step, "preset=" + preset, "batch=" + batch, "warmup=" + warmup,
        "steps=" + timed, "soak=" + soakSteps, "every=" + Math.max(1, every));
  }

  /** Everything the PyTorch script needs to build the same model and step. */
  static Map<String, Object> torchConfig(String step, BenchPreset p, int batch, int soakSteps, int every,
      int threads, int warmup, int timed) {
    MaeConfig m = p.mae();
    ViTConfig v = m.encoder();
    NnclrHeadConfig h = p.head();
    var t = p.ct().tuning();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("step", step);
    c.put("preset", p.name());
    c.put("batch", batch);
    c.put("warmup", warmup);
    c.put("steps", timed);
    c.put("soak", soakSteps);
    c.put("every", every);
    c.put("threads", threads);
    c.put("image", v.imageSize());
    c.put("patch", v.patchSize());
    c.put("channels", v.inChannels());
    c.put("dim", v.dim());
    c.put("depth", v.depth());
    c.put("heads", v.heads());
    c.put("mlp_hidden", v.mlpHidden());
    c.put("dec_dim", m.decoderDim());
    c.put("dec_depth", m.decoderDepth());
    c.put("dec_heads", m.decoderHeads());
    c.put("mask_ratio", m.maskRatio());
    c.put("norm_pix", m.normPixLoss());
    c.put("proj_hidden", h.projHiddenDim());
    c.put("pred_hidden", h.predHiddenDim());
    c.put("out_dim", h.outputDim());
    c.put("queue", h.queueSize());
    c.put("temperature", h.temperature());
    c.put("target_factor", h.targetFactor());
    c.put("bn_eps", h.bnEps());
    c.put("bn_momentum", h.bnMomentum());
    c.put("pooling", h.pooling().name());
    c.put("topk", t.topK());
    c.put("frozen_blocks", t.frozenBlocks(v.depth()));
    c.put("encoder_ema", t.encoderEma());
    c.put("layer_decay", t.layerDecay());
    c.put("flops_per_step", BenchWorker.create(step, p, batch).flopsPerStep());
    return c;
  }

  private Map<String, Object> torchConfig(String step, BenchPreset p, int batch, int soakSteps, int every, int n) {
    return torchConfig(step, p, batch, soakSteps, every, n, warmup, timed);
  }

  private static BenchResult medianRun(List<BenchResult> runs) {
    List<BenchResult> s = new ArrayList<>(runs);
    s.sort(Comparator.comparingDouble(BenchResult::imagesPerSecond));
    return s.get((s.size() - 1) / 2);
  }

  private static Map<String, Object> entry(BenchResult o, BenchResult t, List<BenchResult> ours,
      List<BenchResult> theirs) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("preset", o.preset());
    e.put("batch", o.batch());
    e.put("threads", o.threads());
    e.put("images_per_step", o.imagesPerStep());
    e.put("images_per_s", o.imagesPerSecond());
    e.put("gflops", o.gflops());
    e.put("peak_rss_mb", ours.stream().mapToDouble(BenchResult::peakRssMb).max().orElse(o.peakRssMb()));
    e.put("median_step_s", o.medianSeconds());
    e.put("runs_images_per_s", ours.stream().map(BenchResult::imagesPerSecond).toList());
    if (t != null) {
      e.put("pytorch_images_per_s", t.imagesPerSecond());
      e.put("pytorch_gflops", t.gflops());
      e.put("pytorch_peak_rss_mb", theirs.stream().mapToDouble(BenchResult::peakRssMb).max().orElse(t.peakRssMb()));
      e.put("pytorch_median_step_s", t.medianSeconds());
      e.put("pytorch_runs_images_per_s", theirs.stream().map(BenchResult::imagesPerSecond).toList());
      e.put("ratio_vs_pytorch", o.imagesPerSecond() / t.imagesPerSecond());
    }
    return e;
  }

  private static void print(BenchResult o, BenchResult t) {
    if (t == null) {
      System.out.printf("%-8s %-7s %6d | %10.1f %8.2f %8.0f |%n", o.step(), o.preset(), o.batch(),
          o.imagesPerSecond(), o.gflops(), o.peakRssMb());
    } else {
      System.out.printf("%-8s %-7s %6d | %10.1f %8.2f %8.0f | %10.1f %8.2f %8.0f | %6.2f %6.2f%n", o.step(),
          o.preset(), o.batch(), o.imagesPerSecond(), o.gflops(), o.peakRssMb(), t.imagesPerSecond(), t.gflops(),
          t.peakRssMb(), o.imagesPerSecond() / t.imagesPerSecond(), o.peakRssMb() / t.peakRssMb());
    }
    System.out.flush();
  }

  private Map<String, Object> machine(int n, Optional<TorchReference> torch) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("threads", n);
    m.put("load_average_end", BenchCommandSupport.loadAverage());
    m.put("warmup", warmup);
    m.put("timed_steps", timed);
    m.put("repeat", repeat);
    m.put("python", torch.map(TorchReference::python).orElse(null));
    m.put("jvm_options", jvmOptions);
    return m;
  }

  private void writeJson(Map<String, Object> out) throws java.io.IOException {
    Path parent = json.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
    System.out.println("wrote " + json);
  }

  /** {@code --threads}: a positive number, or auto (cores not taken by the 1-minute load average, at least 1). */
  static int resolveThreads(String spec) {
    if (!"auto".equalsIgnoreCase(spec)) {
      int n;
      try {
        n = Integer.parseInt(spec.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--threads must be a positive number or auto, got '" + spec + "'");
      }
      if (n < 1) throw new IllegalArgumentException("--threads must be a positive number or auto, got " + n);
      return n;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    double load = BenchCommandSupport.loadAverage();
    if (Double.isNaN(load)) return cores;
    return (int) Math.max(1, Math.min(cores, Math.floor(cores - load + 0.5)));
  }
}
