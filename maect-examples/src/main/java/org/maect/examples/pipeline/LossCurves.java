package org.maect.examples.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.maect.core.train.RunDirectory;

/**
 * Loss per step of each training stage, one panel per stage, from the stages' {@code metrics.jsonl}; the NNCLR
 * stages also show the queue-neighbour label agreement ({@code nn_accuracy}, right axis, 0..1).
 */
public final class LossCurves {
  /** A panel: title and the stage's metrics file. */
  public record Stage(String title, Path metrics) {}

  /** Step-wise series read from a metrics file (a resumed stage may log a step twice: the last one wins). */
  record Series(double[] step, double[] loss, double[] nnAccuracy) {}

  private static final int PANEL_W = 420;
  private static final int PANEL_H = 300;
  private static final Color LOSS = new Color(31, 119, 180);
  private static final Color ACC = new Color(255, 127, 14);

  private LossCurves() {}

  static Series read(Path metrics) throws IOException {
    java.util.TreeMap<Long, double[]> byStep = new java.util.TreeMap<>();
    if (!Files.isRegularFile(metrics)) return new Series(new double[0], new double[0], new double[0]);
    for (String line : Files.readAllLines(metrics)) {
      if (line.isBlank()) continue;
      JsonNode n;
      try {
        n = RunDirectory.JSON.readTree(line);
      } catch (IOException e) {
        continue; // a line cut by an interruption
      }
      if (!"step".equals(n.path("type").asText()) || !n.has("loss")) continue;
      double acc = n.has("nn_accuracy") ? n.get("nn_accuracy").asDouble() : Double.NaN;
      byStep.put(n.get("step").asLong(), new double[] {n.get("loss").asDouble(), acc});
    }
    int m = byStep.size();
    double[] s = new double[m], l = new double[m], a = new double[m];
    int i = 0;
    for (var e : byStep.entrySet()) {
      s[i] = e.getKey();
      l[i] = e.getValue()[0];
      a[i] = e.getValue()[1];
      i++;
    }
    return new Series(s, l, a);
  }

  public static Path write(Path png, List<Stage> stages) throws IOException {
    BufferedImage img = new BufferedImage(PANEL_W * stages.size(), PANEL_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    for (int i = 0; i < stages.size(); i++) {
      panel(g, i * PANEL_W, stages.get(i).title(), read(stages.get(i).metrics()));
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(img, "png", png.toFile());
    return png;
  }

  private static void panel(Graphics2D g, int x0, String title, Series s) {
    int left = x0 + 58, right = x0 + PANEL_W - 46, top = 34, bottom = PANEL_H - 40;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString(title, x0 + 12, 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.setColor(Color.GRAY);
    g.drawRect(left, top, right - left, bottom - top);
    if (s.step().length == 0) {
      g.drawString("no metrics yet", left + 10, (top + bottom) / 2);
      return;
    }
    double sMin = s.step()[0], sMax = Math.max(s.step()[s.step().length - 1], sMin + 1);
    double lMin = Double.POSITIVE_INFINITY, lMax = Double.NEGATIVE_INFINITY;
    for (double v : s.loss()) {
      if (!Double.isFinite(v)) continue;
      lMin = Math.min(lMin, v);
      lMax = Math.max(lMax, v);
    }
    if (!(lMax > lMin)) {
      lMax = lMin + 1;
    }
    double pad = 0.05 * (lMax - lMin);
    lMin -= pad;
    lMax += pad;
    // axes labels
    g.setColor(Color.BLACK);
    for (int t = 0; t <= 4; t++) {
      double v = lMin + (lMax - lMin) * t / 4;
      int y = (int) Math.round(bottom - (bottom - top) * t / 4.0);
      g.setColor(new Color(235, 235, 235));
      g.drawLine(left + 1, y, right - 1, y);
      g.setColor(LOSS);
      g.drawString(String.format(Locale.ROOT, "%.3g", v), x0 + 6, y + 4);
    }
    g.setColor(Color.BLACK);
    for (int t = 0; t <= 4; t++) {
      double v = sMin + (sMax - sMin) * t / 4;
      int x = (int) Math.round(left + (right - left) * t / 4.0);
      g.drawString(String.format(Locale.ROOT, "%.0f", v), x - 10, bottom + 15);
    }
    g.drawString("step", (left + right) / 2 - 10, bottom + 30);
    g.setStroke(new BasicStroke(1.2f));
    // loss: raw (light) and a moving average (solid)
    polyline(g, s.step(), s.loss(), sMin, sMax, lMin, lMax, left, right, top, bottom, new Color(31, 119, 180, 70));
    polyline(g, s.step(), smooth(s.loss(), Math.max(1, s.loss().length / 30)), sMin, sMax, lMin, lMax, left, right,
        top, bottom, LOSS);
    g.setColor(LOSS);
    g.drawString("loss", left + 6, top + 14);
    boolean hasAcc = false;
    for (double v : s.nnAccuracy()) hasAcc |= Double.isFinite(v);
    if (hasAcc) {
      polyline(g, s.step(), smooth(s.nnAccuracy(), Math.max(1, s.nnAccuracy().length / 30)), sMin, sMax, 0, 1,
          left, right, top, bottom, ACC);
      g.setColor(ACC);
      for (int t = 0; t <= 4; t++) {
        int y = (int) Math.round(bottom - (bottom - top) * t / 4.0);
        g.drawString(String.format(Locale.ROOT, "%.2f", t / 4.0), right + 5, y + 4);
      }
      g.drawString("NN label agreement", left + 46, top + 14);
    }
  }

  static double[] smooth(double[] v, int w) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double sum = 0;
      int n = 0;
      for (int j = Math.max(0, i - w + 1); j <= i; j++) {
        if (Double.isFinite(v[j])) {
          sum += v[j];
          n++;
        }
      }
      out[i] = n == 0 ? Double.NaN : sum / n;
    }
    return out;
  }

  private static void polyline(Graphics2D g, double[] xs, double[] ys, double xMin, double xMax, double yMin,
      double yMax, int left, int right, int top, int bottom, Color c) {
    g.setColor(c);
    List<int[]> pts = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      if (!Double.isFinite(ys[i])) continue;
      int x = (int) Math.round(left + (right - left) * (xs[i] - xMin) / (xMax - xMin));
      double yy = Math.max(yMin, Math.min(yMax, ys[i]));
      int y = (int) Math.round(bottom - (bottom - top) * (yy - yMin) / (yMax - yMin));
      pts.add(new int[] {x, y});
    }
    for (int i = 1; i < pts.size(); i++) {
      g.drawLine(pts.get(i - 1)[0], pts.get(i - 1)[1], pts.get(i)[0], pts.get(i)[1]);
    }
  }
}
