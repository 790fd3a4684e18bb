package org.maect.core.io.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path tmp;

  @Test
  void readsPythonWrittenF16Bf16F64AsFloat32() throws IOException {
    StateDict sd = Safetensors.read(Fixtures.golden("dtypes.safetensors"));
    JsonNode expected = new ObjectMapper().readTree(Fixtures.golden("dtypes_expected.json").toFile());
    assertThat(sd.names()).containsExactlyElementsOf(() -> expected.fieldNames());
    for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Tensor t = sd.get(e.getKey());
      int[] shape = new ObjectMapper().convertValue(e.getValue().get("shape"), int[].class);
      float[] values = new ObjectMapper().convertValue(e.getValue().get("values"), float[].class);
      assertThat(t.shape()).as(e.getKey()).containsExactly(shape);
      // exact: the expected values are the same half/bf16/double numbers widened to float by torch
      assertThat(t.data()).as(e.getKey()).containsExactly(values);
    }
    assertThat(sd.metadata()).containsEntry("note", "dtype fixture");
  }

  @Test
  void writeThenReadRoundTripsExactlyWithMetadata() throws IOException {
    StateDict sd = new StateDict();
    sd.put("a.weight", new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
    sd.put("scalar", new Tensor(new int[] {}, new float[] {7}));
    sd.put("empty", new Tensor(new int[] {0, 4}, new float[0]));
    sd.metadata().put("format", "pt");
    Path f = tmp.resolve("x.safetensors");
    Safetensors.write(f, sd);
    StateDict back = Safetensors.read(f);
    assertThat(back.tensors()).isEqualTo(sd.tensors());
    assertThat(back.metadata()).containsEntry("format", "pt");
    long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(headerLen % 8).as("header padded to 8 bytes").isZero();
    assertThat(Files.list(tmp)).as("no temp file left").containsExactly(f);
  }

  // ---- hostile and corrupt files ------------------------------------------------------------------------

  private Path file(long headerLen, String header, int dataBytes) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(headerLen).put(h);
    Path f = Files.createTempFile(tmp, "h", ".safetensors");
    Files.write(f, b.array());
    return f;
  }

  private Path file(String header, int dataBytes) throws IOException {
    return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
  }

  private static final String ONE = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

  @Test
  void validMinimalFileReads() throws IOException {
    assertThat(Safetensors.read(file(ONE, 8)).get("w").shape()).containsExactly(2);
  }

  @Test
  void rejectsHeaderLengthOfExabytesWithoutAllocating() throws IOException {
    Path f = file(-16L, ONE, 8); // 0xFFFF...F0 as u64
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(WeightFileException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("header length 18446744073709551600 exceeds the limit");
  }

  @Test
  void rejectsHeaderLengthAboveLimit() throws IOException {
    Path f = file(Safetensors.MAX_HEADER_BYTES + 1, ONE, 8);
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("exceeds the limit of 104857600 bytes");
  }

  @Test
  void rejectsHeaderLengthBeyondFile() throws IOException {
    Path f = file(4096, ONE, 8);
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("header length 4096 exceeds the file");
  }

  @Test
  void rejectsTooShortFile() throws IOException {
    Path f = tmp.resolve("short.safetensors");
    Files.write(f, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("too short");
  }

  @Test
  void rejectsInvalidJsonAndNonObjects() throws IOException {
    assertThatThrownBy(() -> Safetensors.read(file("{\"w\": [", 0))).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Safetensors.read(file("[1, 2]", 0))).hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> Safetensors.read(file("{\"w\": 3}", 0))).hasMessageContaining("'w': header entry is not a JSON object");
    assertThatThrownBy(() -> Safetensors.read(file(ONE + "{}", 8))).hasMessageContaining("not valid JSON");
  }

  @Test
  void rejectsDuplicateNames() throws IOException {
    String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertThatThrownBy(() -> Safetensors.read(file(h, 8))).hasMessageContaining("Duplicate field 'w'");
  }

  @Test
  void rejectsUnknownAndNonFloatDtypes() throws IOException {
    assertThatThrownBy(() -> Safetensors.read(file(ONE.replace("F32", "F33"), 8))).hasMessageContaining("'w': unknown dtype 'F33'");
    assertThatThrownBy(() -> Safetensors.read(file(ONE.replace("F32", "I32"), 8)))
        .hasMessageContaining("'w': dtype I32 is not a floating-point type");
  }

  @Test
  void rejectsShapeTimesDtypeNotMatchingByteLength() throws IOException {
    // claims F64 (16 bytes for [2]) over 8 bytes: a wrong dtype
    assertThatThrownBy(() -> Safetensors.read(file(ONE.replace("F32", "F64"), 8)))
        .hasMessageContaining("'w': shape [2] x F64 needs 16 bytes but data_offsets span 8");
    assertThatThrownBy(() -> Safetensors.read(file(ONE.replace("[2]", "[3]"), 8))).hasMessageContaining("needs 12 bytes");
  }

  @Test
  void rejectsHugeShapesBeforeAllocating() throws IOException {
    String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}";
    assertThatThrownBy(() -> Safetensors.read(file(h, 8))).hasMessageContaining("exceeds 2147483639 elements");
    String neg = "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}";
    assertThatThrownBy(() -> Safetensors.read(file(neg, 8))).hasMessageContaining("not a non-negative int");
  }

  @Test
  void rejectsOffsetsOutsideTheFile() throws IOException {
    String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1000000,1000008]}}";
    assertThatThrownBy(() -> Safetensors.read(file(h, 8))).hasMessageContaining("lie outside the data section of 8 bytes");
    String rev = "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}";
    assertThatThrownBy(() -> Safetensors.read(file(rev, 8))).hasMessageContaining("lie outside");
    String bad = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}";
    assertThatThrownBy(() -> Safetensors.read(file(bad, 8))).hasMessageContaining("data_offsets must be [begin, end]");
  }

  @Test
  void rejectsOverlappingTensors() throws IOException {
    String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertThatThrownBy(() -> Safetensors.read(file(h, 12))).hasMessageContaining("tensor 'b' overlaps tensor 'a'");
  }

  @Test
  void rejectsGapsAndTrailingBytes() throws IOException {
    String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    assertThatThrownBy(() -> Safetensors.read(file(gap, 8))).hasMessageContaining("gap of 4 bytes before tensor 'a'");
    assertThatThrownBy(() -> Safetensors.read(file(ONE, 12))).hasMessageContaining("data section is 12 bytes but the tensors cover 8");
  }

  @Test
  void rejectsTruncatedData() throws IOException {
    Path good = tmp.resolve("good.safetensors");
    StateDict sd = new StateDict().put("w", new Tensor(new int[] {4, 4}, new float[16]));
    Safetensors.write(good, sd);
    byte[] all = Files.readAllBytes(good);
    Path cut = tmp.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(all, all.length - 5));
    assertThatThrownBy(() -> Safetensors.read(cut)).hasMessageContaining("lie outside the data section");
  }

  @Test
  void rejectsNonStringMetadata() throws IOException {
    String h = "{\"__metadata__\":{\"k\":1}," + ONE.substring(1);
    assertThatThrownBy(() -> Safetensors.read(file(h, 8))).hasMessageContaining("__metadata__ value for 'k' is not a string");
  }

  @Test
  void halfToFloatIsExactIncludingSubnormalsAndSpecials() {
    assertThat(DType.halfToFloat((short) 0x3C00)).isEqualTo(1f);
    assertThat(DType.halfToFloat((short) 0xC000)).isEqualTo(-2f);
    assertThat(DType.halfToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f); // smallest subnormal 2^-24
    assertThat(DType.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(DType.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(DType.halfToFloat((short) 0x7E00)).isNaN();
    assertThat(DType.halfToFloat((short) 0x8000)).isEqualTo(-0f);
  }
}
