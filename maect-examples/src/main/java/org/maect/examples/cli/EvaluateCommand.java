package org.maect.examples.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.maect.eval.EvalConfig;
import org.maect.eval.EvalResult;
import org.maect.eval.Evaluator;
import org.maect.eval.cluster.KMeansConfig;
import org.maect.eval.io.LabeledFeatures;
import org.maect.eval.knn.KnnConfig;
import org.maect.eval.lowshot.LowShotConfig;
import org.maect.eval.probe.LinearProbeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./maect evaluate --train TRAIN --test TEST [--json OUT]}: the paper's evaluation protocol on
 * precomputed embeddings (CSV {@code label,f1,...} without header, or {@code .npy} with label files).
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluates embeddings: weighted k-NN, linear probe, low-shot logistic regression (train -> test),",
      "k-means on the test set (cluster_acc, nmi, ami, ari) and silhouette of the test set by class.",
      "TRAIN/TEST: CSV without header, first column the integer label; or .npy features with",
      "--train-labels/--test-labels .npy. Prints a table; --json writes keys knn, linear_probe, lowshot,",
      "kmeans, silhouette (accuracies as fractions)."
    })
public final class EvaluateCommand implements Callable<Integer> {

  /** The protocol's defaults: option defaults are read from here, never restated. */
  private static final EvalConfig D = EvalConfig.defaults(0);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--train", required = true, description = "Training features (CSV or .npy).")
  Path train;

  @Option(names = "--test", required = true, description = "Test features (CSV or .npy).")
  Path test;

  @Option(names = "--train-labels", description = "Training labels .npy (with .npy features).")
  Path trainLabels;

  @Option(names = "--test-labels", description = "Test labels .npy (with .npy features).")
  Path testLabels;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the results as JSON.")
  Path json;

  @Option(names = "--k", split = ",", description = "k-NN neighbour counts (default ${DEFAULT-VALUE}).")
  int[] ks = D.knn().ks().clone();

  @Option(names = "--temperature", description = "k-NN vote temperature T in exp(sim/T) (default ${DEFAULT-VALUE}).")
  double temperature = D.knn().temperature();

  @Option(names = "--probe-lrs", split = ",", description = "Linear-probe learning-rate sweep (default ${DEFAULT-VALUE}).")
  double[] probeLrs = D.probe().learningRates().clone();

  @Option(names = "--probe-epochs", description = "Linear-probe epochs (default ${DEFAULT-VALUE}).")
  int probeEpochs = D.probe().epochs();

  @Option(names = "--probe-warmup", description = "Linear-probe warmup epochs (default ${DEFAULT-VALUE}).")
  int probeWarmup = D.probe().warmupEpochs();

  @Option(names = "--probe-batch", description = "Linear-probe batch size (default ${DEFAULT-VALUE}).")
  int probeBatch = D.probe().batchSize();

  @Option(names = "--shots", split = ",", description = "Low-shot samples per class (default ${DEFAULT-VALUE}).")
  int[] shots = D.lowShot().shots().clone();

  @Option(names = "--splits", description = "Low-shot random splits per shot count (default ${DEFAULT-VALUE}).")
  int splits = D.lowShot().splits();

  @Option(names = "--lambda", description = "Low-shot L2 weight times n: lambda = value / n (default ${DEFAULT-VALUE}).")
  double lambdaTimesN = D.lowShot().lambdaTimesN();

  @Option(names = "--kmeans-k", defaultValue = "0", description = "k-means k (0 = number of test classes; default ${DEFAULT-VALUE}).")
  int clusters;

  @Option(names = "--restarts", description = "k-means restarts, lowest inertia kept (default ${DEFAULT-VALUE}).")
  int restarts = D.kmeans().restarts();

  @Option(names = "--kmeans-batch", description = "Mini-batch k-means batch size (default ${DEFAULT-VALUE}).")
  int kmeansBatch = D.kmeans().batchSize();

  @Option(names = "--no-standardize", description = "Run k-means on raw instead of standardised features.")
  boolean noStandardize;

  @Option(names = "--silhouette-sample", description = "Silhouette on this many random test samples (0 = all; default ${DEFAULT-VALUE}).")
  int silhouetteSample = D.silhouetteSample();

  @Option(names = "--seed", defaultValue = "0", description = "Seed for probe, low-shot splits, k-means, silhouette sample (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--skip", split = ",", description = "Parts to skip: knn, probe, lowshot, kmeans, silhouette.")
  List<String> skip;

  @Override
  public Integer call() throws Exception {
    Set<String> skipped = new HashSet<>(skip == null ? List.of() : skip);
    for (String s : skipped) {
      if (!Set.of("knn", "probe", "lowshot", "kmeans", "silhouette").contains(s)) {
        throw new IllegalArgumentException("--skip: unknown part '" + s + "' (knn, probe, lowshot, kmeans, silhouette)");
      }
    }
    LabeledFeatures tr = LabeledFeatures.read(train, trainLabels);
    LabeledFeatures te = LabeledFeatures.read(test, testLabels);
    EvalConfig cfg = new EvalConfig(
        skipped.contains("knn") ? null : KnnConfig.of(ks, temperature),
        skipped.contains("probe") ? null : new LinearProbeConfig(probeLrs, probeEpochs, probeWarmup, probeBatch, D.probe().momentum(), seed),
        skipped.contains("lowshot") ? null : new LowShotConfig(shots, splits, lambdaTimesN, seed, D.lowShot().lbfgs()),
        skipped.contains("kmeans") ? null
            : new KMeansConfig(clusters, restarts, kmeansBatch, D.kmeans().maxEpochs(),
                D.kmeans().maxNoImprovement(), D.kmeans().reassignmentRatio(), D.kmeans().initSize(),
                !noStandardize, seed),
        skipped.contains("silhouette") ? -1 : silhouetteSample,
        seed);
    EvalResult r = Evaluator.evaluate(cfg, tr.x(), tr.y(), te.x(), te.y());
    spec.commandLine().getOut().print(r.toTable());
    spec.commandLine().getOut().flush();
    if (json != null) r.writeJson(json);
    return 0;
  }

  @Override
  public String toString() {
    return "evaluate " + train + " " + test + " k=" + Arrays.toString(ks);
  }
}
