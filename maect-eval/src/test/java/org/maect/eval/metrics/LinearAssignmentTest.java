package org.maect.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.maect.eval.Golden;

/** Optimal totals against scipy's linear_sum_assignment, including rectangular and tied matrices. */
class LinearAssignmentTest {

  @Test
  void optimalTotalMatchesScipyOnEveryFixture() {
    for (JsonNode c : Golden.load("linear_assignment.json").get("cases")) {
      int r = c.get("rows").asInt(), k = c.get("cols").asInt();
      double[] cost = Golden.doubles(c.get("cost"));
      int[] a = LinearAssignment.minimize(cost, r, k);
      Set<Integer> used = new HashSet<>();
      double total = 0;
      int assigned = 0;
      for (int i = 0; i < r; i++) {
        if (a[i] < 0) continue;
        assertThat(used.add(a[i])).as("column used twice").isTrue();
        total += cost[i * k + a[i]];
        assigned++;
      }
      assertThat(assigned).isEqualTo(Math.min(r, k));
      assertThat(total).as(r + "x" + k).isCloseTo(c.get("min_total").asDouble(), within(1e-9));
    }
  }

  @Test
  void bruteForceAgreesOnSmallRandomMatrices() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rng.nextInt(6);
      double[] cost = new double[n * n];
      for (int i = 0; i < cost.length; i++) cost[i] = rng.nextInt(4); // many ties
      int[] a = LinearAssignment.minimize(cost, n, n);
      double got = 0;
      for (int i = 0; i < n; i++) got += cost[i * n + a[i]];
      assertThat(got).isEqualTo(bruteForce(cost, n, 0, new boolean[n]));
    }
  }

  private static double bruteForce(double[] c, int n, int row, boolean[] used) {
    if (row == n) return 0;
    double best = Double.POSITIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      if (used[j]) continue;
      used[j] = true;
      best = Math.min(best, c[row * n + j] + bruteForce(c, n, row + 1, used));
      used[j] = false;
    }
    return best;
  }

  @Test
  void nonFiniteCostIsRejected() {
    assertThatThrownBy(() -> LinearAssignment.minimize(new double[] {1, Double.NaN}, 1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
  }
}
