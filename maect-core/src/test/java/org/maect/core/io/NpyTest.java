package org.maect.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads files written by numpy ({@code tools/golden/npy_fixtures.py}) and round-trips our own. */
class NpyTest {
  @TempDir Path tmp;

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(NpyTest.class.getResource("/golden/npy/" + name).toURI());
  }

  @Test
  void readsNumpyMatricesOfEveryDtype() throws Exception {
    float[][] want = {{1.5f, -2.25f, 3f}, {4f, 5.125f, -6.5f}};
    assertThat(Npy.readMatrix(fixture("m_f4.npy"))).isDeepEqualTo(want);
    assertThat(Npy.readMatrix(fixture("m_f8.npy"))).isDeepEqualTo(want);
    assertThat(Npy.readMatrix(fixture("m_f4_v2.npy"))).isDeepEqualTo(want);
    assertThat(Npy.readMatrix(fixture("m_i8.npy"))).isDeepEqualTo(new float[][] {{1, 2}, {3, 4}});
    assertThat(Npy.readMatrix(fixture("v_f4.npy"))).isDeepEqualTo(new float[][] {{0.5f}, {1.5f}, {2.5f}});
  }

  @Test
  void readsNumpyLabels() throws Exception {
    int[] want = {3, -1, 7, 0};
    assertThat(Npy.readLabels(fixture("labels_i4.npy"))).containsExactly(want);
    assertThat(Npy.readLabels(fixture("labels_i8.npy"))).containsExactly(want);
    assertThat(Npy.readLabels(fixture("labels_i8_col.npy"))).containsExactly(want);
  }

  @Test
  void rejectsUnsupportedLayoutsWithTheFileName() throws Exception {
    assertThatThrownBy(() -> Npy.readMatrix(fixture("big_endian_f4.npy")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("big_endian_f4.npy")
        .hasMessageContaining(">f4");
    assertThatThrownBy(() -> Npy.readMatrix(fixture("fortran_f4.npy"))).hasMessageContaining("Fortran");
    assertThatThrownBy(() -> Npy.readMatrix(fixture("u1.npy"))).hasMessageContaining("unsupported dtype");
    assertThatThrownBy(() -> Npy.readLabels(fixture("m_f4.npy"))).hasMessageContaining("int32 or int64");
    Path junk = tmp.resolve("junk.npy");
    Files.writeString(junk, "hello");
    assertThatThrownBy(() -> Npy.readMatrix(junk)).hasMessageContaining("not a .npy file");
  }

  @Test
  void roundTripsWhatItWrites() throws Exception {
    float[][] f = {{1f, 2f}, {3f, Float.MIN_VALUE}};
    Path p = tmp.resolve("f.npy");
    Npy.write(p, f);
    assertThat(Npy.readMatrix(p)).isDeepEqualTo(f);
    assertThat(Npy.header(p).dtype()).isEqualTo(Npy.DType.FLOAT32);
    assertThat(Npy.header(p).shape()).containsExactly(2, 2);
    Npy.write(p, new double[][] {{0.25, -1}});
    assertThat(Npy.readMatrix(p)).isDeepEqualTo(new float[][] {{0.25f, -1f}});
    Npy.write(p, new int[] {5, -6});
    assertThat(Npy.readLabels(p)).containsExactly(5, -6);
    Npy.write(p, new long[] {7L});
    assertThat(Npy.readLabels(p)).containsExactly(7);
    // header is a multiple of 64 bytes, as numpy writes it
    assertThat((Files.size(p) - 8) % 64).isZero();
  }

  @Test
  void truncatedDataIsReported() throws Exception {
    Path p = tmp.resolve("t.npy");
    Npy.write(p, new float[][] {{1f, 2f, 3f}});
    byte[] b = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(b, b.length - 4));
    assertThatThrownBy(() -> Npy.readMatrix(p)).hasMessageContaining("shorter");
  }
}
