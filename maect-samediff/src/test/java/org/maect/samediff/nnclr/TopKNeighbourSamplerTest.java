package org.maect.samediff.nnclr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKNeighbourSamplerTest {

  @Test
  void topKMatchesAFullSortOnRandomRows() {
    SplittableRandom rng = new SplittableRandom(1);
    int rows = 37, cols = 1000, k = 20;
    float[] sim = new float[rows * cols];
    for (int i = 0; i < sim.length; i++) sim[i] = (float) (rng.nextDouble() * 2 - 1);
    int[] top = TopKNeighbourSampler.topK(sim, rows, cols, k);
    for (int r = 0; r < rows; r++) {
      int rr = r;
      int[] expected = IntStream.range(0, cols).boxed()
          .sorted(Comparator.comparingDouble((Integer c) -> -sim[rr * cols + c]).thenComparingInt(c -> c))
          .limit(k).mapToInt(Integer::intValue).toArray();
      assertThat(Arrays.copyOfRange(top, r * k, r * k + k)).containsExactly(expected);
    }
  }

  @Test
  void tiesKeepTheLowerColumnAndTop1IsArgmax() {
    float[] sim = {0.5f, 0.9f, 0.9f, 0.1f};
    assertThat(TopKNeighbourSampler.topK(sim, 1, 4, 1)).containsExactly(1);
    assertThat(TopKNeighbourSampler.topK(sim, 1, 4, 3)).containsExactly(1, 2, 0);
  }

  @Test
  void samplesAreUniformAmongTheKAndNeverOutside() {
    int k = 20, cols = 500, rows = 4000;
    SplittableRandom data = new SplittableRandom(7);
    float[] row = new float[cols];
    for (int c = 0; c < cols; c++) row[c] = (float) data.nextDouble();
    float[] sim = new float[rows * cols];
    for (int r = 0; r < rows; r++) System.arraycopy(row, 0, sim, r * cols, cols);
    int[] top = TopKNeighbourSampler.topK(row, 1, cols, k);
    int[] picks = TopKNeighbourSampler.sample(sim, rows, cols, k, new SplittableRandom(3));
    int[] counts = new int[k];
    for (int p : picks) {
      int rank = IntStream.range(0, k).filter(i -> top[i] == p).findFirst().orElse(-1);
      assertThat(rank).as("pick %d outside the top-%d", p, k).isNotNegative();
      counts[rank]++;
    }
    double expected = rows / (double) k;
    double chi2 = Arrays.stream(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001
    assertThat(chi2).as("chi-square of counts %s", Arrays.toString(counts)).isLessThan(43.8);
    assertThat(Arrays.stream(counts).min().getAsInt()).isPositive();
  }

  @Test
  void diceSelectsTheRankedCandidate() {
    float[] sim = {0.1f, 0.7f, 0.3f, 0.9f, /* row 2 */ 0.4f, 0.2f, 0.8f, 0.6f};
    assertThat(TopKNeighbourSampler.sample(sim, 2, 4, 3, new int[] {2, 1})).containsExactly(2, 3);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> TopKNeighbourSampler.topK(new float[6], 2, 3, 4))
        .hasMessageContaining("Invalid k 4");
    assertThatThrownBy(() -> TopKNeighbourSampler.topK(new float[5], 2, 3, 1))
        .hasMessageContaining("expected 2 x 3");
    assertThatThrownBy(() -> TopKNeighbourSampler.sample(new float[6], 2, 3, 2, new int[] {0, 2}))
        .hasMessageContaining("outside [0, 2)");
  }

  @Test
  void isFastForAPaperSizedBatch() {
    int rows = 256, cols = 65536, k = 20;
    float[] sim = new float[rows * cols];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < sim.length; i++) sim[i] = (float) rng.nextDouble();
    TopKNeighbourSampler.topK(sim, rows, cols, k); // warm-up
    long t0 = System.nanoTime();
    TopKNeighbourSampler.topK(sim, rows, cols, k);
    double ms = (System.nanoTime() - t0) / 1e6;
    // 16.8M candidates; torch.topk ~30 ms here. Generous bound for a shared, noisy 2-core machine.
    assertThat(ms).isLessThan(2000);
  }
}
