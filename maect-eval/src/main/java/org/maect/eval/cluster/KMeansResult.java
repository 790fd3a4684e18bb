package org.maect.eval.cluster;

/**
 * Outcome of {@link KMeans#fit}: the best restart.
 *
 * @param labels cluster of each sample {@code [n]} (nearest final centre)
 * @param centers cluster centres {@code [k, d]} in the (standardised, if configured) feature space
 * @param inertia full-data sum of squared distances to the nearest centre
 * @param restart index of the kept restart
 * @param steps mini-batch steps run by the kept restart
 * @param restartInertias full-data inertia of every restart
 */
public record KMeansResult(
    int[] labels, float[][] centers, double inertia, int restart, int steps, double[] restartInertias) {}
