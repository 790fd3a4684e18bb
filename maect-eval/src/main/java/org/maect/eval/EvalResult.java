package org.maect.eval;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Scores of one evaluation, serialised to the JSON contract of the {@code evaluate} command: keys
 * {@code knn} ({@code "k" -> accuracy}), {@code linear_probe} (best accuracy), {@code lowshot}
 * ({@code "1"/"2"/"5" -> mean accuracy}), {@code kmeans} and {@code silhouette}; accuracies are
 * fractions. Skipped parts are {@code null} and left out. Fields marked {@link JsonIgnore} carry details
 * for figures (cluster labels, per-rate probe accuracies).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"knn", "linear_probe", "lowshot", "kmeans", "silhouette"})
public record EvalResult(
    @JsonProperty("knn") Map<String, Double> knn,
    @JsonProperty("linear_probe") Double linearProbe,
    @JsonProperty("lowshot") Map<String, Double> lowShot,
    @JsonProperty("kmeans") KMeansScores kmeans,
    @JsonProperty("silhouette") SilhouetteScores silhouette,
    @JsonIgnore Map<Double, Double> probeAccuracyByLearningRate,
    @JsonIgnore int[] kmeansLabels) {

  /** k-means summary: the kept restart's inertia and its clustering scores against the test labels. */
  @JsonPropertyOrder({"k", "restarts", "inertia", "cluster_acc", "nmi", "ami", "ari"})
  public record KMeansScores(
      @JsonProperty("k") int k,
      @JsonProperty("restarts") int restarts,
      @JsonProperty("inertia") double inertia,
      @JsonProperty("cluster_acc") double clusterAcc,
      @JsonProperty("nmi") double nmi,
      @JsonProperty("ami") double ami,
      @JsonProperty("ari") double ari) {}

  /** Mean silhouette of the test embeddings grouped by true class. */
  @JsonPropertyOrder({"cosine", "euclidean"})
  public record SilhouetteScores(@JsonProperty("cosine") double cosine, @JsonProperty("euclidean") double euclidean) {}

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public void writeJson(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  /** A fixed-width table for the console. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    if (knn != null) knn.forEach((k, v) -> b.append(String.format("k-NN k=%-5s        %.4f%n", k, v)));
    if (linearProbe != null) b.append(String.format("linear probe         %.4f%n", linearProbe));
    if (lowShot != null) lowShot.forEach((k, v) -> b.append(String.format("low-shot %s/class     %.4f%n", k, v)));
    if (kmeans != null) {
      b.append(String.format("k-means k=%d (%d restarts) inertia %.6g%n", kmeans.k, kmeans.restarts, kmeans.inertia));
      b.append(String.format("  cluster acc        %.4f%n  NMI                %.4f%n  AMI                %.4f%n  ARI                %.4f%n",
          kmeans.clusterAcc, kmeans.nmi, kmeans.ami, kmeans.ari));
    }
    if (silhouette != null) {
      b.append(String.format("silhouette cosine    %.4f%nsilhouette euclidean %.4f%n", silhouette.cosine, silhouette.euclidean));
    }
    return b.toString();
  }
}
