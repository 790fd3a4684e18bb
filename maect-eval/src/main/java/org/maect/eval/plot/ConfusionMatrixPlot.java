package org.maect.eval.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Confusion-matrix heatmap: rows = true class, columns = predicted class (or matched cluster), cell
 * colour = row-normalised fraction (viridis), counts written in cells that are large enough.
 */
public final class ConfusionMatrixPlot {
  private ConfusionMatrixPlot() {}

  /**
   * @param counts {@code [rows][cols]}
   * @param rowNames names of the rows (true classes), or null for indices
   * @param colNames names of the columns, or null for indices
   */
  public static void write(Path png, long[][] counts, String[] rowNames, String[] colNames, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int rows = counts.length, cols = rows == 0 ? 0 : counts[0].length;
    if (rows == 0 || cols == 0) throw new IllegalArgumentException("empty confusion matrix");
    int cell = Math.max(4, Math.min(48, 900 / Math.max(rows, cols)));
    boolean labels = cell >= 10;
    int left = labels ? 130 : 40, top = 50, bottom = labels ? 110 : 40, right = 90;
    int w = left + cols * cell + right, h = top + rows * cell + bottom;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    Font small = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, Math.min(12, cell / 3)));
    g.setFont(small);
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < rows; i++) {
      long sum = 0;
      for (long v : counts[i]) sum += v;
      for (int j = 0; j < cols; j++) {
        double f = sum == 0 ? 0 : (double) counts[i][j] / sum;
        g.setColor(Palette.viridis(f));
        g.fillRect(left + j * cell, top + i * cell, cell, cell);
        if (cell >= 28 && counts[i][j] > 0) {
          String s = Long.toString(counts[i][j]);
          g.setColor(f > 0.6 ? Color.BLACK : Color.WHITE);
          g.drawString(s, left + j * cell + (cell - fm.stringWidth(s)) / 2, top + i * cell + (cell + fm.getAscent()) / 2 - 2);
        }
      }
    }
    g.setColor(Color.DARK_GRAY);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(left, top, cols * cell, rows * cell);
    if (labels) {
      g.setColor(Color.BLACK);
      for (int i = 0; i < rows; i++) {
        String s = clip(rowNames == null ? Integer.toString(i) : rowNames[i], 18);
        g.drawString(s, left - 6 - fm.stringWidth(s), top + i * cell + (cell + fm.getAscent()) / 2 - 2);
      }
      AffineTransform old = g.getTransform();
      for (int j = 0; j < cols; j++) {
        String s = clip(colNames == null ? Integer.toString(j) : colNames[j], 18);
        g.setTransform(old);
        g.translate(left + j * cell + cell / 2 + fm.getAscent() / 2, top + rows * cell + 6);
        g.rotate(Math.PI / 2);
        g.drawString(s, 0, 0);
      }
      g.setTransform(old);
    }
    // colour bar
    int bx = left + cols * cell + 25, bh = rows * cell;
    for (int y = 0; y < bh; y++) {
      g.setColor(Palette.viridis(1.0 - (double) y / Math.max(1, bh - 1)));
      g.fillRect(bx, top + y, 16, 1);
    }
    g.setColor(Color.BLACK);
    g.drawString("1.0", bx + 20, top + fm.getAscent());
    g.drawString("0.0", bx + 20, top + bh);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title == null ? "" : title, left, 30);
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }
}
