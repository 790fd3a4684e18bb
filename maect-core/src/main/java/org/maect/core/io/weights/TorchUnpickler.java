package org.maect.core.io.weights;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's {@link Unpickler} restricted to what {@code torch.save} writes for state dicts.
 *
 * <p>Unpickling in Java never runs Python code, but Pyrolite would still turn any global into a generic object;
 * here every {@code GLOBAL}/{@code STACK_GLOBAL} must be on a fixed allow-list (the set PyTorch's own
 * {@code weights_only=True} loader accepts, plus {@code argparse.Namespace} as an inert value because
 * facebookresearch/mae training checkpoints store their arguments in it); anything else is rejected with its name.
 * {@code INST} and {@code BUILD} on anything but an allowed object are rejected. Length-prefixed opcodes are
 * checked against the bytes that remain before anything is allocated, so a hostile length cannot request gigabytes.
 *
 * <p>Tensors become {@link TensorRef}s on {@link StorageRef}s (persistent ids); the data is read later, only for the
 * tensors that are used.
 */
final class TorchUnpickler extends Unpickler {

  /** A storage class global such as {@code torch.FloatStorage}; {@code dtype} is null for non-float storages. */
  record StorageType(String name, DType dtype) implements IObjectConstructor {
    @Override
    public Object construct(Object[] args) {
      throw new PickleException("storage type torch." + name + " cannot be called in a weights pickle");
    }
  }

  /** A persistent id {@code ('storage', type, key, location, numel)}. */
  record StorageRef(String key, StorageType type, long numel) {}

