package org.maect.eval.metrics;

import java.util.Arrays;

/**
 * Rectangular linear sum assignment (scipy's {@code linear_sum_assignment}): the shortest augmenting
 * path algorithm with dual potentials (Jonker-Volgenant / Crouse 2016), O(r² c) for r ≤ c.
 *
 * <p>Each row is inserted by a Dijkstra-like search over reduced costs {@code cost - u[i] - v[j]} until
 * it reaches a free column, then the path is flipped. With r > c the problem is solved on the transpose.
 * Ties may choose a different optimal assignment than scipy; the optimal total is the same.
 */
public final class LinearAssignment {
  private LinearAssignment() {}

  /**
   * Minimises {@code Σ cost[i, col(i)]}.
   *
   * @param cost row-major {@code [rows, cols]}, finite
   * @return {@code rowToCol[i]}: the column of row {@code i}, or -1 when rows > cols and row {@code i}
   *     is unassigned
   */
  public static int[] minimize(double[] cost, int rows, int cols) {
    if (rows < 0 || cols < 0 || (long) rows * cols != cost.length) {
      throw new IllegalArgumentException(
          "cost has " + cost.length + " entries, expected " + rows + "x" + cols);
    }
    for (double c : cost) {
      if (!Double.isFinite(c)) throw new IllegalArgumentException("cost matrix contains NaN or Inf");
    }
    if (rows == 0 || cols == 0) {
      int[] none = new int[rows];
      Arrays.fill(none, -1);
      return none;
    }
    if (rows <= cols) return solve(cost, rows, cols);
    // Transpose: assign columns to rows, then invert.
    double[] t = new double[cost.length];
    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = cost[i * cols + j];
    int[] colToRow = solve(t, cols, rows);
    int[] rowToCol = new int[rows];
    Arrays.fill(rowToCol, -1);
    for (int j = 0; j < cols; j++) rowToCol[colToRow[j]] = j;
    return rowToCol;
  }

  /** Maximises {@code Σ profit[i, col(i)]}. */
  public static int[] maximize(double[] profit, int rows, int cols) {
    double[] neg = new double[profit.length];
    for (int i = 0; i < neg.length; i++) neg[i] = -profit[i];
    return minimize(neg, rows, cols);
  }

  /** n ≤ m. Potentials u (rows), v (cols); colRow[j] = row matched to column j or -1. */
  private static int[] solve(double[] a, int n, int m) {
    double[] u = new double[n];
    double[] v = new double[m];
    int[] colRow = new int[m];
    Arrays.fill(colRow, -1);
    int[] way = new int[m]; // predecessor column on the shortest path (-1 = the new row)
    double[] minv = new double[m];
    int[] todo = new int[m]; // columns not yet in the shortest-path tree
    int[] done = new int[m]; // columns in the tree, in insertion order

    for (int row = 0; row < n; row++) {
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      for (int j = 0; j < m; j++) todo[j] = j;
      int nTodo = m, nDone = 0;
      int i0 = row, jPrev = -1, jFree = -1;
      double delta = 0; // distance of the current tree frontier
      double uRow = 0; // accumulated shift for the inserted row
      while (true) {
        // Relax edges from row i0 (reached via column jPrev).
        int base = i0 * m;
        double ui = i0 == row ? uRow : u[i0];
        double best = Double.POSITIVE_INFINITY;
        int bestK = -1;
        for (int k = 0; k < nTodo; k++) {
          int j = todo[k];
          double cur = delta + a[base + j] - ui - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j] = jPrev;
          }
          double mv = minv[j];
          // Prefer a free column on ties: shorter paths, earlier exit.
          if (mv < best || (mv == best && bestK >= 0 && colRow[j] < 0 && colRow[todo[bestK]] >= 0)) {
            best = mv;
            bestK = k;
          }
        }
        int j1 = todo[bestK];
        todo[bestK] = todo[--nTodo];
        done[nDone++] = j1;
        delta = best;
        if (colRow[j1] < 0) {
          jFree = j1;
          break;
        }
        jPrev = j1;
        i0 = colRow[j1];
      }
      // Update potentials: every column in the tree moved by (delta - minv[j]).
      uRow += delta;
      for (int k = 0; k < nDone; k++) {
        int j = done[k];
        double shift = delta - minv[j];
        if (colRow[j] >= 0) u[colRow[j]] += shift;
        v[j] -= shift;
      }
      u[row] = uRow;
      // Flip the augmenting path.
      int j = jFree;
      while (true) {
        int jp = way[j];
        if (jp < 0) {
          colRow[j] = row;
          break;
        }
        colRow[j] = colRow[jp];
        j = jp;
      }
    }
    int[] rowToCol = new int[n];
    Arrays.fill(rowToCol, -1);
    for (int j = 0; j < m; j++) if (colRow[j] >= 0) rowToCol[colRow[j]] = j;
    return rowToCol;
  }
}
