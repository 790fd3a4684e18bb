package org.maect.core.io.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (Hugging Face): {@code u64-le N | N bytes of JSON header | raw little-endian data}.
 *
 * <p>The header maps each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative
 * to the first data byte) plus an optional {@code "__metadata__"} string map. Reading checks, before allocating
 * anything that depends on the file's claims: header length within {@link #MAX_HEADER_BYTES} and the file; valid
 * JSON object; known float dtype; {@code prod(shape) * dtype bytes == end - begin}; offsets inside the data
 * section, not overlapping, and covering it without holes (as the reference Rust implementation requires).
 * Tensor bytes are read with positional reads in bounded chunks.
 */
public final class Safetensors {

  /** Same bound as the reference implementation: larger headers are rejected unread. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  /** Duplicate tensor names in a header are an error, not "last one wins". */
  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final Set<String> KNOWN_NON_FLOAT =
      Set.of("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E4M3", "F8_E5M2", "C64");
  private static final int CHUNK_ELEMENTS = 1 << 20;

  private Safetensors() {}

  /** One header entry, validated. */
  public record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

  /** Parsed and validated header: entries in file order, metadata, and where the data section starts. */
  public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

  /** Reads every tensor as float32 (F16/BF16/F64 converted). */
  public static StateDict read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Header h = readHeader(file, ch);
      StateDict sd = new StateDict();
      sd.metadata().putAll(h.metadata());
      for (Entry e : h.entries()) {
        sd.put(e.name(), readTensor(file, ch, h.dataStart(), e));
      }
      return sd;
    }
  }

  /** Reads and validates only the header (cheap; use it to list names and shapes). */
  public static Header readHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return readHeader(file, ch);
    }
  }

  private static Header readHeader(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw new WeightFileException(file, "not a safetensors file: " + size + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, ch, lenBuf, 0);
    long n = lenBuf.flip().getLong(); // unsigned in the format: a negative long is > 2^63
    if (n < 0 || n > MAX_HEADER_BYTES) {
      throw new WeightFileException(
          file, "safetensors header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (n > size - 8) {
      throw new WeightFileException(
          file, "safetensors header length " + n + " exceeds the file (" + size + " bytes): truncated or corrupt");
    }
    if (n < 2) throw new WeightFileException(file, "safetensors header of " + n + " bytes cannot hold a JSON object");
    ByteBuffer hb = ByteBuffer.allocate((int) n);
    readFully(file, ch, hb, 8);
    JsonNode root;
    try {
      root = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException ex) {
      throw new WeightFileException(file, "safetensors header is not valid JSON: " + ex.getOriginalMessage(), ex);
    }
    if (root == null || !root.isObject()) {
      throw new WeightFileException(file, "safetensors header is not a JSON object");
    }
    long dataStart = 8 + n;
    long dataLen = size - dataStart;
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      JsonNode v = f.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) throw new WeightFileException(file, "__metadata__ is not a JSON object");
        for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> me = m.next();
          if (!me.getValue().isTextual()) {
            throw new WeightFileException(file, "__metadata__ value for '" + me.getKey() + "' is not a string");
          }
          metadata.put(me.getKey(), me.getValue().asText());
        }
        continue;
      }
      entries.add(parseEntry(file, name, v, dataLen));
    }
    checkLayout(file, entries, dataLen);
    return new Header(List.copyOf(entries), Map.copyOf(metadata), dataStart);
  }

  private static Entry parseEntry(Path file, String name, JsonNode v, long dataLen) throws WeightFileException {
    String where = "tensor '" + name + "'";
    if (!v.isObject()) throw new WeightFileException(file, where + ": header entry is not a JSON object");
    JsonNode dt = v.get("dtype");
    JsonNode sh = v.get("shape");
    JsonNode off = v.get("data_offsets");
    if (dt == null || !dt.isTextual()) throw new WeightFileException(file, where + ": missing or non-string dtype");
    String dtName = dt.asText();
    DType dtype =
        DType.ofSafetensors(dtName)
            .orElseThrow(
                () ->
                    new WeightFileException(
                        file,
                        where
                            + (KNOWN_NON_FLOAT.contains(dtName)
                                ? ": dtype " + dtName + " is not a floating-point type; only F32/F16/BF16/F64 weights are supported"
                                : ": unknown dtype '" + dtName + "'")));
    if (sh == null || !sh.isArray()) throw new WeightFileException(file, where + ": missing shape array");
    int[] shape = new int[sh.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
        throw new WeightFileException(file, where + ": shape entry " + d + " is not a non-negative int");
      }
      shape[i] = d.asInt();
    }
    long numel;
    try {
      numel = Tensor.numel(shape);
    } catch (IllegalArgumentException ex) {
      throw new WeightFileException(file, where + ": " + ex.getMessage());
    }
    if (off == null || !off.isArray() || off.size() != 2
        || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()
        || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
      throw new WeightFileException(file, where + ": data_offsets must be [begin, end] integers");
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLen) {
      throw new WeightFileException(
          file, where + ": data_offsets [" + begin + ", " + end + "] lie outside the data section of " + dataLen + " bytes");
    }
    long expected = numel * dtype.bytes();
    if (end - begin != expected) {
      throw new WeightFileException(
          file,
          where + ": shape " + Arrays.toString(shape) + " x " + dtName + " needs " + expected + " bytes but data_offsets span "
              + (end - begin));
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static void checkLayout(Path file, List<Entry> entries, long dataLen) throws WeightFileException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long pos = 0;
    String prev = null;
    for (Entry e : sorted) {
      if (e.begin() < pos) {
        throw new WeightFileException(file, "tensor '" + e.name() + "' overlaps tensor '" + prev + "' in the data section");
      }
      if (e.begin() > pos) {
        throw new WeightFileException(file, "data section has a gap of " + (e.begin() - pos) + " bytes before tensor '" + e.name() + "'");
      }
      pos = e.end();
      prev = e.name();
    }
    if (pos != dataLen) {
      throw new WeightFileException(
          file, "data section is " + dataLen + " bytes but the tensors cover " + pos + " (trailing bytes or truncated header)");
    }
  }

  private static Tensor readTensor(Path file, FileChannel ch, long dataStart, Entry e) throws IOException {
    int n = Math.toIntExact(Tensor.numel(e.shape()));
    float[] out = new float[n];
    int chunk = Math.min(n, CHUNK_ELEMENTS);
    ByteBuffer buf = ByteBuffer.allocate(Math.max(1, chunk) * e.dtype().bytes());
    long pos = dataStart + e.begin();
    for (int done = 0; done < n; ) {
      int m = Math.min(chunk, n - done);
      buf.clear().limit(m * e.dtype().bytes());
      readFully(file, ch, buf, pos);
      buf.flip();
      e.dtype().decode(buf, out, done, m);
      done += m;
      pos += (long) m * e.dtype().bytes();
    }
    return new Tensor(e.shape(), out);
  }

  private static void readFully(Path file, FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    while (dst.hasRemaining()) {
      int r = ch.read(dst, pos);
      if (r < 0) throw new WeightFileException(file, "unexpected end of file at byte " + pos + ": truncated");
      pos += r;
    }
  }

  /**
   * Writes all tensors as F32 with {@code sd.metadata()} as {@code __metadata__}; atomically (temp file + rename),
   * header padded with spaces to a multiple of 8 bytes like the reference writer.
   */
  public static void write(Path file, StateDict sd) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!sd.metadata().isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      sd.metadata().forEach(meta::put);
    }
    long off = 0;
    for (Map.Entry<String, Tensor> e : sd.tensors().entrySet()) {
      if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      ArrayNode shape = t.putArray("shape");
      for (int d : e.getValue().shape()) shape.add(d);
      long len = 4L * e.getValue().numel();
      t.putArray("data_offsets").add(off).add(off + len);
      off += len;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp);
          java.io.BufferedOutputStream out = new java.io.BufferedOutputStream(os, 1 << 20)) {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) out.write(' ');
        ByteBuffer fb = ByteBuffer.allocate(4 * CHUNK_ELEMENTS).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : sd.tensors().values()) {
          float[] d = t.data();
          for (int s = 0; s < d.length; s += CHUNK_ELEMENTS) {
            int m = Math.min(CHUNK_ELEMENTS, d.length - s);
            fb.clear();
            fb.asFloatBuffer().put(d, s, m);
            out.write(fb.array(), 0, 4 * m);
          }
        }
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
