package org.maect.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a dataset's directory. Lookup order, first match wins:
 *
 * <ol>
 *   <li>the user's directory ({@code --data-dir D}): {@code D} itself, then {@code D/<dirName>};
 *   <li>{@code $maect.home/data/<dirName>} (system property set by the {@code ./maect} launcher);
 *   <li>{@code <ancestor>/data/<dirName>} for the working directory and each of its ancestors (finds the
 *       repository's {@code data/} from a module directory, as under Maven or an IDE);
 *   <li>{@code /usr/share/datasets/<dirName>} (Debian's {@code dataset-fashion-mnist} package).
 * </ol>
 *
 * A directory matches when it holds every required file (each file may have alternative names, e.g. with
 * and without {@code .gz}). When nothing matches, the {@link DatasetException} lists every directory looked
 * at and how to provide the files.
 */
public final class DatasetLocator {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetLocator.class);

  /** System property holding the repository root (set by {@code ./maect}). */
  public static final String HOME_PROPERTY = "maect.home";
  /** Where Debian's dataset packages install. */
  public static final Path SYSTEM_DATASETS = Paths.get("/usr/share/datasets");

  private DatasetLocator() {}

  /**
   * @param displayName for messages ("Fashion-MNIST")
   * @param dirName directory name under {@code data/} ("fashion-mnist")
   * @param required each entry lists the alternative names of one required file
   * @param userDir the user's directory or null
   * @param howToProvide one or more sentences appended to the error
   */
  public static Path locate(
      String displayName, String dirName, List<List<String>> required, Path userDir, String howToProvide) {
    List<Path> candidates = candidates(dirName, userDir);
    for (Path dir : candidates) {
      if (holdsAll(dir, required)) {
        if (userDir != null && !dir.startsWith(userDir.toAbsolutePath().normalize())) {
          LOG.warn("{} not found in --data-dir {}; using {}", displayName, userDir, dir);
        }
        LOG.debug("{} found in {}", displayName, dir);
        return dir;
      }
    }
    StringBuilder msg = new StringBuilder(displayName).append(" not found. Looked for ");
    List<String> names = new ArrayList<>();
    for (List<String> alts : required) {
      names.add(String.join(" or ", alts));
    }
    msg.append(String.join(", ", names)).append(" in:");
    for (Path dir : candidates) {
      msg.append("\n  - ").append(dir).append(Files.isDirectory(dir) ? " (incomplete)" : " (no such directory)");
    }
    msg.append("\n").append(howToProvide);
    throw new DatasetException(msg.toString());
  }

  /** The directories {@link #locate} tries, in order, without duplicates. */
  public static List<Path> candidates(String dirName, Path userDir) {
    Set<Path> out = new LinkedHashSet<>();
    if (userDir != null) {
      Path u = userDir.toAbsolutePath().normalize();
      out.add(u);
      out.add(u.resolve(dirName));
    }
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && !home.isBlank()) {
      out.add(Paths.get(home).toAbsolutePath().normalize().resolve("data").resolve(dirName));
    }
    for (Path p = Paths.get("").toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      out.add(p.resolve("data").resolve(dirName));
    }
    out.add(SYSTEM_DATASETS.resolve(dirName));
    return List.copyOf(out);
  }

  /** The first existing alternative of {@code alts} in {@code dir}. */
  public static Optional<Path> firstExisting(Path dir, List<String> alts) {
    for (String a : alts) {
      Path f = dir.resolve(a);
      if (Files.isRegularFile(f)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Resolves a required file in a located directory (throws naming the directory if absent). */
  public static Path file(Path dir, List<String> alts) {
    return firstExisting(dir, alts)
        .orElseThrow(() -> DatasetException.of(dir, "missing " + String.join(" or ", alts)));
  }

  private static boolean holdsAll(Path dir, List<List<String>> required) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    for (List<String> alts : required) {
      if (firstExisting(dir, alts).isEmpty()) {
        return false;
      }
    }
    return true;
  }
}
