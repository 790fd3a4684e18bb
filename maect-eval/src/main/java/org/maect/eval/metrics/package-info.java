/**
 * Clustering and classification metrics over {@code int[]} labels, matching scikit-learn/scipy:
 * Hungarian-matched cluster accuracy ({@link org.maect.eval.metrics.ClusterAccuracy} on
 * {@link org.maect.eval.metrics.LinearAssignment}), NMI/AMI with the exact expected mutual information
 * ({@link org.maect.eval.metrics.MutualInformation}), ARI, silhouette, confusion matrix.
 *
 * <p>Labels may be any integers (not necessarily 0..C-1); clusters that never occur simply do not
 * appear in the contingency table, as in scikit-learn.
 */
package org.maect.eval.metrics;
