package org.maect.core.io.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.maect.core.io.weights.TorchUnpickler.StorageRef;
import org.maect.core.io.weights.TorchUnpickler.TensorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the state dict from a PyTorch {@code torch.save} file ({@code .pth}, zip format of torch >= 1.6).
 *
 * <p>Layout: {@code <prefix>/data.pkl} (the pickled object; tensors refer to storages by persistent id),
 * {@code <prefix>/data/<key>} (raw little-endian storage bytes), {@code <prefix>/version}, optionally
 * {@code <prefix>/byteorder}. The pickle is unpickled by {@link TorchUnpickler} (allow-listed globals only).
 * facebookresearch/mae checkpoints are {@code {'model': state_dict, ...}}: the state dict is taken from
 * {@code 'model'} (else {@code 'state_dict'}, else the top level); a DDP {@code module.} prefix is removed.
 * Only the state-dict tensors are read (optimizer state in a training checkpoint is skipped). Float32, float16,
 * bfloat16 and float64 storages are supported; views (offset, strides) are honoured and checked to lie inside
 * their storage.
 */
public final class TorchCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

  /** data.pkl of a ViT-H state dict is ~100 KB; anything above this bound is not a weights file. */
  public static final int MAX_PICKLE_BYTES = 64 << 20;

  /** Deflate cannot expand more than ~1032:1; a larger claimed ratio is a zip bomb or a lie. */
  private static final long MAX_DEFLATE_RATIO = 1100;

  private TorchCheckpoint() {}

  /** Reads the model state dict (see class doc for where it is looked up). */
  public static StateDict read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) throw new WeightFileException(file, "no such file");
    byte[] head = new byte[2];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 2);
      if (n == 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
        throw new WeightFileException(
            file, "legacy (torch < 1.6, non-zip) torch.save format is not supported; re-save it with a current torch.save");
      }
      if (n < 2 || head[0] != 'P' || head[1] != 'K') {
        throw new WeightFileException(file, "not a PyTorch checkpoint (expected a zip archive written by torch.save)");
      }
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      String prefix = findPrefix(file, zip);
      ZipEntry order = zip.getEntry(prefix + "byteorder");
      if (order != null) {
        String bo = new String(readEntry(file, zip, order, 16), StandardCharsets.US_ASCII).trim();
        if (!bo.equals("little")) throw new WeightFileException(file, "byteorder '" + bo + "' is not supported (only little-endian)");
      }
      byte[] pickle = readEntry(file, zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES);
      TorchUnpickler up = new TorchUnpickler();
      Object root;
      try {
        root = up.load(pickle);
      } catch (IOException ex) {
        throw new WeightFileException(file, ex.getMessage(), ex);
      }
      Map<?, ?> dict = findStateDict(file, root);
      return materialise(file, zip, prefix, dict);
    } catch (WeightFileException ex) {
      throw ex;
    } catch (ZipException ex) {
      throw new WeightFileException(file, "corrupt zip archive: " + ex.getMessage(), ex);
    } catch (IOException ex) { // e.g. EOFException from an entry that points past the end
      throw new WeightFileException(file, "corrupt or truncated zip archive: " + ex, ex);
    }
  }

  private static String findPrefix(Path file, ZipFile zip) throws WeightFileException {
    List<String> found = new ArrayList<>();
    for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
      String n = en.nextElement().getName();
      if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) found.add(n);
    }
    if (found.size() != 1) {
      throw new WeightFileException(
          file, found.isEmpty() ? "zip archive has no <name>/data.pkl: not a torch.save file" : "several data.pkl entries: " + found);
    }
    String p = found.get(0);
    return p.substring(0, p.length() - "data.pkl".length());
  }

  private static Map<?, ?> findStateDict(Path file, Object root) throws WeightFileException {
    if (!(root instanceof Map<?, ?> top)) {
      throw new WeightFileException(file, "top-level object is a " + TorchUnpickler.typeName(root) + ", not a dict");
    }
    for (String k : new String[] {"model", "state_dict"}) {
      if (top.get(k) instanceof Map<?, ?> inner) {
        LOG.info("{}: using checkpoint['{}'] ({} entries; top-level keys {})", file, k, inner.size(), top.keySet());
        return inner;
      }
    }
    return top;
  }

  private static StateDict materialise(Path file, ZipFile zip, String prefix, Map<?, ?> dict) throws IOException {
    Map<String, TensorRef> refs = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String k)) throw new WeightFileException(file, "state dict key is not a string: " + e.getKey());
      if (!(e.getValue() instanceof TensorRef t)) {
        throw new WeightFileException(
            file, "state dict entry '" + k + "' is a " + TorchUnpickler.typeName(e.getValue()) + ", not a tensor");
      }
      refs.put(k, t);
    }
    if (refs.isEmpty()) throw new WeightFileException(file, "the state dict holds no tensors");
    boolean ddp = refs.keySet().stream().allMatch(k -> k.startsWith("module."));
    Map<String, float[]> cache = new HashMap<>();
    StateDict sd = new StateDict();
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      String name = ddp ? e.getKey().substring("module.".length()) : e.getKey();
      TensorRef t = e.getValue();
      float[] storage = cache.get(t.storage().key());
      if (storage == null) {
        storage = readStorage(file, zip, prefix, t.storage(), name);
        cache.put(t.storage().key(), storage);
      }
      sd.put(name, view(file, name, t, storage));
    }
    return sd;
  }

  private static float[] readStorage(Path file, ZipFile zip, String prefix, StorageRef s, String tensor) throws IOException {
    DType dt = s.type().dtype();
    if (dt == null) {
      throw new WeightFileException(
          file, "tensor '" + tensor + "' is stored as torch." + s.type().name() + "; only float32/float16/bfloat16/float64 weights are supported");
    }
    if (s.numel() > Tensor.MAX_ELEMENTS) {
      throw new WeightFileException(file, "storage " + s.key() + " of tensor '" + tensor + "' claims " + s.numel() + " elements");
    }
    ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
    if (entry == null) throw new WeightFileException(file, "storage data/" + s.key() + " of tensor '" + tensor + "' is missing from the archive");
    long bytes = s.numel() * dt.bytes();
    if (entry.getSize() >= 0 && entry.getSize() < bytes) {
      throw new WeightFileException(
          file, "storage data/" + s.key() + " of tensor '" + tensor + "' holds " + entry.getSize() + " bytes but " + s.numel() + " x "
              + dt + " needs " + bytes + ": truncated or wrong dtype");
    }
    byte[] raw = readEntry(file, zip, entry, bytes);
    if (raw.length < bytes) {
      throw new WeightFileException(
          file, "storage data/" + s.key() + " of tensor '" + tensor + "' ends after " + raw.length + " of " + bytes + " bytes: truncated");
    }
    float[] out = new float[(int) s.numel()];
    dt.decode(ByteBuffer.wrap(raw, 0, (int) bytes), out, 0, out.length);
    return out;
  }

  /** Copies the strided view out of its storage, after checking every index it touches is inside. */
  private static Tensor view(Path file, String name, TensorRef t, float[] storage) throws WeightFileException {
    long[] size = t.size();
    long[] stride = t.stride();
    int[] shape = new int[size.length];
    long numel = 1;
    long maxIndex = t.offset();
    for (int i = 0; i < size.length; i++) {
      if (size[i] < 0 || size[i] > Integer.MAX_VALUE || stride[i] < 0) {
        throw new WeightFileException(file, "tensor '" + name + "': invalid " + t.describe());
      }
      shape[i] = (int) size[i];
      numel = Math.multiplyExact(numel, size[i]);
      if (numel > Tensor.MAX_ELEMENTS) throw new WeightFileException(file, "tensor '" + name + "' is too large: " + t.describe());
      if (size[i] > 0) maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1, stride[i]));
    }
    if (t.offset() < 0 || (numel > 0 && maxIndex >= storage.length)) {
      throw new WeightFileException(file, "tensor '" + name + "' reaches outside its storage: " + t.describe());
    }
    float[] out = new float[(int) numel];
    if (numel == 0) return new Tensor(shape, out);
    // contiguous fast path: strides are the row-major ones
    boolean contiguous = true;
    long expect = 1;
    for (int i = size.length - 1; i >= 0; i--) {
      if (size[i] != 1 && stride[i] != expect) contiguous = false;
      expect *= size[i];
    }
    if (contiguous) {
      System.arraycopy(storage, (int) t.offset(), out, 0, out.length);
      return new Tensor(shape, out);
    }
    int[] idx = new int[shape.length];
    for (int k = 0; k < out.length; k++) {
      long src = t.offset();
      for (int d = 0; d < shape.length; d++) src += idx[d] * stride[d];
      out[k] = storage[(int) src];
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return new Tensor(shape, out);
  }

  /** Reads at most {@code limit} bytes of an entry; more than the limit is an error (the zip header may lie). */
  private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e, long limit) throws IOException {
    if (e == null) throw new WeightFileException(file, "missing archive entry");
    if (e.getSize() > limit) {
      throw new WeightFileException(file, "archive entry " + e.getName() + " is " + e.getSize() + " bytes, more than the " + limit + " expected");
    }
    if (e.getMethod() == ZipEntry.DEFLATED && e.getCompressedSize() >= 0
        && Math.min(limit, e.getSize() < 0 ? limit : e.getSize()) > e.getCompressedSize() * MAX_DEFLATE_RATIO + 1024) {
      throw new WeightFileException(file, "archive entry " + e.getName() + " claims an impossible compression ratio");
    }
    if (limit > Integer.MAX_VALUE - 8) throw new WeightFileException(file, "archive entry " + e.getName() + " is too large");
    try (InputStream in = zip.getInputStream(e)) {
      byte[] data = in.readNBytes((int) limit);
      if (data.length == limit && e.getSize() != limit && in.read() >= 0) {
        throw new WeightFileException(file, "archive entry " + e.getName() + " is longer than the " + limit + " bytes expected");
      }
      return data;
    } catch (ZipException ex) {
      throw new WeightFileException(file, "archive entry " + e.getName() + " is corrupt: " + ex.getMessage(), ex);
    }
  }
}
