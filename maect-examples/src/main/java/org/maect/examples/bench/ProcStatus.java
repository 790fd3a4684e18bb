package org.maect.examples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from {@code /proc/self/status} (Linux), in MB; -1 elsewhere. */
public final class ProcStatus {
  private ProcStatus() {}

  /** Peak resident set size (VmHWM). */
  public static double peakRssMb() {
    return field("VmHWM:");
  }

  /** Current resident set size (VmRSS). */
  public static double rssMb() {
    return field("VmRSS:");
  }

  private static double field(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
