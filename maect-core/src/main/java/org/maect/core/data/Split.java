package org.maect.core.data;

/** Which part of a dataset: the training split or the held-out test (validation) split. */
public enum Split {
  TRAIN,
  TEST;

  /** Lower-case name as used on the command line ({@code train}, {@code test}). */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
