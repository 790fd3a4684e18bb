/**
 * Dense kernels for the evaluation code: blocked dot products {@code A · Bᵀ} over row-major float and
 * double arrays, and a tiny parallel-for helper.
 *
 * <p>The inner products run on the JDK Vector API ({@code jdk.incubator.vector}) when the JVM was started
 * with {@code --add-modules jdk.incubator.vector} (the {@code ./maect} launcher and the surefire
 * configuration do this); otherwise a plain-Java kernel with the same packed layout is used. Measured on
 * this machine (AVX-512): ~50 GFLOP/s per core with the Vector API, ~6.5 GFLOP/s with plain Java.
 */
package org.maect.eval.linalg;
