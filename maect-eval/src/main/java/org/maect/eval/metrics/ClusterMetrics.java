package org.maect.eval.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The supervised clustering scores the paper reports, computed from one contingency table.
 *
 * @param clusterAcc Hungarian-matched accuracy in [0, 1]
 * @param nmi normalised mutual information (arithmetic)
 * @param ami adjusted mutual information (arithmetic)
 * @param ari adjusted Rand index
 */
public record ClusterMetrics(
    @JsonProperty("cluster_acc") double clusterAcc,
    @JsonProperty("nmi") double nmi,
    @JsonProperty("ami") double ami,
    @JsonProperty("ari") double ari) {

  public static ClusterMetrics of(int[] truth, int[] clusters) {
    ContingencyTable t = ContingencyTable.of(truth, clusters);
    return new ClusterMetrics(
        ClusterAccuracy.of(t), MutualInformation.nmi(t), MutualInformation.ami(t), AdjustedRandIndex.of(t));
  }
}
