package org.maect.core.io.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded byte-level corruption of valid fixtures: every outcome must be a successful read or an
 * {@link IOException} naming the file and the problem (never a RuntimeException, an Error or a hang).
 */
class CorruptFileFuzzTest {
  @TempDir Path tmp;

  interface Reader {
    StateDict read(Path p) throws IOException;
  }

  private int fuzz(Path source, Reader reader, int trials, long seed) throws IOException {
    byte[] good = Files.readAllBytes(source);
    SplittableRandom rng = new SplittableRandom(seed);
    int rejected = 0;
    Path f = tmp.resolve("fuzz.bin");
    for (int t = 0; t < trials; t++) {
      byte[] b = good.clone();
      int mode = rng.nextInt(3);
      if (mode == 0) { // flip a few bytes, biased to the header / pickle at the start
        for (int k = 0; k < 1 + rng.nextInt(4); k++) {
          int i = rng.nextBoolean() ? rng.nextInt(Math.min(b.length, 512)) : rng.nextInt(b.length);
          b[i] = (byte) rng.nextInt(256);
        }
      } else if (mode == 1) { // truncate
        b = java.util.Arrays.copyOf(b, rng.nextInt(b.length));
      } else { // overwrite 8 bytes with an extreme value
        int i = rng.nextInt(Math.max(1, b.length - 8));
        long v = rng.nextBoolean() ? Long.MAX_VALUE : -rng.nextInt(1000);
        for (int k = 0; k < 8; k++) b[i + k] = (byte) (v >>> (8 * k));
      }
      Files.write(f, b);
      try {
        reader.read(f);
      } catch (IOException expected) {
        assertThat(expected).as("trial %d", t).isInstanceOf(WeightFileException.class);
        assertThat(expected.getMessage()).startsWith(f.toString()).hasSizeGreaterThan(f.toString().length() + 10);
        rejected++;
      }
    }
    return rejected;
  }

  @Test
  void corruptSafetensorsAreReadOrRejectedCleanly() throws IOException {
    int rejected = fuzz(Fixtures.golden("dtypes.safetensors"), Safetensors::read, 400, 1);
    assertThat(rejected).isGreaterThan(100);
  }

  @Test
  void corruptTorchCheckpointsAreReadOrRejectedCleanly() throws IOException {
    int rejected = fuzz(Fixtures.golden("dtypes.pth"), TorchCheckpoint::read, 400, 2);
    assertThat(rejected).isGreaterThan(100);
  }

  @Test
  void corruptPicklesInsideAValidArchiveAreReadOrRejectedCleanly() throws IOException {
    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(Fixtures.golden("dtypes.pth").toFile())) {
      for (var e : java.util.Collections.list(z.entries())) entries.put(e.getName(), z.getInputStream(e).readAllBytes());
    }
    String pklName = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
    byte[] pkl = entries.get(pklName);
    SplittableRandom rng = new SplittableRandom(3);
    Path f = tmp.resolve("pkl.pth");
    int rejected = 0;
    for (int t = 0; t < 600; t++) {
      byte[] b = pkl.clone();
      for (int k = 0; k < 1 + rng.nextInt(3); k++) b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);
      try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
        for (var e : entries.entrySet()) {
          z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
          z.write(e.getKey().equals(pklName) ? b : e.getValue());
          z.closeEntry();
        }
      }
      try {
        TorchCheckpoint.read(f);
      } catch (IOException expected) {
        assertThat(expected).as("trial %d", t).isInstanceOf(WeightFileException.class);
        rejected++;
      }
    }
    assertThat(rejected).isGreaterThan(200);
  }
}
