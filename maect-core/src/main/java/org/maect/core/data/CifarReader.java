package org.maect.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 / CIFAR-100 in their binary versions ({@code cifar-10-binary.tar.gz} extracts to
 * {@code cifar-10-batches-bin/}, {@code cifar-100-binary.tar.gz} to {@code cifar-100-binary/}).
 *
 * <p>CIFAR-10 record: 1 label byte + 3072 pixel bytes (1024 R, 1024 G, 1024 B, each 32x32 row-major), i.e.
 * already CHW. CIFAR-100 record: 1 coarse label byte, 1 fine label byte, 3072 pixel bytes; we use the
 * fine (100-class) label. Training files: {@code data_batch_1..5.bin} / {@code train.bin}; test files:
 * {@code test_batch.bin} / {@code test.bin}. Class names come from {@code batches.meta.txt} /
 * {@code fine_label_names.txt} when present.
 */
public final class CifarReader {
  public static final int SIDE = 32;
  public static final int PIXELS = 3 * SIDE * SIDE;
  public static final List<String> CIFAR10_CLASSES = List.of(
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private CifarReader() {}

  /** Loads a CIFAR-10 split from a located or given directory (see {@link DatasetLocator}). */
  public static ByteImageDataset loadCifar10(Split split, Path dataDir) {
    List<List<String>> files = split == Split.TRAIN
        ? List.of(List.of("data_batch_1.bin"), List.of("data_batch_2.bin"), List.of("data_batch_3.bin"),
            List.of("data_batch_4.bin"), List.of("data_batch_5.bin"))
        : List.of(List.of("test_batch.bin"));
    Path dir = DatasetLocator.locate("CIFAR-10", "cifar-10-batches-bin", files, dataDir,
        "Download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, extract it and pass"
            + " --data-dir <dir containing cifar-10-batches-bin> (or extract it under data/ in the repository).");
    List<Path> paths = new ArrayList<>();
    for (List<String> f : files) {
      paths.add(dir.resolve(f.get(0)));
    }
    List<String> classes = classNames(dir.resolve("batches.meta.txt"), 10, CIFAR10_CLASSES);
    return read("cifar10/" + split.id(), paths, 1, 0, classes);
  }

  /** Loads a CIFAR-100 split (fine labels) from a located or given directory. */
  public static ByteImageDataset loadCifar100(Split split, Path dataDir) {
    String file = split == Split.TRAIN ? "train.bin" : "test.bin";
    Path dir = DatasetLocator.locate("CIFAR-100", "cifar-100-binary", List.of(List.of(file)), dataDir,
        "Download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz, extract it and pass"
            + " --data-dir <dir containing cifar-100-binary> (or extract it under data/ in the repository).");
    List<String> fallback = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fallback.add("class" + i);
    }
    List<String> classes = classNames(dir.resolve("fine_label_names.txt"), 100, fallback);
    return read("cifar100/" + split.id(), List.of(dir.resolve(file)), 2, 1, classes);
  }

  /**
   * Reads binary batch files.
   *
   * @param labelBytes label bytes before the pixels of each record (1 for CIFAR-10, 2 for CIFAR-100)
   * @param labelIndex which of those is the label (0 for CIFAR-10, 1 = fine for CIFAR-100)
   */
  public static ByteImageDataset read(String name, List<Path> files, int labelBytes, int labelIndex, List<String> classes) {
    int record = labelBytes + PIXELS;
    List<byte[]> contents = new ArrayList<>();
    long total = 0;
    for (Path f : files) {
      byte[] all;
      try (InputStream in = IdxReader.open(f)) {
        all = in.readAllBytes();
      } catch (NoSuchFileException e) {
        throw DatasetException.of(f, "file not found", e);
      } catch (java.io.EOFException e) {
        throw DatasetException.of(f, "truncated gzip stream (" + e.getMessage() + ")", e);
      } catch (IOException e) {
        throw DatasetException.of(f, "cannot read (" + e + ")", e);
      }
      if (all.length == 0) {
        throw DatasetException.of(f, "empty file");
      }
      if (all.length % record != 0) {
        throw DatasetException.of(f, all.length + " bytes is not a whole number of " + record
            + "-byte records (truncated or not a CIFAR binary batch)");
      }
      contents.add(all);
      total += all.length / record;
    }
    if (total * PIXELS > Integer.MAX_VALUE - 16) {
      throw new DatasetException(name + ": too many images (" + total + ")");
    }
    int n = (int) total;
    byte[] pixels = new byte[n * PIXELS];
    int[] labels = new int[n];
    int k = 0;
    for (int fi = 0; fi < contents.size(); fi++) {
      byte[] all = contents.get(fi);
      for (int r = 0; r < all.length / record; r++, k++) {
        int y = all[r * record + labelIndex] & 0xff;
        if (y >= classes.size()) {
          throw DatasetException.of(files.get(fi), "label " + y + " of record " + r + " is outside [0, " + classes.size() + ")");
        }
        labels[k] = y;
        System.arraycopy(all, r * record + labelBytes, pixels, k * PIXELS, PIXELS);
      }
    }
    return new ByteImageDataset(name, 3, SIDE, SIDE, pixels, labels, classes);
  }

  private static List<String> classNames(Path file, int expected, List<String> fallback) {
    if (!Files.isRegularFile(file)) {
      return fallback;
    }
    try {
      List<String> names = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          names.add(line.strip());
        }
      }
      if (names.size() != expected) {
        throw DatasetException.of(file, "has " + names.size() + " class names, expected " + expected);
      }
      return names;
    } catch (IOException e) {
      throw DatasetException.of(file, "cannot read (" + e + ")", e);
    }
  }
}
