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
import org.maect.core.config.ContrastiveTuningConfig;
import org.maect.core.train.AtomicFiles;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.nnclr.ContrastiveTuner;
import org.maect.samediff.nnclr.HeadInitializer;
import org.maect.samediff.nnclr.StageOptions;
import org.maect.samediff.nnclr.StageResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's Table 3 at CPU scale, from a finished pipeline's stage-1 checkpoint: MAE-CT without the
 * nearest-neighbour lookup (both NNCLR stages use the other view's own projection as positive), without head
 * initialisation (stage 3 straight from the MAE with a random head), and with 75% masking during contrastive
 * tuning (stage 2 reused). Each variant trains and is evaluated exactly like the pipeline's MAE-CT (same
 * preset, seed and evaluation), in {@code PIPELINE_DIR/ablations/<variant>/} with the same skip/resume markers.
 */
public final class Ablations {
  private static final Logger log = LoggerFactory.getLogger(Ablations.class);

  public static final String DIR = "ablations";
  public static final String RESULTS = "ablations.json";

  /** Variants in table order. */
  public static final List<String> VARIANTS = List.of("no-head-init", "no-nn-lookup", "mask-0.75");

  private Ablations() {}

  /**
   * @param pipelineDir a finished (or at least stage-1-finished) pipeline directory; its {@code pipeline.json}
   *     gives the configuration
   * @param variants which variants (subset of {@link #VARIANTS})
   */
  public record Options(Path pipelineDir, List<String> variants, Path dataDir, boolean quiet) {}

  /** Evaluations by variant ({@code maect} = the pipeline's own MAE-CT, {@code mae} = its MAE), and the table. */
  public record Result(Map<String, JsonNode> evaluations, Path results, String table) {}

