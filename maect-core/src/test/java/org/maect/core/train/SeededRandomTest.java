package org.maect.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeededRandomTest {

  @Test
  void stateRoundTripContinuesTheSameSequence() {
    SeededRandom a = SeededRandom.of(42);
    for (int i = 0; i < 17; i++) a.nextLong();
    SeededRandom b = SeededRandom.fromState(a.state());
    for (int i = 0; i < 100; i++) assertThat(b.nextLong()).isEqualTo(a.nextLong());
    assertThat(b.nextGaussian()).isEqualTo(a.nextGaussian());
  }

  @Test
  void sameSeedSameNumbersDifferentSeedDifferent() {
    assertThat(SeededRandom.of(1).nextLong()).isEqualTo(SeededRandom.of(1).nextLong());
    assertThat(SeededRandom.of(1).nextLong()).isNotEqualTo(SeededRandom.of(2).nextLong());
  }

  @Test
  void deriveDoesNotAdvanceAndGivesDistinctStreams() {
    SeededRandom a = SeededRandom.of(5);
    long s = a.state();
    long x = a.derive(3).nextLong();
    assertThat(a.state()).isEqualTo(s);
    assertThat(a.derive(3).nextLong()).isEqualTo(x);
    assertThat(a.derive(4).nextLong()).isNotEqualTo(x);
  }

  @Test
  void nextIntIsUniformAndInRange() {
    SeededRandom r = SeededRandom.of(9);
    int[] counts = new int[7];
    int n = 70_000;
    for (int i = 0; i < n; i++) counts[r.nextInt(7)]++;
    // chi-square with 6 dof: 99.9% quantile 22.46
    double chi = 0;
    for (int c : counts) chi += (c - n / 7.0) * (c - n / 7.0) / (n / 7.0);
    assertThat(chi).isLessThan(22.46);
    double mean = 0, sq = 0;
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian();
      mean += g;
      sq += g * g;
    }
    assertThat(Math.abs(mean / n)).isLessThan(0.02);
    assertThat(Math.abs(sq / n - 1)).isLessThan(0.03);
  }
}
