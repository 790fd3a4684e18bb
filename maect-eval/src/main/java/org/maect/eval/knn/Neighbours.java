package org.maect.eval.knn;

/**
 * The {@code k} most cosine-similar training rows of each query, most similar first (ties: lower
 * training index first).
 *
 * <p>Shapes: index {@code [nQuery, k]}, similarity {@code [nQuery, k]}.
 */
public record Neighbours(int[][] index, float[][] similarity) {}
