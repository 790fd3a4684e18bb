package org.maect.examples.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one benchmark run (ours or PyTorch's) measured. The JSON form is the line a worker prints after
 * {@value #PREFIX}; {@code tools/bench/torch_bench.py} prints the same fields.
 *
 * @param impl {@code samediff} or {@code pytorch}
 * @param step {@code mae_step}, {@code ct_step}, {@code embed}
 * @param imagesPerStep images one step processes (CT: both views)
 * @param stepSeconds wall time of each timed step
 * @param medianSeconds median of {@code stepSeconds}
 * @param imagesPerSecond {@code imagesPerStep / medianSeconds}
 * @param flopsPerStep counted FLOPs ({@link FlopCount})
 * @param gflops {@code flopsPerStep / medianSeconds / 1e9}
 * @param peakRssMb the process's VmHWM after the run
 * @param rssTrace soak mode: {@code [step, VmRSS MB, images/s since the previous sample, committed Java heap MB,
 *     RSS outside the heap MB]} rows (PyTorch: the first three)
 */
public record BenchResult(
    String impl,
    String step,
    String preset,
    int batch,
    int threads,
    @JsonProperty("images_per_step") int imagesPerStep,
    @JsonProperty("step_seconds") List<Double> stepSeconds,
    @JsonProperty("median_s") double medianSeconds,
    @JsonProperty("images_per_s") double imagesPerSecond,
    @JsonProperty("flops_per_step") double flopsPerStep,
    double gflops,
    @JsonProperty("peak_rss_mb") double peakRssMb,
    @JsonProperty("rss_trace") List<List<Double>> rssTrace) {

  /** Marker of the result line on a worker's standard output. */
  public static final String PREFIX = "BENCH_RESULT ";

  static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (s.length == 0) return Double.NaN;
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
