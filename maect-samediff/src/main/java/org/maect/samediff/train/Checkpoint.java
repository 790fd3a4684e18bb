package org.maect.samediff.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.maect.core.train.AtomicFiles;
import org.maect.core.train.RunDirectory;
import org.maect.samediff.optim.AdamW;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint: weights (trainable and frozen variables), non-trainable state arrays (EMA copies,
 * queues, BatchNorm running statistics), AdamW state, progress (step, epoch), RNG state, the resolved config
 * JSON and free-form metadata.
 *
 * <h2>File format (version 1)</h2>
 * A zip archive (entries STORED, uncompressed; tensors first, manifest last) with
 * <ul>
 *   <li>{@code manifest.json}: {@code {"format": "maect-checkpoint", "version": 1, "step", "epoch", "rngState",
 *       "created", "config": {...}, "meta": {...}, "tensors": [{"name", "kind", "shape", "dtype", "entry",
 *       "crc32"}], "optimizer": {"type": "AdamW", "counts": {name: t}}}}; {@code kind} is {@code weight},
 *       {@code state}, {@code adam.m} or {@code adam.v}; {@code dtype} is {@code float32} or {@code float64};</li>
 *   <li>{@code tensors/NNNNN.bin}: the tensor's elements in C (row-major) order as raw little-endian IEEE
 *       floats (readable with {@code numpy.frombuffer(b, "<f4").reshape(shape)}).</li>
 * </ul>
 * {@link #write} goes to a temporary file in the same directory and renames it over the target, so an existing
 * checkpoint is replaced only by a complete new one. {@link #read} checks every entry's CRC-32 and reports a
 * corrupt or truncated file by name.
 */
public final class Checkpoint {
  public static final String FORMAT = "maect-checkpoint";
  public static final int VERSION = 1;

  private final long step;
  private final int epoch;
  private final long rngState;
  private final JsonNode config;
  private final Map<String, String> meta;
  private final Map<String, INDArray> weights;
  private final Map<String, INDArray> state;
  private final Map<String, AdamMoments> adam;

  /** AdamW state of one variable. */
  public record AdamMoments(INDArray m, INDArray v, long count) {}

  /**
   * @param config resolved config (any Jackson-serialisable object, a JsonNode, or null)
   * @param weights variable arrays by name (trainable and frozen)
   * @param state other arrays to restore on resume (may be empty)
   * @param optimizer optimiser whose state is saved (may be null)
   */
  public Checkpoint(long step, int epoch, long rngState, Object config, Map<String, String> meta,
      Map<String, INDArray> weights, Map<String, INDArray> state, AdamW optimizer) {
    this(step, epoch, rngState, RunDirectory.JSON.valueToTree(config), meta, weights, state, adamOf(optimizer));
  }

  private Checkpoint(long step, int epoch, long rngState, JsonNode config, Map<String, String> meta,
      Map<String, INDArray> weights, Map<String, INDArray> state, Map<String, AdamMoments> adam) {
    this.step = step;
    this.epoch = epoch;
    this.rngState = rngState;
    this.config = config;
    this.meta = meta == null ? Map.of() : Map.copyOf(meta);
    this.weights = new LinkedHashMap<>(weights);
    this.state = state == null ? Map.of() : new LinkedHashMap<>(state);
    this.adam = adam;
  }

  private static Map<String, AdamMoments> adamOf(AdamW opt) {
    Map<String, AdamMoments> m = new LinkedHashMap<>();
    if (opt == null) return m;
    for (String n : opt.stateNames()) {
      AdamW.Slot s = opt.slot(n);
      m.put(n, new AdamMoments(s.m(), s.v(), s.count()));
    }
    return m;
  }

  /** Arrays of all trainable variables and constants (frozen weights, fixed tables) of a graph, by name. */
  public static Map<String, INDArray> weightsOf(SameDiff sd) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      VariableType t = v.getVariableType();
      if (t == VariableType.VARIABLE || t == VariableType.CONSTANT) {
        INDArray a = v.getArr();
        if (a != null) m.put(v.name(), a);
      }
    }
    return m;
  }

  /** Arrays of the trainable variables of a graph, by name. */
  public static Map<String, INDArray> trainableOf(SameDiff sd) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) m.put(v.name(), v.getArr());
    }
    return m;
  }

  public long step() {
    return step;
  }

  public int epoch() {
    return epoch;
  }

  public long rngState() {
    return rngState;
  }

  /** The resolved config as JSON (null if none was saved). */
  public JsonNode config() {
    return config;
  }

  public Map<String, String> meta() {
    return meta;
  }

  /** Weights by name (as loaded; not attached to any graph). */
  public Map<String, INDArray> weights() {
    return weights;
  }

  public Map<String, INDArray> state() {
    return state;
  }

  public Map<String, AdamMoments> adam() {
    return adam;
  }

  // ------------------------------------------------------------------------------------------------ restore

  /** Assigns every weight of the graph from this checkpoint (strict: all VARIABLEs and CONSTANTs must be present). */
  public int restoreWeights(SameDiff sd) {
    return restoreWeights(sd, n -> true);
  }

  /**
   * Assigns the graph's variables and constants whose name passes {@code which} from this checkpoint, in place.
   * Each of them must be present with the same shape; extra tensors in the checkpoint are ignored.
   *
   * @return number of arrays assigned
   * @throws IllegalStateException naming the first missing or mis-shaped tensor
   */
  public int restoreWeights(SameDiff sd, Predicate<String> which) {
    Map<String, INDArray> targets = new LinkedHashMap<>();
    weightsOf(sd).forEach((n, a) -> {
      if (which.test(n)) targets.put(n, a);
    });
    return assignInto(targets, weights, "weight");
  }

  /** Assigns every array of {@code targets} (by name) from the checkpoint's weights, in place; strict. */
  public int restoreWeights(Map<String, INDArray> targets) {
    return assignInto(targets, weights, "weight");
  }

  /** Assigns every array of {@code targets} (by name) from the checkpoint's state arrays, in place; strict. */
  public int restoreState(Map<String, INDArray> targets) {
    return assignInto(targets, state, "state");
  }

  /** Loads the AdamW state; every state variable must be a known parameter of the same shape. */
  public void restoreOptimizer(AdamW opt, Map<String, INDArray> params) {
    opt.reset();
    for (Map.Entry<String, AdamMoments> e : adam.entrySet()) {
      INDArray p = params.get(e.getKey());
      if (p == null) {
        throw new IllegalStateException("Checkpoint has optimiser state for '" + e.getKey()
            + "', which is not a trainable parameter of this graph");
      }
      if (!Arrays.equals(p.shape(), e.getValue().m().shape())) {
        throw new IllegalStateException("Optimiser state of '" + e.getKey() + "' has shape "
            + Arrays.toString(e.getValue().m().shape()) + ", parameter has " + Arrays.toString(p.shape()));
      }
      opt.loadSlot(e.getKey(), e.getValue().m().castTo(p.dataType()), e.getValue().v().castTo(p.dataType()),
          e.getValue().count());
    }
  }

  private static int assignInto(Map<String, INDArray> targets, Map<String, INDArray> source, String kind) {
    for (Map.Entry<String, INDArray> e : targets.entrySet()) {
      INDArray src = source.get(e.getKey());
      if (src == null) {
        throw new IllegalStateException("Checkpoint has no " + kind + " tensor '" + e.getKey() + "' (expected shape "
            + Arrays.toString(e.getValue().shape()) + ")");
      }
      if (!Arrays.equals(src.shape(), e.getValue().shape())) {
        throw new IllegalStateException("Checkpoint " + kind + " tensor '" + e.getKey() + "' has shape "
            + Arrays.toString(src.shape()) + ", expected " + Arrays.toString(e.getValue().shape()));
      }
    }
    for (Map.Entry<String, INDArray> e : targets.entrySet()) e.getValue().assign(source.get(e.getKey()));
    return targets.size();
  }

  // ------------------------------------------------------------------------------------------------ write

  /** Writes this checkpoint atomically to {@code file} (temp file in the same directory + rename). */
  public void write(Path file) {
    write(file, os -> os);
  }

  /** As {@link #write(Path)} with the output stream wrapped (tests inject failures here). */
  void write(Path file, java.util.function.UnaryOperator<OutputStream> wrap) {
    try {
      AtomicFiles.write(file, os -> writeTo(wrap.apply(os)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private record Entry(String name, String kind, INDArray array) {}

  private void writeTo(OutputStream os) throws IOException {
    List<Entry> entries = new ArrayList<>();
    weights.forEach((n, a) -> entries.add(new Entry(n, "weight", a)));
    state.forEach((n, a) -> entries.add(new Entry(n, "state", a)));
    adam.forEach((n, s) -> {
      entries.add(new Entry(n, "adam.m", s.m()));
      entries.add(new Entry(n, "adam.v", s.v()));
    });
    ObjectNode man = RunDirectory.JSON.createObjectNode();
    man.put("format", FORMAT);
    man.put("version", VERSION);
    man.put("step", step);
    man.put("epoch", epoch);
    man.put("rngState", rngState);
    man.put("created", Instant.now().toString());
    man.set("config", config);
    man.set("meta", RunDirectory.JSON.valueToTree(meta));
    ObjectNode counts = man.putObject("optimizer").put("type", "AdamW").putObject("counts");
    adam.forEach((n, s) -> counts.put(n, s.count()));
    ArrayNode tensors = man.putArray("tensors");
    // Tensors first, one at a time (memory: one tensor's bytes), the manifest last; readers use the zip's
    // central directory, so the order does not matter to them.
    ZipOutputStream zip = new ZipOutputStream(os);
    zip.setMethod(ZipOutputStream.STORED);
    for (int i = 0; i < entries.size(); i++) {
      Entry en = entries.get(i);
      byte[] b = toBytes(en.array());
      String entry = String.format("tensors/%05d.bin", i);
      long crc = putStored(zip, entry, b);
      ObjectNode t = tensors.addObject();
      t.put("name", en.name());
      t.put("kind", en.kind());
      ArrayNode sh = t.putArray("shape");
      for (long d : en.array().shape()) sh.add(d);
      t.put("dtype", en.array().dataType() == DataType.DOUBLE ? "float64" : "float32");
      t.put("entry", entry);
      t.put("crc32", crc);
    }
    putStored(zip, "manifest.json", RunDirectory.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(man));
    zip.finish();
  }

  private static long putStored(ZipOutputStream zip, String name, byte[] b) throws IOException {
    ZipEntry ze = new ZipEntry(name);
    CRC32 crc = new CRC32();
    crc.update(b);
    ze.setMethod(ZipEntry.STORED);
    ze.setSize(b.length);
    ze.setCompressedSize(b.length);
    ze.setCrc(crc.getValue());
    zip.putNextEntry(ze);
    zip.write(b);
    zip.closeEntry();
    return crc.getValue();
  }

  private static byte[] toBytes(INDArray a) {
    if (a.dataType() == DataType.DOUBLE) {
      double[] d = a.dup('c').data().asDouble();
      ByteBuffer bb = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      bb.asDoubleBuffer().put(d);
      return bb.array();
    }
    INDArray f = a.dataType() == DataType.FLOAT ? a.dup('c') : a.castTo(DataType.FLOAT).dup('c');
    float[] d = f.data().asFloat();
    ByteBuffer bb = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(d);
    return bb.array();
  }

  // ------------------------------------------------------------------------------------------------ read

  /**
   * Reads a checkpoint written by {@link #write}.
   *
   * @throws UncheckedIOException if the file is missing, not a zip, truncated, or an entry fails its CRC, naming
   *     the file and the tensor
   */
  public static Checkpoint read(Path file) {
    if (!Files.isRegularFile(file)) throw new UncheckedIOException(new IOException("Checkpoint not found: " + file));
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry me = zip.getEntry("manifest.json");
      if (me == null) throw corrupt(file, "no manifest.json entry");
      JsonNode man = RunDirectory.JSON.readTree(readEntry(zip, me, file, "manifest.json"));
      if (!FORMAT.equals(man.path("format").asText())) {
        throw corrupt(file, "manifest format is '" + man.path("format").asText() + "', expected '" + FORMAT + "'");
      }
      if (man.path("version").asInt() != VERSION) {
        throw corrupt(file, "unsupported checkpoint version " + man.path("version"));
      }
      Map<String, INDArray> weights = new LinkedHashMap<>();
      Map<String, INDArray> state = new LinkedHashMap<>();
      Map<String, INDArray> ms = new LinkedHashMap<>();
      Map<String, INDArray> vs = new LinkedHashMap<>();
      for (JsonNode t : man.path("tensors")) {
        String name = t.path("name").asText();
        String entry = t.path("entry").asText();
        ZipEntry ze = zip.getEntry(entry);
        if (ze == null) throw corrupt(file, "tensor '" + name + "' entry " + entry + " is missing");
        byte[] b = readEntry(zip, ze, file, "tensor '" + name + "'");
        CRC32 crc = new CRC32();
        crc.update(b);
        if (crc.getValue() != t.path("crc32").asLong()) {
          throw corrupt(file, "tensor '" + name + "' fails its CRC-32 check");
        }
        long[] shape = new long[t.path("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.path("shape").get(i).asLong();
        INDArray arr = fromBytes(b, shape, t.path("dtype").asText(), file, name);
        switch (t.path("kind").asText()) {
          case "weight" -> weights.put(name, arr);
          case "state" -> state.put(name, arr);
          case "adam.m" -> ms.put(name, arr);
          case "adam.v" -> vs.put(name, arr);
          default -> throw corrupt(file, "tensor '" + name + "' has unknown kind " + t.path("kind"));
        }
      }
      Map<String, AdamMoments> adam = new LinkedHashMap<>();
      JsonNode counts = man.path("optimizer").path("counts");
      for (Map.Entry<String, INDArray> e : ms.entrySet()) {
        INDArray v = vs.get(e.getKey());
        if (v == null || !counts.has(e.getKey())) {
          throw corrupt(file, "incomplete optimiser state for '" + e.getKey() + "'");
        }
        adam.put(e.getKey(), new AdamMoments(e.getValue(), v, counts.get(e.getKey()).asLong()));
      }
      Map<String, String> meta = new LinkedHashMap<>();
      man.path("meta").fields().forEachRemaining(e -> meta.put(e.getKey(), e.getValue().asText()));
      JsonNode cfg = man.get("config");
      return new Checkpoint(man.path("step").asLong(), man.path("epoch").asInt(), man.path("rngState").asLong(),
          cfg == null || cfg.isNull() ? null : cfg, meta, weights, state, adam);
    } catch (ZipException e) {
      throw corrupt(file, "not a valid zip archive (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry ze, Path file, String what) throws IOException {
    long size = ze.getSize();
    if (size < 0 || size > Integer.MAX_VALUE - 8) throw corrupt(file, what + " has invalid size " + size);
    byte[] b = new byte[(int) size];
    try (InputStream in = zip.getInputStream(ze)) {
      new DataInputStream(in).readFully(b);
    } catch (java.io.EOFException e) {
      throw corrupt(file, what + " is truncated");
    }
    return b;
  }

  private static INDArray fromBytes(byte[] b, long[] shape, String dtype, Path file, String name) {
    long n = 1;
    for (long d : shape) n *= d;
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    if (dtype.equals("float64")) {
      if (b.length != n * 8) throw corrupt(file, "tensor '" + name + "' has " + b.length + " bytes, expected " + n * 8);
      double[] d = new double[(int) n];
      bb.asDoubleBuffer().get(d);
      return shape.length == 0 ? Nd4j.scalar(d[0]) : Nd4j.create(d, shape, 'c');
    }
    if (!dtype.equals("float32")) throw corrupt(file, "tensor '" + name + "' has unsupported dtype " + dtype);
    if (b.length != n * 4) throw corrupt(file, "tensor '" + name + "' has " + b.length + " bytes, expected " + n * 4);
    float[] f = new float[(int) n];
    bb.asFloatBuffer().get(f);
    return shape.length == 0 ? Nd4j.scalar(f[0]) : Nd4j.create(f, shape, 'c');
  }

  private static UncheckedIOException corrupt(Path file, String why) {
    return new UncheckedIOException(new IOException("Corrupt checkpoint " + file + ": " + why));
  }
}
