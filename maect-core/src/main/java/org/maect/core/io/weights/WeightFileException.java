package org.maect.core.io.weights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A weight file that cannot be used: corrupt, truncated, hostile, an unsupported dtype, or tensors that do not
 * match the model. The message names the file and, where there is one, the tensor.
 */
public final class WeightFileException extends IOException {
  private static final long serialVersionUID = 1L;

  public WeightFileException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public WeightFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }

  /** For problems that are about tensor names/shapes rather than one file. */
  public WeightFileException(String problem) {
    super(problem);
  }
}
