/**
 * Evaluation on arrays of embeddings (no SameDiff): {@link org.maect.eval.Evaluator#evaluate} runs the
 * paper's protocol — weighted k-NN ({@code knn}), linear probe ({@code probe}), low-shot logistic
 * regression ({@code lowshot}), k-means with cluster metrics ({@code cluster}, {@code metrics}) and the
 * silhouette — and returns an {@link org.maect.eval.EvalResult} that serialises to the JSON contract of
 * {@code ./maect evaluate}. Figures are in {@code plot}; dense kernels in {@code linalg}.
 *
 * <p>Shapes: features {@code [n, d]} as {@code float[n][d]}, labels {@code int[n]} (any integers).
 */
package org.maect.eval;
