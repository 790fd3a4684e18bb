package org.maect.eval.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.maect.core.io.Npy;

/** Integer labels, one per line (blank lines ignored), or a {@code .npy} int vector. */
public final class LabelFile {
  private LabelFile() {}

  public static int[] read(Path file) throws IOException {
    if (file.toString().endsWith(".npy")) return Npy.readLabels(file);
    int[] out = new int[1024];
    int n = 0, ln = 0;
    try (BufferedReader r = Files.newBufferedReader(file)) {
      String line;
      while ((line = r.readLine()) != null) {
        ln++;
        String s = line.trim();
        if (s.isEmpty()) continue;
        int v;
        try {
          v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          throw new IOException(file + ":" + ln + ": '" + s + "' is not an integer", e);
        }
        if (n == out.length) out = Arrays.copyOf(out, n * 2);
        out[n++] = v;
      }
    }
    if (n == 0) throw new IOException(file + ": no labels");
    return Arrays.copyOf(out, n);
  }
}