  public static Result run(Options o) {
    Path root = o.pipelineDir();
    try {
      Path cfg = root.resolve(Pipeline.CONFIG);
      if (!Files.isRegularFile(cfg)) {
        throw new IllegalArgumentException(root + " is not a pipeline directory (no " + Pipeline.CONFIG
            + "); run ./maect pipeline first");
      }
      PipelinePreset p = RunDirectory.JSON.readValue(cfg.toFile(), PipelinePreset.class);
      if (!Files.isRegularFile(root.resolve(Pipeline.MAE).resolve(Pipeline.DONE))) {
        throw new IllegalArgumentException(root + ": stage 1 has not finished; run ./maect pipeline first");
      }
      Map<String, JsonNode> evals = new LinkedHashMap<>();
      for (String v : new String[] {Pipeline.EVAL_MAE, Pipeline.EVAL_MAECT}) {
        Path f = root.resolve(v).resolve("eval.json");
        if (Files.isRegularFile(f)) evals.put(v.equals(Pipeline.EVAL_MAE) ? "mae" : "maect",
            RunDirectory.JSON.readTree(f.toFile()));
      }
      Map<String, Double> seconds = new LinkedHashMap<>();
      for (String v : o.variants()) {
        if (!VARIANTS.contains(v)) throw new IllegalArgumentException("Unknown ablation '" + v + "'; known: " + VARIANTS);
        Path vd = root.resolve(DIR).resolve(v);
        Files.createDirectories(vd);
        ContrastiveTuningConfig.Ablation a = switch (v) {
          case "no-nn-lookup" -> new ContrastiveTuningConfig.Ablation(0, false, false);
          case "no-head-init" -> new ContrastiveTuningConfig.Ablation(0, true, true);
          default -> new ContrastiveTuningConfig.Ablation(0.75, false, true);
        };
        ContrastiveTuningConfig c = p.contrastive().withAblation(a);
        // stage 2 never masks, so the masking variant's own head-init (if any) is the pipeline's
        ContrastiveTuningConfig headInitConfig = v.equals("mask-0.75") ? p.contrastive() : c;
        double secs = 0;
        Path from;
        if (v.equals("no-head-init")) {
          from = root.resolve(Pipeline.MAE);
        } else if (v.equals("mask-0.75") && Files.isRegularFile(root.resolve(Pipeline.HEAD_INIT).resolve(Pipeline.DONE))) {
          // head initialisation does not mask: the pipeline's finished stage 2 is this variant's stage 2 (an
          // unfinished one may be running in another process: then the variant runs its own below)
          from = root.resolve(Pipeline.HEAD_INIT);
        } else {
          secs += Pipeline.stage(vd, Pipeline.HEAD_INIT,
              dir -> summary(HeadInitializer.run(options(p, o, root.resolve(Pipeline.MAE), dir, headInitConfig))))
              .seconds();
          from = vd.resolve(Pipeline.HEAD_INIT);
        }
        Path f = from;
        secs += Pipeline.stage(vd, Pipeline.TUNE, dir -> summary(ContrastiveTuner.run(options(p, o, f, dir, c))))
            .seconds();
        secs += Pipeline.stage(vd, "eval", dir -> Pipeline.evaluate(vd.resolve(Pipeline.TUNE), dir, p, o.dataDir()))
            .seconds();
        evals.put(v, RunDirectory.JSON.readTree(vd.resolve("eval").resolve("eval.json").toFile()));
        seconds.put(v, secs);
      }
      ObjectNode out = RunDirectory.JSON.createObjectNode();
      evals.forEach(out::set);
      out.set("seconds", RunDirectory.JSON.valueToTree(seconds));
      Path res = root.resolve(RESULTS);
      AtomicFiles.write(res, RunDirectory.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
      String table = table(evals);
      log.info("ablations:\n{}", table);
      return new Result(evals, res, table);
    } catch (IOException e) {
      throw new UncheckedIOException("ablations in " + root + ": " + e.getMessage(), e);
    }
  }

  private static StageOptions options(PipelinePreset p, Options o, Path from, Path dir, ContrastiveTuningConfig c) {
    return new StageOptions(from, dir, c, p.dataset(), o.dataDir(), p.seed(), true, o.quiet(), p.checkpointEvery(),
        p.contrastiveTrainLimit(), true);
  }

  private static JsonNode summary(StageResult r) {
    ObjectNode s = RunDirectory.JSON.createObjectNode();
    s.put("steps", r.steps()).put("last_loss", r.lastLoss()).put("nn_accuracy", r.nnAccuracy());
    return s;
  }

  /** Rows: variants; columns: k-NN (k=20), k-means cluster accuracy, NMI, linear probe, 1-shot; delta vs MAE-CT. */
  public static String table(Map<String, JsonNode> evals) {
    String[][] cols = {{"k-NN@20", "knn", "20"}, {"k-means acc", "kmeans", "cluster_acc"}, {"NMI", "kmeans", "nmi"},
        {"probe", "linear_probe"}, {"1-shot", "lowshot", "1"}};
    JsonNode base = evals.get("maect");
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-16s", "variant"));
    for (String[] c : cols) b.append(String.format(Locale.ROOT, " %18s", c[0]));
    b.append(System.lineSeparator());
    List<String> order = new ArrayList<>(List.of("mae", "maect"));
    for (String k : evals.keySet()) if (!order.contains(k)) order.add(k);
    for (String v : order) {
      JsonNode e = evals.get(v);
      if (e == null) continue;
      String name = switch (v) {
        case "mae" -> "MAE";
        case "maect" -> "MAE-CT";
        default -> v;
      };
      b.append(String.format(Locale.ROOT, "%-16s", name));
      for (String[] c : cols) {
        String[] path = java.util.Arrays.copyOfRange(c, 1, c.length);
        double x = Report.number(e, path);
        if (base != null && !v.equals("maect")) {
          b.append(String.format(Locale.ROOT, " %8.4f (%+7.4f)", x, x - Report.number(base, path)));
        } else {
          b.append(String.format(Locale.ROOT, " %18.4f", x));
        }
      }
      b.append(System.lineSeparator());
    }
    return b.toString();
  }
}
