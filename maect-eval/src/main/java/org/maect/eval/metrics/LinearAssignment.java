package org.maect.eval.metrics;

import java.util.Arrays;
import org.maect.eval.linalg.PathKernel;

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
    double[] minv = new double[m];
    int[] done = new int[m]; // columns in the tree, in insertion order
    boolean[] rowDone = new boolean[n];
    if (n == m) {
      // Jonker-Volgenant column reduction (square case only: for n < m unassigned columns must keep
      // v = 0): v_j = min_i c_ij, and column j goes to its argmin row when that row is still free.
      // Duals stay feasible (c_ij - u_i - v_j >= 0 with u = 0) and assigned edges are tight.
      int[] arg = new int[m];
      java.util.Arrays.fill(v, Double.POSITIVE_INFINITY);
      for (int i = 0; i < n; i++) { // row-wise scan: cache friendly
        int base = i * m;
        for (int j = 0; j < m; j++) {
          double c = a[base + j];
          if (c < v[j]) {
            v[j] = c;
            arg[j] = i;
          }
        }
      }
      for (int j = 0; j < m; j++) {
        if (!rowDone[arg[j]]) {
          rowDone[arg[j]] = true;
          colRow[j] = arg[j];
        }
      }
    }

    PathKernel kernel = PathKernel.get();
    boolean[] open = new boolean[m];
    boolean[] free = new boolean[m];
    double[] wayD = new double[m]; // predecessor column (-1 = the new row), as double for the vector kernel
    for (int j = 0; j < m; j++) free[j] = colRow[j] < 0;
    for (int row = 0; row < n; row++) {
      if (rowDone[row]) continue;
      Arrays.fill(minv, Double.POSITIVE_INFINITY);
      Arrays.fill(open, true);
      int nDone = 0;
      int i0 = row, jPrev = -1, jFree;
      double delta = 0; // distance of the current tree frontier
      while (true) {
        // Relax edges from row i0 (reached via column jPrev); u[row] is 0 during the search.
        double ui = i0 == row ? 0.0 : u[i0];
        int j1 = kernel.relax(a, i0 * m, m, delta - ui, v, minv, wayD, jPrev, open, free);
        open[j1] = false;
        done[nDone++] = j1;
        delta = minv[j1];
        if (colRow[j1] < 0) {
          jFree = j1;
          break;
        }
        jPrev = j1;
        i0 = colRow[j1];
      }
      // Update potentials: every column in the tree moved by (delta - minv[j]).
      for (int k = 0; k < nDone; k++) {
        int j = done[k];
        double shift = delta - minv[j];
        if (colRow[j] >= 0) u[colRow[j]] += shift;
        v[j] -= shift;
      }
      u[row] = delta;
      // Flip the augmenting path.
      int j = jFree;
      free[jFree] = false;
      while (true) {
        int jp = (int) wayD[j];
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
