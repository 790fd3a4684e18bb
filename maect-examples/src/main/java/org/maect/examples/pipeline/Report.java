package org.maect.examples.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console table MAE vs MAE-CT (and delta) from two evaluation JSONs, plus stage times. */
public final class Report {
  private Report() {}

  /** A number at a JSON path, NaN when absent. */
  public static double number(JsonNode root, String... path) {
    JsonNode n = root;
    for (String p : path) {
      if (n == null) return Double.NaN;
      n = n.get(p);
    }
    return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
  }

  /** Side-by-side table; rows are every score present in either evaluation. */
  public static String table(JsonNode mae, JsonNode maect, List<Pipeline.StageInfo> stages) {
    List<String[]> rows = new ArrayList<>();
    for (String k : keys(mae, maect, "knn")) rows.add(new String[] {"k-NN k=" + k, "knn", k});
    rows.add(new String[] {"linear probe", "linear_probe"});
    for (String k : keys(mae, maect, "lowshot")) rows.add(new String[] {"low-shot " + k + "/class", "lowshot", k});
    rows.add(new String[] {"k-means cluster acc", "kmeans", "cluster_acc"});
    rows.add(new String[] {"k-means NMI", "kmeans", "nmi"});
    rows.add(new String[] {"k-means AMI", "kmeans", "ami"});
    rows.add(new String[] {"k-means ARI", "kmeans", "ari"});
    rows.add(new String[] {"silhouette (cosine)", "silhouette", "cosine"});
    rows.add(new String[] {"silhouette (euclidean)", "silhouette", "euclidean"});
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-24s %8s %8s %8s%n", "", "MAE", "MAE-CT", "delta"));
    for (String[] r : rows) {
      String[] path = java.util.Arrays.copyOfRange(r, 1, r.length);
      double a = number(mae, path);
      double c = number(maect, path);
      if (Double.isNaN(a) && Double.isNaN(c)) continue;
      b.append(String.format(Locale.ROOT, "%-24s %8.4f %8.4f %+8.4f%n", r[0], a, c, c - a));
    }
    if (stages != null && !stages.isEmpty()) {
      StringBuilder t = new StringBuilder("seconds:");
      double total = 0;
      for (Pipeline.StageInfo s : stages) {
        t.append(String.format(Locale.ROOT, " %s %.0f%s", s.name(), s.seconds(), s.skipped() ? " (earlier run)" : ""));
        total += s.seconds();
      }
      t.append(String.format(Locale.ROOT, "; total %.0f (%.1f min)", total, total / 60));
      b.append(t).append(System.lineSeparator());
    }
    return b.toString();
  }

  /** The same table as Markdown (for the README). */
  public static String markdown(JsonNode mae, JsonNode maect) {
    String plain = table(mae, maect, null);
    StringBuilder b = new StringBuilder("| | MAE | MAE-CT | delta |\n|---|---|---|---|\n");
    String[] lines = plain.split("\\R");
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i];
      if (l.isBlank()) continue;
      String label = l.substring(0, Math.min(24, l.length())).trim();
      String[] v = l.substring(Math.min(24, l.length())).trim().split("\\s+");
      b.append("| ").append(label).append(" | ").append(String.join(" | ", v)).append(" |\n");
    }
    return b.toString();
  }

  private static List<String> keys(JsonNode a, JsonNode b, String field) {
    List<String> ks = new ArrayList<>();
    for (JsonNode n : new JsonNode[] {a, b}) {
      JsonNode o = n == null ? null : n.get(field);
      if (o == null || !o.isObject()) continue;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        String k = it.next().getKey();
        if (!ks.contains(k)) ks.add(k);
      }
    }
    return ks;
  }
}
