package org.maect.core.data;

import java.nio.file.Path;
import java.util.List;

/**
 * MNIST and Fashion-MNIST from their IDX files ({@code train-images-idx3-ubyte[.gz]},
 * {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}).
 *
 * <p>Both are 28x28 grey images, 60000 training and 10000 test images, 10 classes. Fashion-MNIST ships in
 * the repository ({@code data/fashion-mnist}, MIT licence); see {@link DatasetLocator} for the lookup order.
 */
public final class FashionMnist {
  /** Fashion-MNIST class names, index = label. */
  public static final List<String> FASHION_CLASSES =
      List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  /** MNIST class names: the digits. */
  public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private FashionMnist() {}

  /** Loads a Fashion-MNIST split; {@code dataDir} may be null (see {@link DatasetLocator}). */
  public static ByteImageDataset load(Split split, Path dataDir) {
    return loadIdx("fashion-mnist", "Fashion-MNIST", FASHION_CLASSES, split, dataDir,
        "Provide the files by one of: pass --data-dir DIR (a directory holding the four *-ubyte.gz files);"
            + " restore data/fashion-mnist in the repository (it ships there);"
            + " 'apt-get install dataset-fashion-mnist' (Debian, installs /usr/share/datasets/fashion-mnist);"
            + " or download them from https://github.com/zalandoresearch/fashion-mnist (data/fashion).");
  }

  /** Loads an MNIST split; {@code dataDir} may be null (see {@link DatasetLocator}). */
  public static ByteImageDataset loadMnist(Split split, Path dataDir) {
    return loadIdx("mnist", "MNIST", DIGIT_CLASSES, split, dataDir,
        "Provide the four MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
            + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, from https://yann.lecun.com/exdb/mnist/"
            + " or a mirror) with --data-dir DIR, or copy them to data/mnist in the repository.");
  }

  static ByteImageDataset loadIdx(
      String dirName, String display, List<String> classes, Split split, Path dataDir, String how) {
    String prefix = split == Split.TRAIN ? "train" : "t10k";
    List<String> images = List.of(prefix + "-images-idx3-ubyte.gz", prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte");
    List<String> labels = List.of(prefix + "-labels-idx1-ubyte.gz", prefix + "-labels-idx1-ubyte", prefix + "-labels.idx1-ubyte");
    Path dir = DatasetLocator.locate(display, dirName, List.of(images, labels), dataDir, how);
    return IdxReader.readDataset(
        dirName + "/" + split.id(), DatasetLocator.file(dir, images), DatasetLocator.file(dir, labels), classes);
  }
}
