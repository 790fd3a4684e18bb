package org.maect.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.maect.eval.io.LabelFile;
import org.maect.eval.io.LabeledFeatures;
import org.maect.eval.metrics.ClusterMetrics;
import org.maect.eval.metrics.Silhouette;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./maect cluster-metrics --labels L --clusters C [--embeddings E] [--json OUT]}: Hungarian cluster
 * accuracy, NMI, AMI, ARI (and silhouette with embeddings), matching scikit-learn to 1e-9.
 */
@Command(
    name = "cluster-metrics",
    mixinStandardHelpOptions = true,
    description = {
      "Scores a clustering against true labels: cluster_acc (Hungarian), nmi, ami, ari (scikit-learn",
      "definitions, arithmetic averaging), and silhouette (cosine, euclidean) when --embeddings is given."
    })
public final class ClusterMetricsCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--labels", required = true, paramLabel = "L", description = "True labels: one integer per line (or .npy).")
  Path labels;

  @Option(names = "--clusters", required = true, paramLabel = "C", description = "Cluster ids: one integer per line (or .npy).")
  Path clusters;

  @Option(names = "--embeddings", paramLabel = "E", description = "Embeddings for the silhouette: .npy [n, d] or CSV of numbers.")
  Path embeddings;

  @Option(names = "--silhouette-sample", defaultValue = "0", description = "Silhouette on a random subset of this size (0 = all, exact; default ${DEFAULT-VALUE}).")
  int silhouetteSample;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the silhouette subset (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the scores as JSON to this file.")
  Path json;

  @Override
  public Integer call() throws Exception {
    int[] y = LabelFile.read(labels);
    int[] c = LabelFile.read(clusters);
    if (y.length != c.length) {
      throw new IllegalArgumentException(
          labels + " has " + y.length + " labels but " + clusters + " has " + c.length + " cluster ids");
    }
    ClusterMetrics m = ClusterMetrics.of(y, c);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("n", y.length);
    out.put("cluster_acc", m.clusterAcc());
    out.put("nmi", m.nmi());
    out.put("ami", m.ami());
    out.put("ari", m.ari());
    if (embeddings != null) {
      float[][] x = LabeledFeatures.readUnlabeled(embeddings);
      if (x.length != c.length) {
        throw new IllegalArgumentException(
            embeddings + " has " + x.length + " rows but " + clusters + " has " + c.length + " cluster ids");
      }
      Map<String, Double> sil = new LinkedHashMap<>();
      sil.put("cosine", Silhouette.score(x, c, Silhouette.Metric.COSINE, silhouetteSample, seed));
      sil.put("euclidean", Silhouette.score(x, c, Silhouette.Metric.EUCLIDEAN, silhouetteSample, seed));
      out.put("silhouette", sil);
    }
    PrintWriter w = spec.commandLine().getOut();
    for (Map.Entry<String, Object> e : out.entrySet()) w.printf("%-12s %s%n", e.getKey(), e.getValue());
    w.flush();
    if (json != null) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
    }
    return 0;
  }
}
