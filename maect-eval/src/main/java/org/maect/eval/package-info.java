/**
 * Evaluation on arrays of embeddings (no SameDiff): weighted k-NN, linear probe, low-shot logistic
 * regression, k-means, cluster metrics, plots.
 */
package org.maect.eval;
