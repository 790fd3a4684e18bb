package org.maect.eval.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.maect.eval.metrics.LabelEncoding;

/** 2-D scatter plot of points coloured by class, with a legend (e.g. a t-SNE of embeddings). */
public final class ScatterPlot {
  private ScatterPlot() {}

  /**
   * @param xy points {@code [n, 2]}
   * @param labels class of each point (any integers)
   * @param classNames names indexed by the sorted distinct labels, or null to print the labels
   */
  public static void write(Path png, float[][] xy, int[] labels, String[] classNames, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (xy.length != labels.length) {
      throw new IllegalArgumentException(xy.length + " points but " + labels.length + " labels");
    }
    if (xy.length == 0) throw new IllegalArgumentException("no points to plot");
    LabelEncoding enc = LabelEncoding.fit(labels);
    int[] cls = enc.encode(labels);
    int legendRows = Math.min(enc.size(), 30);
    int plot = 800, left = 30, top = 45, legendW = enc.size() <= 30 ? 190 : 20;
    int w = left + plot + legendW + 20, h = top + plot + 30;
    double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY, minY = minX, maxY = maxX;
    for (float[] p : xy) {
      if (p.length != 2) throw new IllegalArgumentException("points must be 2-D, got " + p.length);
      minX = Math.min(minX, p[0]);
      maxX = Math.max(maxX, p[0]);
      minY = Math.min(minY, p[1]);
      maxY = Math.max(maxY, p[1]);
    }
    double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-12) * 1.05;
    double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(new Color(0xdddddd));
    g.drawRect(left, top, plot, plot);
    double r = xy.length > 5000 ? 1.6 : xy.length > 1000 ? 2.4 : 3.5;
    for (int i = 0; i < xy.length; i++) {
      double px = left + plot * (0.5 + (xy[i][0] - cx) / span);
      double py = top + plot * (0.5 - (xy[i][1] - cy) / span);
      Color c = Palette.category(cls[i]);
      g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 200));
      g.fill(new Ellipse2D.Double(px - r, py - r, 2 * r, 2 * r));
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int k = 0; k < legendRows && enc.size() <= 30; k++) {
      int ly = top + 10 + k * 20;
      g.setColor(Palette.category(k));
      g.fillOval(left + plot + 15, ly - 9, 10, 10);
      g.setColor(Color.BLACK);
      String name = classNames != null && k < classNames.length ? classNames[k] : Integer.toString(enc.classes()[k]);
      g.drawString(name, left + plot + 32, ly);
    }
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.setColor(Color.BLACK);
    g.drawString(title == null ? "" : title, left, 28);
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
