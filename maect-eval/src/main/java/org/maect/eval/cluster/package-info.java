/**
 * k-means on embeddings: mini-batch k-means (scikit-learn's {@code MiniBatchKMeans} update, early
 * stopping and reassignment rules) with greedy k-means++ initialisation, several full restarts keeping
 * the lowest full-data inertia, on standardised features.
 */
package org.maect.eval.cluster;
