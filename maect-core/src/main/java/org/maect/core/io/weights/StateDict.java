package org.maect.core.io.weights;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered map of parameter name -> {@link Tensor}, like a PyTorch {@code state_dict()}, plus string metadata
 * (safetensors {@code __metadata__}).
 */
public final class StateDict {
  private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
  private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();

  public StateDict() {}

  public StateDict(Map<String, Tensor> tensors) {
    this.tensors.putAll(tensors);
  }

  public StateDict put(String name, Tensor t) {
    tensors.put(name, t);
    return this;
  }

  /** The tensor, or an exception naming the missing key. */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException("No tensor named '" + name + "'");
    return t;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public Tensor remove(String name) {
    return tensors.remove(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  public int size() {
    return tensors.size();
  }

  /** Total number of elements over all tensors. */
  public long numel() {
    return tensors.values().stream().mapToLong(Tensor::numel).sum();
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** name -> shape, for messages. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    tensors.forEach((k, v) -> sb.append(k).append(' ').append(Arrays.toString(v.shape())).append('\n'));
    return sb.toString();
  }
}
