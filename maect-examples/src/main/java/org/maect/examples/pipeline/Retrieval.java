package org.maect.examples.pipeline;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.maect.core.data.ImageDataset;
import org.maect.eval.knn.NeighbourSearch;
import org.maect.eval.knn.Neighbours;

/**
 * Nearest-neighbour retrieval (paper Figure 11): for one test image per class, its top-{@code k} training images
 * by cosine similarity of the features, for several encoders side by side. A neighbour of another class gets a
 * red frame, one of the query's class a green frame.
 */
public final class Retrieval {
  /** One encoder's features (rows in dataset order). */
  public record Panel(String title, float[][] train, float[][] test) {}

  private static final int SCALE = 2;
  private static final int PAD = 3;
  private static final int GAP = 24;
  private static final int HEADER = 22;

  private Retrieval() {}

  /** First test index of each class, in class order (classes without a test image are skipped). */
  static int[] queries(int[] testLabels, int numClasses) {
    int[] first = new int[numClasses];
    java.util.Arrays.fill(first, -1);
    for (int i = 0; i < testLabels.length; i++) if (first[testLabels[i]] < 0) first[testLabels[i]] = i;
    return java.util.Arrays.stream(first).filter(i -> i >= 0).toArray();
  }

  public static Path write(Path png, ImageDataset train, ImageDataset test, List<Panel> panels, int k)
      throws IOException {
    int[] testLabels = new int[panels.get(0).test().length];
    for (int i = 0; i < testLabels.length; i++) testLabels[i] = test.label(i);
    int[] q = queries(testLabels, test.numClasses());
    int h = train.height(), w = train.width(), c = train.channels();
    int cell = Math.max(h, w) * SCALE + 2 * PAD;
    int blockW = k * cell;
    int width = cell + panels.size() * (GAP + blockW) + PAD;
    int height = HEADER + q.length * cell + PAD;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    g.drawString("query", PAD, 16);
    float[] pix = new float[c * h * w];
    for (int r = 0; r < q.length; r++) {
      test.image(q[r], pix, 0);
      draw(img, pix, c, h, w, PAD, HEADER + r * cell + PAD);
    }
    for (int p = 0; p < panels.size(); p++) {
      Panel panel = panels.get(p);
      int x0 = cell + GAP + p * (GAP + blockW);
      g.setColor(Color.BLACK);
      g.drawString(panel.title() + ": top-" + k + " training neighbours", x0, 16);
      float[][] qf = new float[q.length][];
      for (int r = 0; r < q.length; r++) qf[r] = panel.test()[q[r]];
      Neighbours nb = NeighbourSearch.search(panel.train(), qf, k, 64, 16384);
      for (int r = 0; r < q.length; r++) {
        for (int j = 0; j < k; j++) {
          int idx = nb.index()[r][j];
          train.image(idx, pix, 0);
          int x = x0 + j * cell, y = HEADER + r * cell;
          draw(img, pix, c, h, w, x + PAD, y + PAD);
          g.setColor(train.label(idx) == testLabels[q[r]] ? new Color(40, 160, 40) : new Color(220, 30, 30));
          g.setStroke(new BasicStroke(2f));
          g.drawRect(x + 1, y + 1, cell - 3, cell - 3);
        }
      }
    }
    g.dispose();
    Files.createDirectories(png.toAbsolutePath().getParent());
    ImageIO.write(img, "png", png.toFile());
    return png;
  }

  private static void draw(BufferedImage img, float[] chw, int c, int h, int w, int x0, int y0) {
    int hw = h * w;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r = byteOf(chw[y * w + x]);
        int gg = c == 3 ? byteOf(chw[hw + y * w + x]) : r;
        int b = c == 3 ? byteOf(chw[2 * hw + y * w + x]) : r;
        int rgb = (r << 16) | (gg << 8) | b;
        for (int dy = 0; dy < SCALE; dy++) {
          for (int dx = 0; dx < SCALE; dx++) img.setRGB(x0 + x * SCALE + dx, y0 + y * SCALE + dy, rgb);
        }
      }
    }
  }

  private static int byteOf(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }
}
