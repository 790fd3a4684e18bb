package org.maect.core.data;

import java.nio.file.Path;

/**
 * A dataset could not be found or read. The message always names the file (or directory) and the
 * problem, e.g. {@code "train-labels-idx1-ubyte.gz: wrong magic number 0x00000803, expected 0x00000801"}.
 */
public class DatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }

  /** {@code "<file>: <problem>"}. */
  public static DatasetException of(Path file, String problem) {
    return new DatasetException(file + ": " + problem);
  }

  /** {@code "<file>: <problem>"} with the underlying cause. */
  public static DatasetException of(Path file, String problem, Throwable cause) {
    return new DatasetException(file + ": " + problem, cause);
  }
}