  /** The arguments of {@code torch._utils._rebuild_tensor_v2}: a strided view of a storage. */
  record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    String describe() {
      return "view of storage " + storage.key() + " (" + storage.type().name() + ", " + storage.numel()
          + " elements) offset " + offset + " size " + Arrays.toString(size) + " stride " + Arrays.toString(stride);
    }
  }

  /** A {@code collections.OrderedDict}; a BUILD on it stores the attribute dict (e.g. {@code _metadata}). */
  static final class PyOrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;
    Object state;
  }

  /** An allowed but meaningless object (e.g. {@code argparse.Namespace}); kept as its name and state. */
  static final class InertObject {
    final String global;
    Object state;

    InertObject(String global) {
      this.global = global;
    }

    @Override
    public String toString() {
      return global + "(...)";
    }
  }

  private static final List<String> STORAGE_TYPES =
      List.of("FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage", "LongStorage", "IntStorage",
          "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage");

  private final Map<String, IObjectConstructor> allowed = new HashMap<>();
  private final Map<String, StorageRef> storages = new LinkedHashMap<>();
  TorchUnpickler() {
    allowed.put("collections.OrderedDict", args -> {
      PyOrderedDict d = new PyOrderedDict();
      if (args.length > 0 && args[0] instanceof List<?> items) { // OrderedDict([(k, v), ...])
        for (Object kv : items) {
          Object[] pair = asTuple(kv, "OrderedDict item");
          d.put(pair[0], pair[1]);
        }
      }
      return d;
    });
    allowed.put("torch._utils._rebuild_tensor_v2", this::rebuildTensor);
    allowed.put("torch._utils._rebuild_tensor", this::rebuildTensor);
    allowed.put("torch._utils._rebuild_parameter", args -> argOf(args, 0, "_rebuild_parameter"));
    allowed.put("torch._utils._rebuild_parameter_with_state", args -> argOf(args, 0, "_rebuild_parameter_with_state"));
    allowed.put("argparse.Namespace", args -> new InertObject("argparse.Namespace"));
    for (String s : STORAGE_TYPES) {
      allowed.put("torch." + s, new StorageType(s, DType.ofTorchStorage(s).orElse(null)));
    }
  }

  /** Unpickles {@code pickle} (the whole {@code data.pkl}, already read into memory with a size bound). */
  Object load(byte[] pickle) throws IOException {
    try {
      return load(new ByteArrayInputStream(pickle));
    } catch (RuntimeException ex) { // PickleException, ClassCastException on a malformed stack, ...
      throw new IOException("corrupt or disallowed pickle: " + ex.getMessage(), ex);
    } catch (StackOverflowError ex) { // e.g. a self-containing list used as a dict key (hashCode recursion)
      throw new IOException("corrupt pickle: self-referential or too deeply nested objects", ex);
    }
  }

  /** Storages referenced so far, by key. */
  Map<String, StorageRef> storages() {
    return storages;
  }

  @Override
  protected Object dispatch(short key) throws PickleException, IOException {
    switch (key) {
      case Opcodes.GLOBAL -> {
        String module = PickleUtils.readline(input);
        String name = PickleUtils.readline(input);
        stack.add(resolve(module, name));
        return NO_RETURN_VALUE;
      }
      case Opcodes.STACK_GLOBAL -> {
        Object name = stack.pop();
        Object module = stack.pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw new PickleException("STACK_GLOBAL with non-string operands");
        }
        stack.add(resolve(m, n));
        return NO_RETURN_VALUE;
      }
      case Opcodes.INST -> throw new PickleException("opcode INST (old-style class instance) is not allowed");
      case Opcodes.BUILD -> {
        Object state = stack.pop();
        Object target = stack.peek();
        if (target instanceof PyOrderedDict d) d.state = state;
        else if (target instanceof InertObject o) o.state = state;
        else throw new PickleException("BUILD (set object state) is not allowed on " + typeName(target));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINSTRING -> {
        stack.add(PickleUtils.rawStringFromBytes(readSized(readInt32(), "BINSTRING")));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINUNICODE -> {
        stack.add(new String(readSized(readUint32(), "BINUNICODE"), StandardCharsets.UTF_8));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINUNICODE8 -> {
        stack.add(new String(readSized(readInt64(), "BINUNICODE8"), StandardCharsets.UTF_8));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINBYTES -> {
        stack.add(readSized(readUint32(), "BINBYTES"));
        return NO_RETURN_VALUE;
      }
      case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> {
        stack.add(readSized(readInt64(), "BINBYTES8"));
        return NO_RETURN_VALUE;
      }
      case Opcodes.LONG4 -> {
        stack.add(PickleUtils.decode_long(readSized(readInt32(), "LONG4")));
        return NO_RETURN_VALUE;
      }
      default -> {
        return super.dispatch(key);
      }
    }
  }

  @Override
  protected Object persistentLoad(Object pid) {
    Object[] t = asTuple(pid, "persistent id");
    if (t.length != 5 || !"storage".equals(t[0])) {
      throw new PickleException("persistent id is not ('storage', type, key, location, numel): " + Arrays.toString(t));
    }
    if (!(t[1] instanceof StorageType type)) throw new PickleException("persistent id names no allowed storage type: " + t[1]);
    if (!(t[2] instanceof String k)) throw new PickleException("storage key is not a string: " + t[2]);
    if (!k.matches("[0-9A-Za-z_]{1,64}")) throw new PickleException("storage key is not a plain name: '" + k + "'");
    long numel = asLong(t[4], "storage numel");
    if (numel < 0) throw new PickleException("storage " + k + " has negative size " + numel);
    StorageRef ref = new StorageRef(k, type, numel);
    StorageRef prev = storages.putIfAbsent(k, ref);
    if (prev != null && !prev.equals(ref)) {
      throw new PickleException("storage " + k + " is declared twice with different type/size: " + prev + " vs " + ref);
    }
    return prev != null ? prev : ref;
  }

  private Object rebuildTensor(Object[] args) {
    if (args.length < 4) throw new PickleException("_rebuild_tensor with " + args.length + " arguments");
    if (!(args[0] instanceof StorageRef s)) throw new PickleException("_rebuild_tensor on a non-storage " + typeName(args[0]));
    long offset = asLong(args[1], "storage offset");
    long[] size = asLongs(args[2], "size");
    long[] stride = asLongs(args[3], "stride");
    if (size.length != stride.length) {
      throw new PickleException("tensor size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride) + " differ in rank");
    }
    return new TensorRef(s, offset, size, stride);
  }

  private IObjectConstructor resolve(String module, String name) {
    IObjectConstructor c = allowed.get(module + "." + name);
    if (c == null) {
      throw new PickleException(
          "global '" + module + "." + name + "' is not allowed in a weights file (only tensors, storages, OrderedDict)");
    }
    return c;
  }

  // ---- bounded reads -------------------------------------------------------------------------------------

  private byte[] readSized(long n, String op) throws IOException {
    int remaining = input.available(); // exact: input is a ByteArrayInputStream
    if (n < 0 || n > remaining) {
      throw new PickleException(op + " claims " + n + " bytes but only " + remaining + " remain in the pickle");
    }
    return PickleUtils.readbytes(input, (int) n);
  }

  private int readInt32() throws IOException {
    return PickleUtils.bytes_to_integer(PickleUtils.readbytes(input, 4));
  }

  private long readUint32() throws IOException {
    return PickleUtils.bytes_to_uint(PickleUtils.readbytes(input, 4), 0);
  }

  private long readInt64() throws IOException {
    return PickleUtils.bytes_to_long(PickleUtils.readbytes(input, 8), 0);
  }

  // ---- argument helpers ----------------------------------------------------------------------------------

  private static Object argOf(Object[] args, int i, String what) {
    if (args.length <= i) throw new PickleException(what + " with too few arguments");
    if (!(args[i] instanceof TensorRef)) throw new PickleException(what + " on a non-tensor " + typeName(args[i]));
    return args[i];
  }

  static Object[] asTuple(Object o, String what) {
    if (o instanceof Object[] a) return a;
    if (o instanceof List<?> l) return l.toArray();
    throw new PickleException(what + " is not a tuple: " + typeName(o));
  }

  private static long asLong(Object o, String what) {
    if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) return ((Number) o).longValue();
    throw new PickleException(what + " is not an int: " + typeName(o));
  }

  private static long[] asLongs(Object o, String what) {
    Object[] a = asTuple(o, what);
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) r[i] = asLong(a[i], what);
    return r;
  }

  static String typeName(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }
}
