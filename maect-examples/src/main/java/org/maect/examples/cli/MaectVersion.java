package org.maect.examples.cli;

import picocli.CommandLine;

/** Version string for {@code ./maect --version}: the jar's implementation version, if packaged. */
public final class MaectVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = MaectVersion.class.getPackage().getImplementationVersion();
    return new String[] {"maect " + (v == null ? "(development build)" : v)};
  }
}
