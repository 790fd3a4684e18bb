package org.maect.samediff.vit;

/**
 * The fixed 2-D sine-cosine positional embedding of MAE ({@code get_2d_sincos_pos_embed} in
 * facebookresearch/mae {@code util/pos_embed.py}), computed in double precision.
 *
 * <p>Row r of the table belongs to token r; with {@code clsToken} row 0 is all zeros (the CLS slot) and
 * patch (row i, column j) is row {@code 1 + i * grid + j}. As in MAE, the grid is built with
 * {@code np.meshgrid(grid_w, grid_h)}: the first half of the channels encodes the column (w) coordinate
 * and the second half the row (h) coordinate; within each half, the first quarter is sin, the second cos,
 * with frequencies {@code 1 / 10000^(k / (D/4))}.
 */
public final class SinCosPosEmbed {
  private SinCosPosEmbed() {}

  /**
   * @param dim embedding width D (divisible by 4)
   * @param grid patches per side
   * @param clsToken prepend a zero row for the CLS token
   * @return table {@code [(cls ? 1 : 0) + grid * grid][dim]}
   */
  public static double[][] table(int dim, int grid, boolean clsToken) {
    if (dim % 4 != 0) {
      throw new IllegalArgumentException("sin-cos embedding width must be divisible by 4, got " + dim);
    }
    int off = clsToken ? 1 : 0;
    double[][] t = new double[off + grid * grid][dim];
    int half = dim / 2;
    int quarter = dim / 4;
    for (int i = 0; i < grid; i++) {       // h (row)
      for (int j = 0; j < grid; j++) {     // w (column)
        double[] row = t[off + i * grid + j];
        for (int k = 0; k < quarter; k++) {
          double omega = 1.0 / Math.pow(10000.0, k / (double) quarter);
          // emb_h = encoding of grid[0] = w coordinate (meshgrid puts w first)
          row[k] = Math.sin(j * omega);
          row[quarter + k] = Math.cos(j * omega);
          // emb_w = encoding of grid[1] = h coordinate
          row[half + k] = Math.sin(i * omega);
          row[half + quarter + k] = Math.cos(i * omega);
        }
      }
    }
    return t;
  }
}
